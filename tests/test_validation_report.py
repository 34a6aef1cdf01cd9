"""validate_upload end to end: every format accepted when good, the report's JSON, the CLI."""

from __future__ import annotations

import json

import corpus as c
import numpy as np
import pytest
import shapely

from xzsdg_geo.cli import main
from xzsdg_geo.geo import GEOD
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.store import open_store
from xzsdg_geo.validation import VALIDATORS, validate_upload
from xzsdg_geo.validation.severity import BLOCKERS, WARNINGS

LAYER = "restoration_parcels"
COMPLETE = {"状态": ["已治理"] * 3, "治理方式": ["湿地"] * 3}


def _dxf(frame):
    return c.dxf([c.dxf_polyline(c.gk_ring(g)) for g in frame.geometry])


def _txt(frame):
    return c.survey_txt(
        [
            c.survey_parcel(g, f"P-{k + 1:03d}", n)
            for k, (g, n) in enumerate(zip(frame.geometry, frame["名称"], strict=True))
        ]
    )


GOOD_FILES = {
    "parcels.zip": lambda f: c.shapefile_zip(f.to_crs(c.ZONE39), encoding="GBK", cpg=False, folder="成果/"),
    "parcels.gpkg": lambda f: c.geopackage({"地块": f}),
    "parcels.geojson": c.geojson,
    "parcels.fgb": c.flatgeobuf,
    "parcels.kml": c.parcels_kml,
    "parcels.kmz": lambda f: c.zip_bytes({"doc.kml": c.parcels_kml(f)}),
}


@pytest.mark.parametrize("filename", list(GOOD_FILES))
def test_a_good_file_of_every_attributed_format_is_accepted(filename):
    frame = c.parcels()
    report = validate_upload(GOOD_FILES[filename](frame), filename, LAYER, ReadOptions())
    assert report.ok, [e.message() for e in report.errors]
    features = sorted(report.features, key=lambda f: f.feature_id)
    assert [f.feature_id for f in features] == ["P-001", "P-002", "P-003"]
    assert [f.name for f in features] == list(frame["名称"])
    assert all(
        f.properties["status"] == "completed" and f.properties["measure"] == "wetland" for f in features
    )
    expected = c.parcels().geometry.to_numpy()
    for f in features:
        assert f.area_ha == pytest.approx(4.0, rel=0.01)
        k = int(f.feature_id[-1]) - 1
        assert shapely.hausdorff_distance(f.geometry, expected[k]) < 1e-6  # lands where it is


@pytest.mark.parametrize(("filename", "build"), [("宗地图.dxf", _dxf), ("界址点.txt", _txt)])
def test_formats_without_attributes_are_placed_and_refused_only_for_missing_fields(filename, build):
    report = validate_upload(build(c.parcels()), filename, LAYER, ReadOptions())
    assert {e.code for e in report.errors} == {"missing_field"}
    assert [round(f.area_ha, 1) for f in report.features] == [4.0, 4.0, 4.0]


def test_reader_notes_become_warnings():
    squares = c.row_of_squares(2)
    labels = [c.dxf_text(*np.mean(c.gk_ring(g), axis=0), f"{k}号") for k, g in enumerate(squares)]
    data = c.dxf([*(c.dxf_polyline(c.gk_ring(g)) for g in squares), *labels])
    report = validate_upload(data, "宗地图.dxf", LAYER, ReadOptions(crs=c.ZONE39))
    assert "dxf_ignored" in [w.code for w in report.warnings]
    assert [f.name for f in report.features] == ["0号", "1号"]


def test_the_json_is_exactly_the_documented_shape():
    frame = c.parcels(n=2, **{"状态": ["已治理", "不知道"], "治理方式": ["湿地", "湿地"]})
    out = validate_upload(c.geojson(frame), "x.geojson", LAYER, ReadOptions()).to_dict("zh")
    assert list(out) == [
        "ok",
        "layer",
        "source_crs",
        "crs_inferred",
        "encoding",
        "features_read",
        "features",
        "errors",
        "warnings",
    ]
    assert out["ok"] is False and out["layer"] == LAYER and out["source_crs"] == "EPSG:4490"
    assert out["crs_inferred"] is False and out["encoding"] == "utf-8" and out["features_read"] == 2
    assert [list(f) for f in out["features"]] == [["index", "name", "area_ha", "issues"]] * 2
    assert out["features"][1]["issues"] == ["bad_enum"] and out["features"][0]["issues"] == []
    assert out["errors"] == [
        {
            "code": "bad_enum",
            "message": "字段“状态”的值“不知道”无法识别（可选：计划、在建、已完成）",
            "feature": 1,
        }
    ]
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out


