"""Upload templates: empty files whose columns map onto the layer, with value lists and the CRS,
that come back through the upload as the layer's features."""

from __future__ import annotations

import io

import corpus as c
import geopandas as gpd
import numpy as np
import pytest
import shapely
from openpyxl import load_workbook

from xzsdg_geo.attributes import match_columns
from xzsdg_geo.errors import UserError
from xzsdg_geo.layers import get_layer
from xzsdg_geo.readers import read_file
from xzsdg_geo.templates import template
from xzsdg_geo.validation import validate_upload

PARCELS = get_layer("restoration_parcels")


@pytest.mark.parametrize("layer", ["restoration_parcels", "river_segments", "quarries"])
@pytest.mark.parametrize(("fmt", "crs"), [("shp", None), ("gpkg", "EPSG:4527")])
def test_gis_templates_are_empty_layers_whose_every_column_maps(layer, fmt, crs):
    spec = get_layer(layer)
    export = template(spec, fmt, crs)
    assert export.filename.endswith(".zip" if fmt == "shp" else ".gpkg")
    [read] = read_file(export.data, export.filename)
    frame = gpd.read_file(io.BytesIO(export.data))
    assert len(read.frame) == 0 and frame.crs.to_epsg() == int((crs or "EPSG:4490").split(":")[1])
    columns = [col for col in read.frame.columns if col != "geometry"]
    assert set(match_columns(spec, columns)) == set(spec.field_names)


def _filled(data: bytes, geoms: list[shapely.Polygon]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    points, attributes = book["界址点"], book["地块属性"]
    for k, geom in enumerate(geoms):
        east, north = c.lonlat_to(c.ZONE39, *np.array(geom.exterior.coords).T)
        for i, (e, n) in enumerate(zip(east, north, strict=True)):
            points.append([f"T-{k}", f"J{i + 1}", round(float(n), 3), round(float(e), 3), 1])
        attributes.append([f"T-{k}", f"模板地块{k}", "已完成", "2026-09-30", "林地", 12.5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_xlsx_template_has_value_lists_and_comes_back_as_the_layer():
    export = template(PARCELS, "xlsx", "EPSG:4527")
    book = load_workbook(io.BytesIO(export.data))
    assert book.sheetnames == ["界址点", "地块属性", "说明"]
    header = [cell.value for cell in book["地块属性"][1]]
    assert header == [f.label_zh for f in PARCELS.fields]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in book["地块属性"].data_validations.dataValidation}
    assert lists == {"C2": '"计划,在建,已完成"', "E2": '"耕地复垦,湿地,林地,光伏,建设用地"'}
    assert "EPSG:4527" in " ".join(str(r[0].value) for r in book["说明"].iter_rows())
    geoms = c.row_of_squares(2)
    report = validate_upload(_filled(export.data, geoms), export.filename, "restoration_parcels")
    assert report.ok, [e.message() for e in report.errors]
    props = [f.properties for f in report.features]
    assert [p["parcel_id"] for p in props] == ["T-0", "T-1"] and props[0]["measure"] == "forest"
    assert props[1]["investment_wan"] == 12.5 and str(props[0]["completed_on"]) == "2026-09-30"
    for f, expected in zip(report.features, geoms, strict=True):
        assert shapely.hausdorff_distance(f.geometry, expected) < 1e-7


def test_bad_template_requests_are_one_clear_error():
    with pytest.raises(UserError) as err:
        template(get_layer("river_segments"), "xlsx")
    assert err.value.key == "template.xlsx_polygons"
    with pytest.raises(UserError) as err:
        template(PARCELS, "shp", "EPSG:999999")
    assert err.value.key == "template.bad_crs"


def test_the_template_command(run, tmp_path):
    code, _, err = run("template", "--layer", "restoration_parcels", "--format", "xlsx", "--out", tmp_path)
    assert code == 0, err
    [written] = tmp_path.glob("*.xlsx")
    assert written.name == "治理修复地块_上传模板.xlsx" and load_workbook(written).sheetnames[0] == "界址点"
    code, _, err = run("template", "--layer", "river_segments", "--format", "xlsx", "--out", tmp_path)
    assert code == 2 and "线图层" in err and "Traceback" not in err
