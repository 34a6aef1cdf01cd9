"""The upload page's mapping step and template download, through ``AppTest`` on a sample store copy."""

from __future__ import annotations

import corpus as c
import pytest
from test_app_pages import _button, _check, _login, _run, _texts

LAYER = "restoration_parcels"
pytestmark = pytest.mark.usefixtures("store_path")


def _file() -> bytes:
    """Parcels in 睢宁县 (nothing counted there yet) whose columns no alias knows, and no IDs."""
    frame = (
        c.parcels(c.row_of_squares(3, (117.90, 33.95)))
        .rename(columns={"名称": "XMMC_2026", "状态": "JD", "治理方式": "LX"})
        .drop(columns=["编号"])
    )
    return c.shapefile_zip(frame.drop(columns=["LX"]))


def _box(at, field: str):
    """The mapping choice of a field (its key also names the file)."""
    return next(w for w in at.selectbox if w.key and w.key.startswith(f"up_map_{LAYER}_{field}_"))


def test_unknown_columns_are_mapped_on_the_page_and_the_file_then_passes():
    at = _check(_login("field_team"), "地块.zip", _file())
    assert _texts(at.error)[0] == "结论：不能提交，请修正上述错误后重新上传"
    [mapping] = [e for e in at.expander if e.label == "字段对应"]
    assert "XMMC_2026" in " ".join(_texts(mapping.info))
    assert _box(at, "parcel_id").value == "auto"
    _box(at, "name").set_value("col:XMMC_2026")
    _box(at, "status").set_value("col:JD")
    _box(at, "measure").set_value("const")
    _run(at)
    next(w for w in at.text_input if w.key.startswith(f"up_const_{LAYER}_measure_")).input("湿地")
    _run(at)
    _button(at, "检查文件").click()
    _run(at)
    assert _texts(at.success) == ["结论：可以提交"], [str(d.value) for d in at.dataframe]
    assert "要素 3 个" in at.markdown[1].value


def test_the_template_can_be_downloaded_from_the_page():
    at = _login("field_team")
    [template] = [e for e in at.expander if e.label == "上传模板"]
    assert template.radio[0].options == ["shp", "gpkg", "xlsx"]
    assert any(getattr(e, "proto", None) is not None and "下载模板" in str(e.proto) for e in at.main)
