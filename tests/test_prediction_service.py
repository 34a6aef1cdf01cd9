"""Prediction, 稳沉 and observations on real stores (both backends), through the services and the CLI."""

from __future__ import annotations

import datetime as dt
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from xzsdg_geo.errors import UserError
from xzsdg_geo.geo import area_ha
from xzsdg_geo.prediction.stability import Verdict
from xzsdg_geo.services import prediction as svc
from xzsdg_geo.services.auth import Principal, Role
from xzsdg_geo.store.base import ObservationRow

ADMIN = Principal("admin", Role.ADMIN)
FIELD = Principal("field_team", Role.FIELD_TEAM)


def test_prediction_at_2027_adds_new_subsidence_to_the_denominator(sample_store):
    pred = svc.predict(sample_store, dt.date(2027, 12, 31), cell_m=20.0)
    assert {z.severity for z in pred.zones} == {"light", "moderate", "severe"}
    assert pred.comparison.new_ha > 0 and pred.comparison.overlap_ha > 0
    zone = pred.zone
    surveyed = shapely.union_all(sample_store.features("subsidence_zones").geometry.to_numpy())
    # independent: the new ground is the predicted zone outside every surveyed zone
    assert pred.comparison.new_ha == pytest.approx(
        float(area_ha(np.array([zone.difference(surveyed)]))[0]), rel=1e-6
    )
    effects = {e.adcode: e for e in svc.rate_consequence(sample_store, pred, 2027)}
    pei = effects["320322"]
    assert pei.new_ha == pytest.approx(pred.comparison.new_ha, rel=1e-3)  # all sample faces lie in 沛县
    assert pei.rate_with_new_pct == pytest.approx(100 * pei.restored_ha / (pei.zone_ha + pei.new_ha))
    assert pei.rate_with_new_pct < pei.rate_pct
    assert all(e.new_ha == 0 for code, e in effects.items() if code != "320322")


def test_later_dates_sink_more_and_planned_faces_only_after_they_start(sample_store):
    planned = ["GZM-09", "GZM-10", "GZM-11", "GZM-12"]
    before = svc.predict(sample_store, dt.date(2026, 12, 31), face_ids=planned, cell_m=20.0)
    assert before.max_mm == 0.0 and all(z.area_ha == 0 for z in before.zones)  # nothing extracted yet
    later = svc.predict(sample_store, dt.date(2030, 12, 31), face_ids=planned, cell_m=20.0)
    final = svc.predict(sample_store, None, face_ids=planned, cell_m=20.0)
    assert 0 < later.max_mm <= final.max_mm + 1e-6


def test_basin_raster_and_zone_file(sample_store, tmp_path):
    pred = svc.predict(sample_store, dt.date(2027, 12, 31), cell_m=25.0)
    svc.write_raster(pred, tmp_path / "b.tif")
    with rasterio.open(tmp_path / "b.tif") as ds:
        assert ds.crs.to_epsg() == 4527 and ds.res == (25.0, 25.0)
        assert float(ds.read(1).max()) == pytest.approx(pred.max_mm, rel=1e-6)
        assert ds.tags()["units"] == "mm"
    svc.write_zones(pred, tmp_path / "z.gpkg")
    import pyogrio

    zones = pyogrio.read_dataframe(tmp_path / "z.gpkg")
    assert list(zones["severity"]) == ["light", "moderate", "severe"]
    assert zones.crs.to_epsg() == 4490
    boundary = pyogrio.read_dataframe(tmp_path / "z.gpkg", layer="influence_boundary")
    assert boundary.geometry[0].contains(zones.geometry[0].buffer(-1e-4))  # 10 mm reaches beyond 0.3 m


def test_stability_finds_active_faces_moving_and_finished_ones_stable(sample_store):
    report = svc.stability(sample_store, dt.date(2026, 11, 1))
    by_face: dict[str, set] = {}
    faces = sample_store.features("monitoring_points").set_index("point_id")["face_id"]
    for p in report.points:
        by_face.setdefault(faces[p.point_id], set()).add(p.verdict)
    statuses = sample_store.features("working_faces").set_index("face_id")["status"]
    for face, verdicts in by_face.items():
        if statuses[face] == "finished":
            assert verdicts == {Verdict.STABLE}
        else:
            assert Verdict.MOVING in verdicts
    assert report.planned_on_unstable and report.restored_over_faces
    parcels = sample_store.features("restoration_parcels").set_index("parcel_id")
    assert set(parcels.loc[report.planned_on_unstable, "status"]) <= {"planned", "in_progress"}
    assert set(parcels.loc[report.restored_over_faces, "status"]) == {"completed"}


def test_fit_recovers_the_sample_parameters(sample_store):
    fit = svc.fit_face(sample_store, "GZM-05")
    assert fit.parameters.q == pytest.approx(0.90, rel=0.03)
    assert fit.parameters.tan_beta == pytest.approx(2.0, rel=0.03)
    assert fit.rmse_mm == pytest.approx(3.0, rel=0.15)  # the sample's noise
    with pytest.raises(UserError) as refused:
        svc.fit_face(sample_store, "GZM-10")
    assert "没有观测点" in refused.value.message()


