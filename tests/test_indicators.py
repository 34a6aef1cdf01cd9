"""The indicator tracker on real stores: definitions, statuses, entered actuals with history, the two
indicators measured from the maps, and who may enter what."""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3

import pytest

from xzsdg_geo.errors import UserError
from xzsdg_geo.indicators import Kind, Source, Status, history, indicators, judge, set_actual, tracker
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.when import When

TODAY = dt.date(2026, 6, 30)  # the tracker's "today" in these tests: 2026 under way, 2027 to come
PM25, AIR, CO2, WATER, RESTORATION, FOREST = 18, 16, 14, 17, 20, 19


def row(tr, no):
    return next(r for r in tr.rows if r.indicator.no == no)


# -- definitions --------------------------------------------------------------------------------
def test_the_plan_annex_is_read_whole():
    table = indicators()
    assert list(table) == list(range(1, 41))
    pm = table[PM25]
    assert (pm.unit, pm.baseline_year, pm.baseline, pm.sdg) == ("微克/立方米", 2024, 43.0, "SDG11")
    assert pm.kind is Kind.TARGET_MAX and pm.lower_is_better
    assert pm.targets == {2025: 39.0, 2026: 39.0, 2027: 39.0}
    assert table[1].baseline is None  # printed as "—" in the plan
    assert {n for n, i in table.items() if i.kind is Kind.MONITOR} == {14, 15, 23}


def test_a_year_without_its_own_target_keeps_the_last_one():
    water = indicators()[WATER]  # 2026 and 2027 are "完成省定任务"
    assert water.kind is Kind.PROVINCIAL
    assert water.target_for(2025) == (93.3, 2025)
    assert water.target_for(2027) == (93.3, 2025)
    assert water.target_for(2024) == (None, None)
    assert indicators()[CO2].target_for(2026) == (None, None)


@pytest.mark.parametrize(
    ("no", "value", "status"),
    [
        (AIR, 74.0, Status.BEHIND),  # higher is better, below the 75 % target
        (AIR, 75.0, Status.MET),  # rising to exactly the target meets it
        (AIR, 80.0, Status.MET),
        (PM25, 41.0, Status.BEHIND),  # lower is better: above the 39 µg/m³ ceiling
        (PM25, 39.0, Status.MET),
        (PM25, 35.5, Status.MET),  # falling below the ceiling
        (WATER, 90.0, Status.BEHIND),
        (CO2, 3.2, Status.NO_TARGET),  # monitored only
        (AIR, None, Status.NO_DATA),
        (PM25, None, Status.NO_DATA),
    ],
)
def test_status_against_the_2025_target(no, value, status):
    ind = indicators()[no]
    assert judge(ind, value, ind.target_for(2025)[0]) is status


# -- entering actuals ---------------------------------------------------------------------------
def test_rising_falling_and_missing_values_through_the_store(sample_store):
    admin = principal_of(sample_store, "admin")
    set_actual(sample_store, admin, AIR, 2025, 74.1, today=TODAY)  # rising, not there yet
    set_actual(sample_store, admin, PM25, 2025, 41.0, today=TODAY)  # falling, still above the ceiling
    before = tracker(sample_store, 2025, TODAY)
    assert row(before, AIR).status is Status.BEHIND and row(before, PM25).status is Status.BEHIND

    set_actual(sample_store, admin, AIR, 2025, 76.3, note="年度环境状况公报", today=TODAY)
    set_actual(sample_store, admin, PM25, 2025, 38.2, today=TODAY)
    after = tracker(sample_store, 2025, TODAY)
    air, pm = row(after, AIR), row(after, PM25)
    assert (air.value, air.status, air.reading.source) == (76.3, Status.MET, Source.ENTERED)
    assert air.reading.entry.note == "年度环境状况公报" and air.reading.entry.recorded_by == "admin"
    assert (pm.value, pm.status) == (38.2, Status.MET)
    assert row(after, 29).status is Status.NO_DATA  # nothing entered
    assert row(tracker(sample_store, 2026, TODAY), AIR).status is Status.NO_DATA  # per year

    versions = history(sample_store, AIR, 2025)
    assert [v.value for v in versions] == [74.1, 76.3]
    assert versions[0].valid_to == versions[1].valid_from and versions[1].valid_to is None
    at_first = sample_store.indicator_values(year=2025, at=versions[0].valid_from)
    assert [(v.no, v.value) for v in at_first] == [(AIR, 74.1)]

    logged = [e.detail for e in sample_store.audit() if e.action == "indicator_set"]
    assert logged[-2] == {"no": AIR, "year": 2025, "value": 76.3, "before": 74.1, "note": "年度环境状况公报"}


