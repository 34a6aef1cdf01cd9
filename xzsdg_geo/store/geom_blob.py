"""GeoPackage geometry blobs (OGC 12-128r18 §2.1.3): a small header, then standard WKB.

Written by hand because it is a dozen lines and lets the store write geometry and history in one
SQLite transaction, which GDAL's writer cannot share with our own tables.
"""

from __future__ import annotations

import struct

import numpy as np
import shapely

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_FLAGS_LE_XY = 0b0000_0011  # little-endian, envelope [minx, maxx, miny, maxy]
_FLAGS_LE_EMPTY = 0b0001_0001  # little-endian, empty geometry, no envelope


def encode(geoms: np.ndarray, srs_id: int) -> list[bytes]:
    """GeoPackage blobs of shapely geometries."""
    wkbs = shapely.to_wkb(geoms, byte_order=1, flavor="iso")
    bounds = shapely.bounds(geoms)
    empty = shapely.is_empty(geoms)
    blobs = []
    for wkb, (minx, miny, maxx, maxy), is_empty in zip(wkbs, bounds, empty, strict=True):
        if is_empty:
            header = struct.pack("<2sBBi", b"GP", 0, _FLAGS_LE_EMPTY, srs_id)
        else:
            header = struct.pack("<2sBBi4d", b"GP", 0, _FLAGS_LE_XY, srs_id, minx, maxx, miny, maxy)
        blobs.append(header + wkb)
    return blobs


def decode(blobs: list[bytes]) -> np.ndarray:
    """Shapely geometries from GeoPackage blobs (any envelope kind, either byte order)."""
    wkbs = []
    for blob in blobs:
        if blob is None:
            wkbs.append(None)
            continue
        flags = blob[3]
        wkbs.append(blob[8 + _ENVELOPE_BYTES[(flags >> 1) & 0b111] :])
    return shapely.from_wkb(np.array(wkbs, dtype=object))
