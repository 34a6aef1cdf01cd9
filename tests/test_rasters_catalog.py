"""Registering rasters: who may, what is refused (with a Chinese message), where the bytes are kept,
and the schema step that adds the catalog to an older store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from rasterio.transform import from_origin
from test_progress_support import with_districts
from test_rasters_support import geotiff

from xzsdg_geo.errors import UserError
from xzsdg_geo.rasters.catalog import add_raster
from xzsdg_geo.rasters.reading import open_raster, read_view
from xzsdg_geo.rasters.settings import raster_rules
from xzsdg_geo.services.auth import Principal, Role
from xzsdg_geo.store import open_store
from xzsdg_geo.store.base import SCHEMA_VERSION

DAY = dt.date(2026, 8, 20)
ADMIN = Principal("admin", Role.ADMIN)
NDVI = np.full((20, 20), 0.6, dtype=np.float32)
FAR_AWAY = from_origin(300_000, 2_000_000, 30, 30)  # UTM 50N, in the South China Sea


GPKG_ONLY = pytest.mark.parametrize("backend", ["gpkg"], indirect=True)


@pytest.fixture
def store(empty_store):
    return with_districts(empty_store)


def _file(tmp_path: Path, values: np.ndarray = NDVI, name: str = "ndvi.tif", **options) -> Path:
    path = tmp_path / name
    geotiff(values, path=path, **options)
    return path


def test_an_administrator_registers_a_raster_kept_inside_the_store(store, tmp_path):
    path = _file(tmp_path)
    entry = add_raster(store, path, "ndvi", DAY, actor=ADMIN)
    assert (entry.kind, entry.acquired_on, entry.crs) == ("ndvi", "2026-08-20", "EPSG:32650")
    assert (entry.width, entry.height, entry.res_x) == (20, 20, 30.0)
    assert entry.in_store and entry.registered_by == "admin"
    assert 117.02 < entry.west < entry.east < 117.03 and 34.04 < entry.south < entry.north < 34.06
    assert store.raster_data(entry) == path.read_bytes()
    assert store.rasters("ndvi") == [entry] and store.rasters("water") == []
    last = store.audit()[-1]
    assert (last.actor, last.action, last.detail["raster_id"]) == ("admin", "raster_add", entry.id)


def test_the_console_operator_may_register(store, tmp_path):
    entry = add_raster(store, _file(tmp_path), "ndvi", DAY, actor=None)
    assert entry.registered_by.startswith("console:")


@pytest.mark.parametrize("role", [Role.FIELD_TEAM, Role.DISTRICT_HEAD, Role.REVIEWER])
def test_other_roles_may_not_register(store, tmp_path, role):
    with pytest.raises(UserError) as err:
        add_raster(store, _file(tmp_path), "ndvi", DAY, actor=Principal("someone", role))
    assert err.value.key == "auth.forbidden"
    assert store.rasters() == []


@GPKG_ONLY
def test_a_large_raster_is_kept_beside_the_store_and_read_by_windows(store, tmp_path):
    rules = dataclasses.replace(raster_rules(), in_store_max_bytes=0)
    entry = add_raster(store, _file(tmp_path), "ndvi", DAY, actor=ADMIN, rules=rules)
    kept = store.raster_data(entry)
    assert (
        not entry.in_store and kept == Path(store.location).with_name("empty.rasters") / f"{entry.sha256}.tif"
    )
    with open_raster(store, entry) as ds:
        assert ds.name == str(kept) and ds.read(1)[0, 0] == pytest.approx(0.6)
    kept.unlink()
    with pytest.raises(UserError) as err:
        store.raster_data(entry)
    assert err.value.key == "raster.file_missing"


def test_a_view_for_a_map_is_warped_to_its_crs(store, tmp_path):
    entry = add_raster(store, _file(tmp_path), "ndvi", DAY, actor=ADMIN)
    mercator = (13_026_500.0, 4_034_900.0, 13_027_800.0, 4_036_200.0)  # around the raster, EPSG:3857
    view = read_view(store, entry, mercator, "EPSG:3857", (65, 65))
    assert view.count() > 0 and view.mask.any()  # the raster, and the ground around it masked
    assert np.allclose(view.compressed(), 0.6)


def _refusal(store, path, kind="ndvi", day=DAY) -> UserError:
    with pytest.raises(UserError) as err:
        add_raster(store, path, kind, day, actor=ADMIN)
    assert store.rasters() == []
    return err.value


def test_refusals_say_what_is_wrong_in_chinese(store, tmp_path):
    cases = {
        "raster.unreadable": (_written(tmp_path / "x.tif", b"not a tiff"), "ndvi"),
        "raster.bands": (_file(tmp_path, np.zeros((2, 5, 5), np.float32), "two.tif"), "ndvi"),
        "raster.no_crs": (_file(tmp_path, NDVI, "nocrs.tif", crs=None), "ndvi"),
        "raster.needs_integer": (_file(tmp_path, NDVI, "lc.tif"), "landcover"),
        "raster.ndvi_range": (_file(tmp_path, np.full((5, 5), 6500, np.int16), "int.tif"), "ndvi"),
        "raster.outside": (_file(tmp_path, NDVI, "far.tif", transform=FAR_AWAY), "ndvi"),
        "raster.unknown_kind": (_file(tmp_path), "dem"),
    }  # fmt: skip
    for key, (path, kind) in cases.items():
        err = _refusal(store, path, kind)
        assert err.key == key
        assert path.name in err.message("zh") or key == "raster.unknown_kind"
    assert "整数" in _refusal(store, cases["raster.needs_integer"][0], "landcover").message("zh")
    assert _refusal(store, _file(tmp_path), day=dt.date(2099, 1, 1)).key == "raster.future_date"
    assert _refusal(store, tmp_path / "missing.tif").key == "file.unreadable"


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_the_same_bytes_are_registered_once(store, tmp_path):
    first = add_raster(store, _file(tmp_path), "ndvi", DAY, actor=ADMIN)
    with pytest.raises(UserError) as err:
        add_raster(store, _file(tmp_path, name="copy.tif"), "ndvi", dt.date(2025, 8, 20), actor=ADMIN)
    assert err.value.key == "raster.duplicate" and f"编号 {first.id}" in err.value.message("zh")


@GPKG_ONLY
def test_the_catalog_is_append_only(store, tmp_path):
    add_raster(store, _file(tmp_path), "ndvi", DAY, actor=ADMIN)
    with pytest.raises(sqlite3.IntegrityError):
        store._conn.execute("DELETE FROM xzsdg_rasters")
    with pytest.raises(sqlite3.IntegrityError):
        store._conn.execute("UPDATE xzsdg_rasters SET kind = 'water'")


@GPKG_ONLY
def test_an_older_store_gains_the_catalog_when_opened(tmp_path, empty_store):
    path = empty_store.location
    empty_store.close()
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE xzsdg_rasters; DROP TABLE xzsdg_observations; DROP TRIGGER xzsdg_files_fill_only;"
        " ALTER TABLE xzsdg_files DROP COLUMN kept;"
        " DROP INDEX xzsdg_users_name_key; ALTER TABLE xzsdg_users DROP COLUMN name_key;"
        " ALTER TABLE xzsdg_users DROP COLUMN must_change_password; DROP TABLE xzsdg_login_clients;"
        " UPDATE xzsdg_meta SET value = '3' WHERE key = 'schema_version';"
    )
    conn.close()
    store = open_store(path)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.rasters() == []
    finally:
        store.close()
