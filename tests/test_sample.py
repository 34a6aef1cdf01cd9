"""The bundled sample data: the plan's 2024 figure, its named projects, and the same bytes every time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import shapely

from xzsdg_geo import sample
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.store import open_store
from xzsdg_geo.when import When

NO_ZONES = {"320324": "睢宁县", "320381": "新沂市"}
PLAN_BUFFER_PROJECTS = [
    ("丰县", "复新河", "欢西片区"),
    ("睢宁县开发区污水处理厂",),
    ("铜山区郑集镇",),
    ("贾汪区大洞山",),
]


@pytest.fixture(scope="module")
def built() -> sample.SampleData:
    return sample.build()


@pytest.fixture(scope="module")
def report_2024(sample_store_file: Path):
    store = open_store(str(sample_store_file))
    try:
        return compute_rates(store, When(dt.date(2024, 12, 31)))
    finally:
        store.close()


def test_build_gives_the_same_data_every_time(built):
    again = sample.build()
    assert list(again.layers) == list(built.layers)
    for name, frame in built.layers.items():
        other = again.layers[name]
        pd.testing.assert_frame_equal(
            pd.DataFrame(frame.drop(columns="geometry")), pd.DataFrame(other.drop(columns="geometry"))
        )
        assert (
            shapely.to_wkb(frame.geometry.to_numpy()).tolist()
            == shapely.to_wkb(other.geometry.to_numpy()).tolist()
        ), name


def test_city_rate_2024_is_the_plans_figure(report_2024):
    assert report_2024.city.rate_pct == pytest.approx(75.2, abs=0.5)
    assert report_2024.target_pct == 75.2


def test_restored_never_exceeds_zone_even_when_fully_restored(report_2024):
    """云龙区's one small zone is fully restored in grid pieces cut along its edges."""
    assert all(d.restored_ha <= d.zone_ha for d in report_2024.districts)
    assert any(d.rate_pct == 100.0 for d in report_2024.districts)


def test_districts_on_both_sides_of_the_2024_target(report_2024):
    with_zones = [d for d in report_2024.districts if d.rate_pct is not None]
    assert any(d.on_track for d in with_zones) and not all(d.on_track for d in with_zones)
    assert any(d.rate_pct < 75.2 for d in with_zones) and any(d.rate_pct > 75.2 for d in with_zones)


def test_no_zones_in_suining_and_xinyi(report_2024, built):
    rows = {d.adcode: d for d in report_2024.districts}
    for adcode, name in NO_ZONES.items():
        assert rows[adcode].name == name
        assert rows[adcode].zone_ha == 0.0 and rows[adcode].rate_pct is None
    districts = sample.load_districts().set_index("adcode")
    zones = shapely.union_all(built.layers["subsidence_zones"].geometry.to_numpy())
    for adcode in NO_ZONES:
        assert shapely.intersection(districts.geometry[adcode], zones).area == 0.0


def test_layer_sizes(built):
    assert len(built.layers["river_segments"]) == 125
    assert 60 <= len(built.layers["quarries"]) <= 100
    assert built.layers["river_segments"]["segment_id"].is_unique


def test_the_plans_four_buffer_projects_are_there(built):
    names = built.layers["buffer_projects"]["name"].tolist()
    for words in PLAN_BUFFER_PROJECTS:
        assert any(all(w in name for w in words) for name in names), words


def test_the_store_holds_what_build_made(sample_store_file: Path, built):
    store = open_store(str(sample_store_file))
    try:
        for name, frame in built.layers.items():
            stored = store.features(name)
            id_field = frame.columns[0]
            assert sorted(stored["feature_id"]) == sorted(frame[id_field].astype(str)), name
    finally:
        store.close()
