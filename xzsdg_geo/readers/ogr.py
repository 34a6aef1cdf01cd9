"""What the GDAL-backed readers share: reading one layer from bytes with pyogrio."""

from __future__ import annotations

import io

import pyogrio

from .base import SourceLayer


def crs_code(crs) -> str | None:
    """``EPSG:NNNN`` when the CRS has an authority code, else its WKT; None when absent."""
    if crs is None:
        return None
    auth = crs.to_authority(min_confidence=70)
    return f"{auth[0]}:{auth[1]}" if auth else crs.to_wkt()


def read_layers(
    source, layer_names: list[str] | None = None, encoding: str | None = None
) -> list[SourceLayer]:
    """Every (or the named) layer of an OGR data source given as a path or bytes."""

    def open_source():
        return io.BytesIO(source) if isinstance(source, bytes) else source

    names = layer_names or [str(row[0]) for row in pyogrio.list_layers(open_source())]
    layers = []
    for name in names:
        frame = pyogrio.read_dataframe(open_source(), layer=name, encoding=encoding)
        layers.append(SourceLayer(name=name, frame=frame, crs=crs_code(frame.crs), encoding=encoding))
    return layers