def test_the_same_value_again_writes_nothing(sample_store):
    admin = principal_of(sample_store, "admin")
    assert set_actual(sample_store, admin, AIR, 2025, 75.5, today=TODAY) is not None
    n_audit = len(sample_store.audit())
    assert set_actual(sample_store, admin, AIR, 2025, 75.5, today=TODAY) is None
    assert len(history(sample_store, AIR)) == 1 and len(sample_store.audit()) == n_audit


def test_the_base_year_shows_the_plan_figure_until_one_is_entered(sample_store):
    pm = row(tracker(sample_store, 2024, TODAY), PM25)
    assert (pm.value, pm.reading.source, pm.status) == (43.0, Source.PLAN, Status.NO_TARGET)
    set_actual(sample_store, principal_of(sample_store, "admin"), PM25, 2024, 42.6, today=TODAY)
    assert row(tracker(sample_store, 2024, TODAY), PM25).reading.source is Source.ENTERED


@pytest.mark.parametrize("user", ["field_team", "reviewer", "head_320322"])
def test_only_those_who_may_edit_targets_enter_actuals(sample_store, user):
    n_audit = len(sample_store.audit())
    with pytest.raises(UserError) as err:
        set_actual(sample_store, principal_of(sample_store, user), AIR, 2025, 80.0, today=TODAY)
    assert err.value.key == "auth.forbidden" and "修改目标值" in err.value.message("zh")
    assert sample_store.indicator_values() == [] and len(sample_store.audit()) == n_audit


@pytest.mark.parametrize(
    ("no", "year", "value", "key"),
    [
        (RESTORATION, 2025, 80.0, "indicators.computed"),  # measured from the layers
        (FOREST, 2025, 32.0, "indicators.computed"),  # to be measured from rasters
        (41, 2025, 1.0, "indicators.unknown"),
        (AIR, 2023, 70.0, "indicators.bad_year"),  # before the plan's base year
        (AIR, 2027, 70.0, "indicators.bad_year"),  # not yet over
        (AIR, 2025, math.nan, "indicators.bad_value"),
    ],
)
def test_entries_that_cannot_be_right_are_refused(sample_store, no, year, value, key):
    with pytest.raises(UserError) as err:
        set_actual(sample_store, principal_of(sample_store, "admin"), no, year, value, today=TODAY)
    assert err.value.key == key
    assert err.value.message("zh") != key and err.value.message("en") != key
    assert sample_store.indicator_values() == []


@pytest.mark.parametrize("backend", ["gpkg"], indirect=True)  # the file's own triggers, through SQLite
def test_recorded_values_cannot_be_deleted_or_rewritten(sample_store):
    set_actual(sample_store, principal_of(sample_store, "admin"), AIR, 2025, 75.5, today=TODAY)
    conn = sqlite3.connect(sample_store.location)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM xzsdg_indicator_values")
        with pytest.raises(sqlite3.DatabaseError, match="only be closed"):
            conn.execute("UPDATE xzsdg_indicator_values SET value = 99")
    finally:
        conn.close()