def test_line_layers_report_lengths():
    lines = [
        shapely.LineString([(117.17, 34.27), (117.18, 34.27)]),
        shapely.LineString([(117.2, 34.3), (117.2, 34.31)]),
    ]
    frame = c.parcels(
        lines, **{"河湖名称": ["奎河", "奎河"], "河段名称": ["一段", "二段"], "建设状态": ["建设中"] * 2}
    )
    out = validate_upload(c.geojson(frame), "x.geojson", "river_segments", ReadOptions()).to_dict("en")
    assert out["ok"], out["errors"]
    assert [list(f) for f in out["features"]] == [["index", "name", "length_m", "issues"]] * 2
    assert out["features"][0]["length_m"] == pytest.approx(GEOD.inv(117.17, 34.27, 117.18, 34.27)[2])


def test_messages_come_in_both_languages():
    report = validate_upload(c.geojson(c.parcels(**{"状态": ["?"] * 3})), "x.geojson", LAYER, ReadOptions())
    zh, en = report.to_dict("zh")["errors"][0]["message"], report.to_dict("en")["errors"][0]["message"]
    assert "状态" in zh and "Status" in en and zh != en


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage",
        b"PK\x03\x04garbage",
        b"SQLite format 3\x00" + b"\0" * 200,
        b"fgb\x03fgb\x00junk",
        b"{",
        b'{"type": "FeatureCollection", "features": 7}',
        b"0\nSECTION\n2\nENTITIES\n0\nBOGUS\n",
        b"<kml>",
        "[地块坐标]\n1,2,3".encode("gbk"),
        bytes(range(256)) * 4,
    ],
)
def test_junk_is_refused_never_raised(data):
    report = validate_upload(data, "upload", LAYER, ReadOptions())
    assert not report.ok and report.errors and report.features == []
    assert report.errors[0].code in {"parse_failed", "empty", "crs_unknown"}


def test_an_unknown_layer_is_a_refusal_not_an_exception():
    report = validate_upload(c.geojson(c.parcels()), "x.geojson", "no_such_layer", ReadOptions())
    assert not report.ok and report.errors[0].code == "layer_unknown"


def test_every_finding_code_has_one_severity_and_a_message():
    from xzsdg_geo.i18n import catalog

    assert not BLOCKERS & WARNINGS
    keys = set(catalog("zh"))
    for code in BLOCKERS | WARNINGS:
        if code in {"parse_failed", "layer_choice"}:  # carry the reader's own message
            continue
        assert any(
            k == f"check.{code}" or k.startswith(f"check.{code}.") or k == f"attr.{code}" for k in keys
        ), code
    assert len({v.code for v in VALIDATORS}) == len(VALIDATORS)


def test_features_are_listed_in_file_order_with_repaired_lonlat_geometry():
    bowtie_free = c.row_of_squares(3)
    report = validate_upload(c.geojson(c.parcels(bowtie_free[::-1])), "x.geojson", LAYER, ReadOptions())
    assert [f.index for f in report.features] == [0, 1, 2]
    assert np.allclose(
        [f.geometry.bounds[0] for f in report.features], [g.bounds[0] for g in bowtie_free[::-1]]
    )


# -- the command line ------------------------------------------------------------------------------
def test_cli_exits_0_when_ok_and_prints_json(tmp_path, capsys):
    path = tmp_path / "parcels.zip"
    path.write_bytes(GOOD_FILES["parcels.zip"](c.parcels()))
    assert (
        main(["validate", str(path), "--layer", LAYER, "--json", "--store", str(tmp_path / "none.gpkg")]) == 2
    )
    capsys.readouterr()
    assert main(["validate", str(path), "--layer", LAYER, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["source_crs"] == c.ZONE39 and out["encoding"] == "gbk"


def test_cli_exits_1_when_refused_with_a_readable_chinese_report(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XZSDG_STORE", str(tmp_path / "absent.gpkg"))
    path = tmp_path / "parcels.zip"
    path.write_bytes(c.shapefile_zip(c.parcels().to_crs(c.CM117), prj=False))
    assert main(["validate", str(path), "--layer", LAYER]) == 1
    captured = capsys.readouterr()
    assert "EPSG:4548" in captured.out and "不能提交" in captured.out
    assert "未检查与已批准要素的重叠" in captured.err
    assert main(["validate", str(path), "--layer", LAYER, "--crs", "EPSG:4548"]) == 0
    assert "可以提交" in capsys.readouterr().out


def test_cli_never_shows_a_traceback_for_a_missing_file_or_layer(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.zip"), "--layer", LAYER]) == 2
    assert main(["validate", str(tmp_path), "--layer", "nope"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_cli_uses_the_given_store_for_overlaps(sample_store_file, tmp_path, capsys):
    store = open_store(str(sample_store_file))
    approved = store.features(LAYER).iloc[0]
    store.close()
    frame = c.parcels([approved.geometry], **{"编号": ["NEW-1"], "名称": ["新地块"], "状态": ["计划"]})
    path = tmp_path / "new.geojson"
    path.write_bytes(c.geojson(frame))
    assert main(["validate", str(path), "--layer", LAYER, "--json", "--store", str(sample_store_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [w["code"] for w in out["warnings"]] == ["overlap"]
    assert approved.feature_id in out["warnings"][0]["message"]
