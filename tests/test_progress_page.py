"""进度 / Progress through ``AppTest``, on a copy of the sample store, against the services' figures.

The page is run on its own, as ``st.navigation`` runs it for a signed-in user; a district head is
the shell's ``st.session_state["district"]``, set here directly.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from xzsdg_geo.dates import today_cst
from xzsdg_geo.progress import compute_progress, priority_list
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.store import open_store
from xzsdg_geo.ui.pages.progress import projection
from xzsdg_geo.when import When

PAGE = """
from xzsdg_geo.ui.pages import progress
progress.render()
"""
GULOU = "320302"  # 鼓楼区: behind its target in the sample


@pytest.fixture(scope="module")
def store_path(sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy for the module: these tests only read it."""
    path = tmp_path_factory.mktemp("progress") / "app.gpkg"
    shutil.copy(sample_store_file, path)
    return path


@pytest.fixture(autouse=True)
def _store_env(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XZSDG_STORE", str(store_path))
    monkeypatch.delenv("XZSDG_LANG", raising=False)


@pytest.fixture(scope="module")
def figures(store_path: Path) -> dict:
    """What the services say today (the page's default year is this one)."""
    today = today_cst()
    store = open_store(str(store_path))
    try:
        return {
            "rates": compute_rates(store, When(today)),
            **{layer: compute_progress(store, layer, When(today)) for layer in
               ("quarries", "river_segments", "buffer_projects")},
            "priority": priority_list(store, When(today)),
        }  # fmt: skip
    finally:
        store.close()


def _run(at: AppTest | None = None, **state: object) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=90) if at is None else at
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _charts(at: AppTest) -> list[list[dict]]:
    """Each chart's data rows, layer by layer (Streamlit sends the data as Arrow beside the spec)."""
    charts = []
    for chart in at.get("vega_lite_chart"):
        data = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in chart.proto.datasets}
        layers = json.loads(chart.proto.spec)["layer"]
        charts.append([row for layer in layers for row in data.get(layer.get("data", {}).get("name"), [])])
    return charts


def _dates(rows: list[dict]) -> list[str]:
    return [r["date"].date().isoformat() for r in rows]


def test_the_city_against_its_target(figures: dict) -> None:
    at = _run()
    assert at.title[0].value == "治理进度"
    assert at.selectbox(key="progress_district_zh").value == "city"
    report = figures["rates"]
    assert _metric(at, "全市治理率") == f"{report.city.rate_pct:,.2f}%"
    assert _metric(at, f"{report.as_of.year} 年目标") == f"{report.target_pct:.1f}%"
    assert _metric(at, "距目标缺口") == f"{report.city.gap_ha:,.2f} 公顷"
    remaining = report.city.zone_ha - report.city.restored_ha
    assert _metric(at, "尚未治理") == f"{remaining:,.2f} 公顷"
    pace = sum(d.pace_ha_per_year for d in report.districts if d.pace_ha_per_year is not None)
    assert _metric(at, "近年年均治理") == f"{pace:,.2f} 公顷/年"


def test_the_bar_chart_has_every_district_with_zones_and_the_target_line(figures: dict) -> None:
    report = figures["rates"]
    rows, _trend = _charts(_run())
    charted = {r["district"]: r["rate"] for r in rows if "rate" in r}
    expected = {d.name: round(d.rate_pct, 2) for d in report.districts if d.rate_pct is not None}
    assert charted == expected
    assert {r["target"] for r in rows if "label" in r} == {report.target_pct}  # the dashed rule
    ranked = list(dict.fromkeys(r["district"] for r in rows if "rate" in r))  # bars, left to right
    assert ranked == sorted(ranked, key=lambda name: -expected[name])


def test_the_ranking_table(figures: dict) -> None:
    report = figures["rates"]
    table = _run().table[0].value
    assert list(table.columns[:4]) == ["排名", "行政区", "治理率", "目标"]
    with_zones = [d for d in report.districts if d.rate_pct is not None]
    best = max(with_zones, key=lambda d: d.rate_pct)
    assert table.iloc[0, 1] == best.name and table.iloc[0, 0] == 1
    assert list(table["排名"].dropna()) == list(range(1, len(with_zones) + 1))
    row = table[table["行政区"] == "鼓楼区"].iloc[0]
    gulou = next(d for d in report.districts if d.adcode == GULOU)
    assert row["尚未治理(公顷)"] == pytest.approx(gulou.zone_ha - gulou.restored_ha)