# -- measured from the maps ---------------------------------------------------------------------
def test_restoration_rate_comes_from_the_layers(sample_store):
    tr = tracker(sample_store, 2025, TODAY)
    rate = row(tr, RESTORATION)
    expected = compute_rates(sample_store, When(dt.date(2025, 12, 31))).city.rate_pct
    assert rate.reading.source is Source.COMPUTED and rate.reading.as_of == dt.date(2025, 12, 31)
    assert rate.value == pytest.approx(expected, abs=1e-9)
    assert rate.status is (Status.MET if expected >= 76.0 else Status.BEHIND)
    current = row(tracker(sample_store, 2026, TODAY), RESTORATION)
    assert current.reading.as_of == TODAY  # the year under way: as of today
    assert row(tracker(sample_store, 2027, TODAY), RESTORATION).status is Status.NO_DATA  # not begun


def test_forest_cover_has_no_data_until_a_raster_provider_exists(sample_store):
    assert row(tracker(sample_store, 2025, TODAY), FOREST).status is Status.NO_DATA
    base = row(tracker(sample_store, 2024, TODAY), FOREST)
    assert (base.value, base.reading.source) == (31.6, Source.PLAN)


def test_the_tracker_groups_by_sdg_in_goal_order(sample_store):
    groups = tracker(sample_store, 2025, TODAY).by_sdg()
    numbers = [int(g.removeprefix("SDG")) for g, _ in groups]
    assert numbers == sorted(numbers) and numbers[0] == 1 and numbers[-1] == 17
    assert sum(len(rows) for _, rows in groups) == 40
    assert [r.indicator.no for g, rows in groups if g == "SDG11" for r in rows] == [16, 18, 29]


# -- the command line ---------------------------------------------------------------------------
def test_cli_set_then_list(run, sample_store_file, tmp_path):
    store = tmp_path / "s.gpkg"
    store.write_bytes(sample_store_file.read_bytes())
    code, out, err = run(
        "indicators", "set", AIR, 2025, "76.5", "--as", "admin", "--note", "公报", "--store", store
    )
    assert code == 0, err
    assert "城市空气质量优良天数比例" in out and "76.5" in out

    code, out, err = run("indicators", "list", "--year", 2025, "--json", "--store", store)
    assert code == 0, err
    data = json.loads(out)
    air = next(i for i in data["indicators"] if i["no"] == AIR)
    assert (air["value"], air["status"], air["source"], air["note"]) == (76.5, "met", "entered", "公报")
    assert sum(data["counts"].values()) == 40

    code, out, _ = run("indicators", "list", "--year", 2025, "--store", store)
    assert code == 0 and "SDG11 可持续城市和社区" in out and "达标" in out


def test_cli_refuses_in_one_line(run, sample_store_file, tmp_path):
    store = tmp_path / "s.gpkg"
    store.write_bytes(sample_store_file.read_bytes())
    code, out, err = run("indicators", "set", AIR, 2025, "80", "--as", "field_team", "--store", store)
    assert code == 2 and out == "" and err.count("\n") == 1 and "无权操作" in err
    code, _, err = run("indicators", "set", AIR, 2025, "八十", "--as", "admin", "--store", store)
    assert code == 2 and "不是有效数字" in err
    code, _, err = run("indicators", "set", RESTORATION, 2025, "80", "--as", "admin", "--store", store)
    assert code == 2 and "不能手工填报" in err


@pytest.mark.parametrize("backend", ["gpkg"], indirect=True)
def test_forest_cover_comes_from_the_latest_land_cover_image_up_to_the_year(sample_store):
    from xzsdg_geo.indicators.tracker import tracker as board_for
    from xzsdg_geo.rasters.forest_cover import forest_cover

    row = next(r for r in board_for(sample_store, 2026).rows if r.indicator.no == 19)
    expected = forest_cover(sample_store, as_of=dt.date(2026, 12, 31)).city.forest_pct
    assert row.reading.source.value == "computed" and row.value == pytest.approx(expected)
    assert row.status.value == ("met" if expected >= row.target else "behind")
    before_any_image = next(r for r in board_for(sample_store, 2025).rows if r.indicator.no == 19)
    assert before_any_image.reading is None and before_any_image.status.value == "no_data"