def test_observations_recorded_with_history_and_checked_strictly(sample_store, tmp_path):
    good = tmp_path / "obs.csv"
    good.write_bytes(
        "点号,日期,累计下沉(mm)\nGZM-05-01,2026-11-20,12.5\nGZM-05-02,2026-11-20,30\n".encode("gbk")
    )
    assert svc.add_observations(sample_store, good, actor=ADMIN) == 2
    assert svc.add_observations(sample_store, good, actor=ADMIN) == 0  # nothing new
    stamp = sample_store.observations(["GZM-05-01"])[-1].valid_from
    good.write_text("点号,日期,累计下沉(mm)\nGZM-05-01,2026-11-20,14.0\n", encoding="utf-8")
    assert svc.add_observations(sample_store, good, actor=ADMIN) == 1
    now = [o for o in sample_store.observations(["GZM-05-01"]) if o.observed_on == "2026-11-20"]
    then = [o for o in sample_store.observations(["GZM-05-01"], at=stamp) if o.observed_on == "2026-11-20"]
    assert [o.subsidence_mm for o in now] == [14.0] and [o.subsidence_mm for o in then] == [12.5]
    before = len(sample_store.observations())
    for text, message in [
        ("点号,日期,累计下沉(mm)\nNOPE,2026-11-20,1\n", "不在观测点图层"),
        ("点号,日期,累计下沉(mm)\nGZM-05-01,2026-11-20T99:99,1\n", "第 2 行"),
        ("点号,日期,累计下沉(mm)\nGZM-05-01,2026-11-20,1,0\n", "第 2 行"),
        ("点号,日期\nGZM-05-01,2026-11-20\n", "缺少"),
    ]:
        bad = tmp_path / "bad.csv"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(UserError) as refused:
            svc.add_observations(sample_store, bad, actor=ADMIN)
        assert message in refused.value.message()
    with pytest.raises(UserError):
        svc.add_observations(sample_store, good, actor=FIELD)
    assert len(sample_store.observations()) == before


def test_the_database_refuses_to_rewrite_observations(sample_store):
    sample_store.record_observations([ObservationRow("GZM-05-01", "2026-12-01", 1.0)], by="t", source="t")
    for sql in ("DELETE FROM xzsdg_observations", "UPDATE xzsdg_observations SET subsidence_mm = 0"):
        with pytest.raises(Exception, match="observation"), sample_store.transaction():
            sample_store._conn.execute(sql)
    assert sample_store.observations(["GZM-05-01"])[-1].subsidence_mm == 1.0


def test_cli_predict_stability_fit(run, sample_store, tmp_path):
    loc = sample_store.location
    code, out, _ = run(
        "predict", "--store", loc, "--date", "2027-12-31", "--cell", "20", "--out", tmp_path / "b.tif"
    )
    assert code == 0 and "沛县：预计新增沉陷" in out and "2027 年治理率将由" in out
    code, out, _ = run("stability", "--store", loc, "--date", "2026-11-01")
    assert code == 0 and "仍在下沉" in out
    code, out, _ = run("fit-parameters", "--store", loc, "--face", "GZM-05", "--json")
    assert code == 0 and '"q"' in out
    code, _, err = run("predict", "--store", loc, "--out", tmp_path / "x.shp")
    assert code == 2 and ".tif" in err and "Traceback" not in err
    code, _, err = run("predict", "--store", loc, "--cell", "0.001")
    assert code == 2 and "1 到 500" in err


def test_grid_size_is_bounded(sample_store):
    with pytest.raises(UserError) as refused:
        svc.predict(sample_store, None, cell_m=1.0)
    assert "太大" in refused.value.message()


@pytest.mark.parametrize("backend", ["gpkg"], indirect=True)
def test_old_store_migrates_to_the_observation_table(sample_store):
    sample_store.close()
    conn = sqlite3.connect(sample_store.location)
    assert "xzsdg_observations" in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()


def test_upload_check_warns_about_parcels_on_unsettled_ground(sample_store):
    from xzsdg_geo.validation.run import validate_upload

    report = svc.stability(sample_store, dt.date.today())
    parcels = sample_store.features("restoration_parcels").set_index("parcel_id")
    planned = parcels.loc[report.planned_on_unstable[:1]]
    done = parcels.loc[report.restored_over_faces[:1]]
    frame = pd.concat([planned, done]).reset_index()[
        ["parcel_id", "name", "status", "measure", "completed_on", "geometry"]
    ]
    frame["parcel_id"] = ["NEW-1", "NEW-2"]  # new features on the same ground
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4490")
    data = frame.to_json().encode()
    result = validate_upload(data, "parcels.geojson", "restoration_parcels", store=sample_store)
    codes = {(w.code, w.feature) for w in result.warnings}
    assert ("unstable_ground", 0) in codes and ("over_active_faces", 1) in codes


@pytest.mark.parametrize("backend", ["gpkg"], indirect=True)
def test_the_report_has_the_prediction_section_as_recorded(run, sample_store, tmp_path):
    loc = sample_store.location
    code, _, err = run("report", "--store", loc, "--year", "2026", "--out", tmp_path / "now.html")
    assert code == 0, err
    text = (tmp_path / "now.html").read_text(encoding="utf-8")
    assert 'id="prediction"' in text and "采煤沉陷预测与稳沉" in text and "沛县" in text
    # the sample's faces entered the store on 2024-01-01: a report as recorded before has no such section
    code, _, err = run(
        "report",
        "--store",
        loc,
        "--year",
        "2023",
        "--as-recorded",
        "2023-06-30",
        "--out",
        tmp_path / "then.html",
    )
    assert code == 0, err
    assert 'id="prediction"' not in (tmp_path / "then.html").read_text(encoding="utf-8")
