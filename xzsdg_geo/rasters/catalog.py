"""Registering rasters: check a GeoTIFF, keep its bytes in the store, catalog its kind and date.

A raster is checked once, when it is registered, so every later read can trust it: one band, a CRS,
a north-up grid, the data type its kind needs, and ground inside the store's districts. Small files
are kept inside the store; large ones beside it, where they are read by windows (see
``config/rasters.toml`` [storage]).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import shapely
from rasterio.errors import RasterioIOError
from rasterio.io import DatasetReader
from rasterio.warp import transform_bounds

from ..dates import today_cst
from ..errors import UserError
from ..geo import STORE_CRS
from ..services import audit
from ..services.auth import Permission, Principal, administrator_name
from ..store import Store
from ..store.base import NewRaster, RasterEntry
from .reading import open_data
from .settings import RasterRules, raster_rules

KINDS = ("ndvi", "red", "nir", "landcover", "water")
CLASS_KINDS = ("landcover", "water")  # class codes: integers
NDVI_CHECK_PIXELS = 256  # an NDVI raster's range is checked on a decimated read of this many rows/columns
_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _crs_text(ds: DatasetReader) -> str:
    code = ds.crs.to_epsg()
    return f"EPSG:{code}" if code else ds.crs.to_wkt()


def _check_ndvi_range(ds: DatasetReader, filename: str) -> None:
    """Refuse an NDVI stored as integers without its scale (e.g. 0-10000): every mean would be wrong."""
    shape = (min(ds.height, NDVI_CHECK_PIXELS), min(ds.width, NDVI_CHECK_PIXELS))
    raw = ds.read(1, out_shape=shape, masked=True)
    values = raw.astype(np.float64) * ds.scales[0] + ds.offsets[0]
    if values.count() and (values.min() < -1.0001 or values.max() > 1.0001):
        raise UserError("raster.ndvi_range", file=filename, low=f"{values.min():g}", high=f"{values.max():g}")


def _check_dataset(ds: DatasetReader, kind: str, filename: str) -> None:
    if ds.driver != "GTiff":
        raise UserError("raster.not_geotiff", file=filename, driver=ds.driver)
    if ds.count != 1:
        raise UserError("raster.bands", file=filename, n=ds.count)
    if ds.crs is None:
        raise UserError("raster.no_crs", file=filename)
    if ds.transform.b != 0 or ds.transform.d != 0 or ds.transform.e >= 0:
        raise UserError("raster.rotated", file=filename)
    if kind in CLASS_KINDS and not np.issubdtype(np.dtype(ds.dtypes[0]), np.integer):
        raise UserError("raster.needs_integer", file=filename, kind=kind, dtype=ds.dtypes[0])
    if kind == "ndvi":
        _check_ndvi_range(ds, filename)


def describe(ds: DatasetReader, *, sha256: str, filename: str, kind: str, acquired_on: dt.date,
             size: int) -> NewRaster:  # fmt: skip
    """The catalog row of a checked raster: its bounds in lon/lat, its grid in its own CRS."""
    _check_dataset(ds, kind, filename)
    west, south, east, north = transform_bounds(ds.crs, STORE_CRS, *ds.bounds, densify_pts=21)
    return NewRaster(
        sha256=sha256, filename=filename, kind=kind, acquired_on=acquired_on.isoformat(),
        crs=_crs_text(ds), width=ds.width, height=ds.height,
        res_x=abs(ds.transform.a), res_y=abs(ds.transform.e),
        west=west, south=south, east=east, north=north,
        dtype=ds.dtypes[0], nodata=ds.nodata, size=size,
    )  # fmt: skip


def _check_place(store: Store, raster: NewRaster) -> None:
    """A raster that misses every district was most likely given the wrong CRS."""
    districts = store.features("districts")
    if districts.empty:
        return
    box = shapely.box(raster.west, raster.south, raster.east, raster.north)
    if not box.intersects(shapely.box(*districts.total_bounds)):
        bounds = f"{raster.west:.4f}, {raster.south:.4f}, {raster.east:.4f}, {raster.north:.4f}"
        raise UserError("raster.outside", file=raster.filename, bounds=bounds, crs=raster.crs)


def checked(store: Store, data: bytes | Path, filename: str, kind: str, acquired_on: dt.date) -> NewRaster:
    """The catalog row of a raster given as bytes or a path, or a :class:`UserError` saying what is wrong."""
    if kind not in KINDS:
        raise UserError("raster.unknown_kind", kind=kind, kinds="、".join(KINDS))
    if acquired_on > today_cst():
        raise UserError("raster.future_date", date=acquired_on.isoformat())
    in_store = isinstance(data, bytes)
    sha256 = hashlib.sha256(data).hexdigest() if in_store else file_sha256(data)
    if (known := store.find_raster(sha256)) is not None:
        raise UserError(
            "raster.duplicate", file=filename, id=known.id, kind=known.kind, date=known.acquired_on
        )
    size = len(data) if in_store else data.stat().st_size
    try:
        with open_data(data) as ds:
            raster = describe(ds, sha256=sha256, filename=filename, kind=kind, acquired_on=acquired_on,
                              size=size)  # fmt: skip
    except RasterioIOError:
        raise UserError("raster.unreadable", file=filename) from None
    _check_place(store, raster)
    return raster


def register(
    store: Store, data: bytes | Path, filename: str, kind: str, acquired_on: dt.date, *, by: str
) -> RasterEntry:
    """Check and catalog a raster: bytes are kept inside the store, a path's file beside it."""
    return store.add_raster(checked(store, data, filename, kind, acquired_on), data, by=by)


def add_raster(
    store: Store,
    path: Path,
    kind: str,
    acquired_on: dt.date,
    *,
    actor: Principal | None,
    rules: RasterRules | None = None,
) -> RasterEntry:
    """An administrator's registration of a raster file, audited.

    ``actor`` None is the console operator: whoever has shell access to the store file.
    """
    by = administrator_name(actor, Permission.IMPORT)
    rules = rules or raster_rules()
    path = Path(path)
    try:
        small = path.stat().st_size <= rules.in_store_max_bytes
        data = path.read_bytes() if small else path
    except OSError:
        raise UserError("file.unreadable", path=path) from None
    raster = checked(store, data, path.name, kind, acquired_on)
    with store.transaction():
        entry = store.add_raster(raster, data, by=by)
        audit.record(store, by, "raster_add", detail={"raster_id": entry.id, "file": entry.filename,
                     "kind": kind, "acquired_on": entry.acquired_on, "sha256": entry.sha256,
                     "in_store": entry.in_store})  # fmt: skip
    return entry
