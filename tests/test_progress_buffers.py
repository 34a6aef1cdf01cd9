"""Buffer projects: stages over time, on-time status against the straight-line schedule, the 2027
target, the plan's four in the sample, and bad input refused at import."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
from shapely.geometry import box
from test_progress_support import CORE, EAST, geodesic_ha, put, with_districts

from xzsdg_geo.cli import main
from xzsdg_geo.progress.buffers import assess, buffer_progress
from xzsdg_geo.sample import BUFFER_PROJECTS, build
from xzsdg_geo.when import When, end_of_day

T0 = dt.date(2024, 1, 1)
DAY = dt.date(2026, 6, 30)
DUE = "2027-12-31"
AREA = box(117.2, 34.02, 117.23, 34.05)


def project(fid: str, **props) -> tuple[str, object, dict]:
    base = {"project_id": fid, "name": f"缓冲区{fid}", "stage": "building", "due_on": DUE}
    return fid, AREA, base | props


def timeliness(store, day=DAY) -> dict[str, str]:
    return {p.feature_id: p.timeliness for p in assess(store, When(day))}


@pytest.fixture
def projects(empty_store):
    store = with_districts(empty_store)
    put(store, "buffer_projects", [
        project("ontime", stage="finished", percent_complete=100.0, finished_on="2026-03-01"),
        project("late", stage="finished", due_on="2025-12-31", finished_on="2026-02-01"),
        project("ahead", percent_complete=80.0, started_on="2024-01-01"),
        project("behind", percent_complete=40.0, started_on="2024-01-01"),
        project("overdue", percent_complete=90.0, started_on="2024-01-01", due_on="2026-05-31"),
        project("undue", stage="approved"),
        project("nodue", due_on=None),
    ], T0)  # fmt: skip
    return store


def test_expected_share_is_a_straight_line_from_start_to_due(projects):
    expected = 100 * (DAY - T0).days / (dt.date(2027, 12, 31) - T0).days  # 0.627...
    items = {p.feature_id: p for p in assess(projects, When(DAY))}
    assert items["ahead"].expected_pct == pytest.approx(expected)
    assert items["undue"].expected_pct == pytest.approx(expected)  # no start: the plan's base day
    assert items["ontime"].expected_pct is None


def test_on_time_status(projects):
    assert timeliness(projects) == {
        "ontime": "on_time",
        "late": "late",
        "ahead": "on_track",  # 80 % against 62.7 % scheduled
        "behind": "at_risk",  # 40 % against 62.7 %, more than 10 points behind
        "overdue": "overdue",
        "undue": "at_risk",  # approved only, 0 % done
        "nodue": "no_due_date",
    }


def test_a_stage_counts_from_its_date(projects):
    before = {p.feature_id: p.stage for p in assess(projects, When(dt.date(2026, 2, 28)))}
    assert before["ontime"] == "building" and before["late"] == "finished"
    assert timeliness(projects, dt.date(2026, 1, 15))["late"] == "overdue"
    after = buffer_progress(projects, When(DAY)).city
    assert (after.finished, after.building, after.approved) == (2, 4, 1)


def test_finished_without_date_is_not_counted_but_reported(empty_store):
    store = with_districts(empty_store)
    put(store, "buffer_projects", [project("A", stage="finished")], T0)
    city = buffer_progress(store, When(DAY)).city
    assert (city.finished, city.building, city.undated) == (0, 1, 1)


def test_progress_recorded_over_time(empty_store):
    store = with_districts(empty_store)
    put(store, "buffer_projects", [project("A", stage="approved", percent_complete=0.0)], T0)
    put(
        store,
        "buffer_projects",
        [project("A", percent_complete=55.0, started_on="2024-06-01")],
        dt.date(2025, 3, 1),
    )
    done = project(
        "A", stage="finished", percent_complete=100.0, started_on="2024-06-01", finished_on="2027-09-30"
    )
    put(store, "buffer_projects", [done], dt.date(2027, 9, 30))
    days = [dt.date.fromisoformat(d) for d in ("2024-12-31", "2025-03-01", "2027-09-30")]

    def stages(known_at):
        return [(p.stage, p.percent_complete) for d in days for p in assess(store, When(d, known_at(d)))]

    # as recorded on each day: what the field team reported then
    assert stages(end_of_day) == [("approved", 0.0), ("building", 55.0), ("finished", 100.0)]
    # as known now: building since 2024-06-01, finished 2027-09-30; the percent of a past day is unknown
    assert stages(lambda d: None) == [("building", None), ("building", None), ("finished", 100.0)]


def test_target_counts_projects_due_by_the_target_year(projects):
    target = buffer_progress(projects, When(DAY)).target
    assert (target.target_year, target.due, target.finished, target.remaining, target.met) == (
        2027,
        6,
        2,
        4,
        False,
    )


def test_rows_per_district_and_areas(empty_store):
    store = with_districts(empty_store)
    west = box(117.02, 34.02, 117.05, 34.05)
    put(store, "buffer_projects", [("W", west, project("W")[2]), project("E")], T0)
    report = buffer_progress(store, When(DAY))
    rows = {d.adcode: d.totals for d in report.districts}
    assert (rows[CORE[0]].count, rows[EAST[0]].count) == (1, 1)
    assert rows[CORE[0]].area_ha == pytest.approx(geodesic_ha(west), rel=1e-5)
    assert report.city.area_ha == pytest.approx(geodesic_ha(west) + geodesic_ha(AREA), rel=1e-5)


def test_sample_carries_the_plans_four_due_2027():
    frame = build().layers["buffer_projects"].set_index("project_id")
    plans_four = {
        "BP-01": "丰县南四湖入湖河流复新河下游欢西片区生态安全缓冲区",
        "BP-02": "睢宁县开发区污水处理厂生态安全缓冲区",
        "BP-03": "铜山区郑集镇生态安全缓冲区",
        "BP-04": "贾汪区大洞山“生态岛”",
    }
    for pid, name in plans_four.items():
        assert frame.loc[pid, "name"] == name
        assert frame.loc[pid, "due_on"] == dt.date(2027, 12, 31)
    assert len(BUFFER_PROJECTS) > 4


def test_sample_store_projects_each_in_their_county(sample_store):
    report = buffer_progress(sample_store, When(DAY))
    assert report.outside_districts == 0
    held = {p.feature_id: p.district for p in report.items}
    assert held["BP-01"] == "丰县" and held["BP-02"] == "睢宁县" and held["BP-04"] == "贾汪区"


def test_import_refuses_a_bad_stage_and_a_bad_date_in_chinese(sample_store, tmp_path, capsys):
    path = tmp_path / "buffers.gpkg"
    props = {"项目编号": ["B-1"], "项目名称": ["某缓冲区"], "建设阶段": ["规划中"], "计划完成日期": ["明年"]}
    gpd.GeoDataFrame(props, geometry=[AREA], crs=4326).to_file(path, driver="GPKG")
    assert main(["import", str(path), "--layer", "buffer_projects", "--store", sample_store.location]) == 2
    err = capsys.readouterr().err
    assert "阶段" in err and "规划中" in err and "立项、在建、完工" in err
    assert "计划完成日期" in err and "明年" in err
