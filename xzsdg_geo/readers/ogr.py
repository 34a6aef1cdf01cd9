"""What the GDAL-backed readers share: reading layers from bytes or a path with pyogrio."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import geopandas as gpd
import pyogrio


def crs_code(crs) -> str | None:
    """``EPSG:NNNN`` when the CRS has an authority code, else its WKT; None when absent."""
    if crs is None:
        return None
    auth = crs.to_authority(min_confidence=70)
    return f"{auth[0]}:{auth[1]}" if auth else crs.to_wkt()


@contextmanager
def _quiet() -> Iterator[None]:
    """GDAL's remarks (e.g. on the in-memory file's name) are not for the uploader."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _open(source: bytes | str):
    return io.BytesIO(source) if isinstance(source, bytes) else source


def spatial_layers(source: bytes | str) -> list[str]:
    """The names of the layers that have geometry (a GeoPackage may hold plain tables too)."""
    with _quiet():
        listed = pyogrio.list_layers(_open(source))
    return [str(name) for name, geometry_type in listed if geometry_type]


def read_frame(
    source: bytes | str, layer: str | None = None, encoding: str | None = None, **open_options: str
) -> gpd.GeoDataFrame:
    """One layer as a GeoDataFrame; ``encoding`` decodes its text instead of GDAL's own guess."""
    with _quiet():
        return pyogrio.read_dataframe(_open(source), layer=layer, encoding=encoding, **open_options)


def declared_features(source: bytes | str, layer: str | None = None) -> int:
    """The feature count a format states in its header (FlatGeobuf, shapefile); 0 if it states none."""
    with _quiet():
        count = pyogrio.read_info(_open(source), layer=layer)["features"]
    return max(0, int(count))
