"""The GeoPackage store: versions kept, all-or-nothing writes, clear refusals, and a file QGIS reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyogrio
import pytest
import shapely
from shapely.geometry import Point, box

from xzsdg_geo.dates import start_of_day_utc
from xzsdg_geo.errors import UserError
from xzsdg_geo.store import NewFeature, Store, create_store, gpkg, open_store

T1, T2, T3 = (start_of_day_utc(dt.date(y, 1, 1)) for y in (2020, 2021, 2022))
SMALL, LARGE = box(117.0, 34.0, 117.01, 34.01), box(117.0, 34.0, 117.02, 34.02)


def quarry(quarry_id: str, geom: shapely.Geometry = SMALL, status: str = "untreated") -> NewFeature:
    props = {"quarry_id": quarry_id, "name": f"宕口{quarry_id}", "hazard_type": "collapse", "status": status}
    return NewFeature(quarry_id, geom, props)


def write(store: Store, features: list[NewFeature], when: str, **kwargs):
    return store.write_features("quarries", features, by="tester", source="test", valid_from=when, **kwargs)


def instant(stamp: str) -> dt.datetime:
    """A store timestamp as the aware instant record-time reads take."""
    return dt.datetime.fromisoformat(stamp)


def ids(store: Store, at: str | None = None) -> list[str]:
    return store.features("quarries", known_at=None if at is None else instant(at))["feature_id"].tolist()


def test_an_update_adds_a_version_and_keeps_the_old_one(empty_store):
    write(empty_store, [quarry("Q1")], T1)
    result = write(empty_store, [quarry("Q1", LARGE, status="treated")], T2)
    assert result.updated == ["Q1"]

    history = empty_store.history("quarries", "Q1")
    assert history["version"].tolist() == [1, 2]
    assert history["valid_from"].tolist() == [T1, T2]
    assert history["valid_to"].tolist()[0] == T2 and history["valid_to"].isna().tolist() == [False, True]
    assert history.geometry.iloc[0].equals(SMALL)
    assert history["recorded_by"].tolist() == ["tester", "tester"]

    then, now = empty_store.features("quarries", known_at=instant(T1)), empty_store.features("quarries")
    assert then.geometry.iloc[0].equals(SMALL) and then["status"].tolist() == ["untreated"]
    assert now.geometry.iloc[0].equals(LARGE) and now["status"].tolist() == ["treated"]
    assert now["version"].tolist() == [2]
    assert empty_store.features("quarries", known_at=instant(start_of_day_utc(dt.date(2019, 1, 1)))).empty


def test_an_unchanged_feature_gets_no_new_version(empty_store):
    write(empty_store, [quarry("Q1")], T1)
    assert write(empty_store, [quarry("Q1")], T2).unchanged == ["Q1"]
    assert empty_store.history("quarries", "Q1")["version"].tolist() == [1]


def test_replace_all_retires_the_ids_not_given(empty_store):
    write(empty_store, [quarry("Q1"), quarry("Q2"), quarry("Q3")], T1)
    result = write(empty_store, [quarry("Q1"), quarry("Q2", LARGE)], T2, replace_all=True)
    assert (result.retired, result.updated, result.unchanged) == (["Q3"], ["Q2"], ["Q1"])
    assert ids(empty_store) == ["Q1", "Q2"]
    assert ids(empty_store, at=T1) == ["Q1", "Q2", "Q3"]
    assert empty_store.history("quarries", "Q3")["valid_to"].tolist() == [T2]


def test_a_batch_with_duplicate_ids_is_refused_whole(empty_store):
    write(empty_store, [quarry("Q1")], T1)
    with pytest.raises(UserError) as err:
        write(empty_store, [quarry("Q2"), quarry("Q3"), quarry("Q2", LARGE)], T2)
    assert err.value.key == "store.duplicate_ids" and "Q2" in err.value.message("zh")
    assert ids(empty_store) == ["Q1"]


def test_backdating_before_the_current_version_is_refused(empty_store):
    write(empty_store, [quarry("Q1")], T2)
    with pytest.raises(UserError) as err:
        write(empty_store, [quarry("Q1", LARGE)], T1)
    assert err.value.key == "store.backdated"
    assert empty_store.history("quarries", "Q1")["version"].tolist() == [1]


def test_an_error_inside_a_transaction_leaves_the_store_as_it_was(empty_store):
    write(empty_store, [quarry("Q1")], T1)
    with pytest.raises(RuntimeError), empty_store.transaction():
        write(empty_store, [quarry("Q2")], T2)
        with empty_store.transaction():  # nested: rolls back with the outer one
            write(empty_store, [quarry("Q1", LARGE)], T3)
        raise RuntimeError("something failed after the writes")
    assert ids(empty_store) == ["Q1"]
    assert empty_store.history("quarries", "Q1")["version"].tolist() == [1]
    assert empty_store.history("quarries", "Q1")["valid_to"].isna().all()

    with empty_store.transaction():  # the store still takes writes afterwards
        write(empty_store, [quarry("Q2")], T2)
    assert ids(empty_store) == ["Q1", "Q2"]


def test_writes_survive_closing_and_reopening(tmp_path: Path):
    path = tmp_path / "s.gpkg"
    store = create_store(str(path))
    write(store, [quarry("Q1"), quarry("Q2", Point(117.1, 34.1))], T1)
    store.close()
    store = open_store(str(path))
    try:
        frame = store.features("quarries")
        assert frame["feature_id"].tolist() == ["Q1", "Q2"]
        assert frame.crs.to_epsg() == 4490
        assert frame.geometry.iloc[1].equals(Point(117.1, 34.1))
    finally:
        store.close()


def test_creating_over_an_existing_file_is_refused(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("keep me", encoding="utf-8")
    with pytest.raises(UserError) as err:
        create_store(str(path))
    assert err.value.key == "store.exists"
    assert path.read_text(encoding="utf-8") == "keep me"


def _nothing(path: Path) -> None:
    pass


def _text(path: Path) -> None:
    path.write_text("这不是数据库\n", encoding="utf-8")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("make", "key"),
    [(_nothing, "store.missing"), (Path.mkdir, "store.is_directory"), (_text, "store.unreadable"),
     (_empty, "store.unreadable")],
    ids=["missing", "directory", "text-file", "empty-file"],
)  # fmt: skip
def test_opening_what_is_not_a_store_gives_a_clear_error(tmp_path: Path, make, key):
    path = tmp_path / "store.gpkg"
    make(path)
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(UserError) as err:
        open_store(str(path))
    assert err.value.key == key and str(path) in err.value.message("zh")
    assert (path.read_bytes() if path.is_file() else None) == before


def test_a_geopackage_that_is_not_ours_is_refused(tmp_path: Path):
    import geopandas as gpd

    path = tmp_path / "other.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(117, 34)], crs="EPSG:4326").to_file(path, layer="x")
    with pytest.raises(UserError) as err:
        open_store(str(path))
    assert err.value.key == "store.unreadable"


def test_gis_software_opens_the_file(tmp_path: Path):
    """GDAL (what QGIS uses) lists the layers and reads the ``*_current`` views."""
    path = tmp_path / "s.gpkg"
    store = create_store(str(path))
    write(store, [quarry("Q1"), quarry("Q2")], T1)
    write(store, [quarry("Q1", LARGE, status="treated")], T2)
    store.close()

    layers = {str(name): str(kind) for name, kind in pyogrio.list_layers(path)}
    for layer in ("districts", "subsidence_zones", "restoration_parcels", "quarries"):
        assert layer in layers and f"{layer}_current" in layers
    assert layers["restoration_parcels_current"] == "MultiPolygon"

    current = pyogrio.read_dataframe(path, layer="quarries_current").sort_values("feature_id")
    assert current["feature_id"].tolist() == ["Q1", "Q2"]
    assert current["version"].tolist() == [2, 1]
    assert current["status"].tolist() == ["treated", "untreated"]
    assert current.crs.to_epsg() == 4490
    assert shapely.equals(current.geometry.iloc[0], LARGE)
    assert len(pyogrio.read_dataframe(path, layer="quarries")) == 3


def test_the_sample_store_opens_in_gis_software(sample_store_file: Path):
    districts = pyogrio.read_dataframe(sample_store_file, layer="districts_current")
    assert len(districts) == 10 and "鼓楼区" in districts["name"].tolist()
    parcels = pyogrio.read_dataframe(sample_store_file, layer="restoration_parcels_current", max_features=5)
    assert parcels.geometry.geom_type.eq("MultiPolygon").all() and parcels.crs.to_epsg() == 4490


def test_a_writer_that_waits_too_long_is_told_the_store_is_busy(tmp_path, monkeypatch):
    monkeypatch.setattr(gpkg, "BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "busy.gpkg"
    create_store(str(path)).close()
    holder, waiter = open_store(str(path)), open_store(str(path))
    try:
        with holder.transaction(), pytest.raises(UserError) as err:  # another writer holds the lock
            waiter.add_user("x", "admin", None, "hash")
        assert err.value.key == "store.busy" and "秒" in err.value.message("zh")
        assert waiter.users() == []
    finally:
        holder.close()
        waiter.close()