def test_the_trend_runs_from_the_first_year_and_is_projected_to_the_final_year(figures: dict) -> None:
    report = figures["rates"]
    _bars, rows = _charts(_run())
    actual = [r for r in rows if r["kind"] == "实际"]
    projected = [r for r in rows if r["kind"] == "按当前速度预测"]
    targets = [r for r in rows if r["kind"] == "目标"]
    assert _dates(actual)[0] == "2010-12-31"
    assert actual[-1]["rate"] == pytest.approx(report.city.rate_pct, abs=0.01)
    assert _dates(projected)[-1] == f"{report.final_year}-12-31"
    assert [r["rate"] for r in targets] == [75.2, 76.0, 77.0, 78.0]
    assert {r["series"] for r in actual} == {"全市"}


def test_projection_at_the_present_pace() -> None:
    start = dt.date(2026, 6, 30)
    points = projection(100.0, 70.0, 4.0, start, 2027)
    assert points[0] == (start, 70.0)
    assert points[1][0] == dt.date(2026, 12, 31)
    assert points[1][1] == pytest.approx(70.0 + 4.0 * 184 / 365.25)
    assert points[2][1] == pytest.approx(70.0 + 4.0 * 549 / 365.25)
    assert projection(100.0, 99.0, 50.0, start, 2027)[-1][1] == 100.0  # never past the whole zone
    assert projection(0.0, 0.0, 1.0, start, 2027) == []


def test_a_district_head_lands_on_their_district(figures: dict) -> None:
    at = _run(district=GULOU)
    assert at.selectbox(key="progress_district_zh").value == GULOU
    gulou = next(d for d in figures["rates"].districts if d.adcode == GULOU)
    assert _metric(at, "鼓楼区治理率") == f"{gulou.rate_pct:,.2f}%"
    assert _metric(at, "按此速度达到 78%") == (str(gulou.reaches_target_in) if gulou.reaches_target_in
                                               else "2027 年前无法达到")  # fmt: skip
    _bars, trend = _charts(at)
    assert {r["series"] for r in trend if r["kind"] == "实际"} == {"全市", "鼓楼区"}
    own = {layer: next(d.totals for d in figures[layer].districts if d.adcode == GULOU)
           for layer in ("quarries", "river_segments", "buffer_projects")}  # fmt: skip
    assert _metric(at, "已治理宕口（个）") == f"{own['quarries'].treated} / {own['quarries'].count}"
    rivers = own["river_segments"]
    assert _metric(at, "尚待验收（条/段）") == str(rivers.count - rivers.accepted)
    assert _metric(at, "已完工项目") == f"{own['buffer_projects'].finished} / {own['buffer_projects'].count}"
    waiting = [q for q in figures["priority"].items if q.adcode == GULOU]
    assert any(f"尚未治理 {len(waiting)} 个" in h.value for h in at.subheader)


def test_an_unknown_district_falls_back_to_the_city() -> None:
    at = _run(district="999999")
    assert at.selectbox(key="progress_district_zh").value == "city"


def test_a_past_year(figures: dict) -> None:
    at = _run()
    at.selectbox(key="progress_year").set_value(2024)
    _run(at)
    assert at.caption[0].value.endswith("2024-12-31")
    assert _metric(at, "2024 年目标") == "75.2%"
    bars, _trend = _charts(at)
    assert {r["target"] for r in bars if "label" in r} == {75.2}
    rate = float(_metric(at, "全市治理率").rstrip("%"))
    assert rate == pytest.approx(75.2, abs=0.5)


def test_the_other_goals_match_the_services(figures: dict) -> None:
    at = _run()
    q, r, b = figures["quarries"].city, figures["river_segments"], figures["buffer_projects"]
    assert _metric(at, "已治理宕口（个）") == f"{q.treated} / {q.count}"
    assert _metric(at, "已治理面积") == f"{q.treated_area_ha:,.2f} 公顷"
    target = r.target
    assert _metric(at, f"已建成幸福河湖（目标 {target.target_year} 年底）") == f"{r.city.accepted} / 125"
    assert _metric(at, "水质Ⅲ类及以上比例") == f"{r.city.good_water_pct:,.1f}%"
    assert _metric(at, "尚待验收（条/段）") == str(target.remaining)
    goal = b.target
    assert _metric(at, f"{goal.target_year} 年底前应完工项目已完工") == f"{goal.finished} / {goal.due}"
    tables = {tuple(tb.value.columns[:2]): tb.value for tb in at.table}
    priority = tables[("序号", "宕口")]
    assert len(priority) == min(10, figures["priority"].waiting)
    assert list(priority["宕口"]) == [x.name for x in figures["priority"].items[:10]]
    projects = tables[("项目名称", "行政区")]
    assert len(projects) == len(b.items)
    assert set(projects["按期情况"]) <= {
        "按期完工",
        "逾期完工",
        "进度正常",
        "进度滞后",
        "已逾期未完工",
        "无计划完成日期",
    }


def test_in_english() -> None:
    at = _run(lang="en")
    assert at.title[0].value == "Progress"
    assert list(at.table[0].value.columns[:2]) == ["Rank", "District"]
    assert any(m.label == "Rate: City" for m in at.metric)
