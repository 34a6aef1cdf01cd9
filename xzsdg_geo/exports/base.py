"""What every export returns, and the scratch folder the GDAL writers work in."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "csv-wide": "text/csv",
    "gpkg": "application/geopackage+sqlite3",
    "shp": "application/zip",
    "geojson": "application/geo+json",
    "kml": "application/vnd.google-earth.kml+xml",
    "pdf": "application/pdf",
    "html": "text/html",
}
EXTENSIONS = {"shp": "zip", "csv-wide": "csv"}  # a format whose file ends otherwise than its name


@dataclass(frozen=True)
class Export:
    """A finished file: what a download button or ``--out`` needs."""

    data: bytes
    filename: str
    mime: str


def make_export(data: bytes, stem: str, fmt: str) -> Export:
    return Export(data, f"{stem}.{EXTENSIONS.get(fmt, fmt)}", MIME[fmt])


@contextmanager
def scratch() -> Iterator[Path]:
    """A private folder for writers that need real files (GDAL, shapefile sets); always removed."""
    with tempfile.TemporaryDirectory(prefix="xzsdg-export-") as tmp:
        yield Path(tmp)
