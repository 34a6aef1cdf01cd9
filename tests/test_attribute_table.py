"""The attribute table (xzsdg_geo/attribute_table.py and its panel on 总览) on the sample store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from xzsdg_geo import attribute_table
from xzsdg_geo.layers import get_layer
from xzsdg_geo.store import open_store

PAGE = """
from xzsdg_geo.ui.pages import overview
overview.render()
"""


@pytest.fixture(scope="module")
def parcels(sample_store_file: Path):
    store = open_store(str(sample_store_file))
    try:
        return store.features("restoration_parcels")
    finally:
        store.close()


def test_rows_are_labelled_and_enum_values_named(parcels) -> None:
    rows = attribute_table.table(get_layer("restoration_parcels"), parcels)
    assert list(rows.columns[:3]) == ["编号", "名称", "状态"]
    assert set(rows["状态"]) <= {"计划", "在建", "已完成"}
    assert rows["投资(万元)"].dtype.kind == "f"  # numbers sort as numbers
    english = attribute_table.table(get_layer("restoration_parcels"), parcels, "en")
    assert "Parcel ID" in english.columns and set(english["Status"]) <= {
        "planned",
        "in progress",
        "completed",
    }


def test_the_filter_finds_by_id_and_by_named_value(parcels) -> None:
    rows = attribute_table.table(get_layer("restoration_parcels"), parcels)
    one = parcels["parcel_id"].iloc[5]
    assert rows[attribute_table.matches(rows, one.lower())]["编号"].tolist() == [one]
    completed = attribute_table.matches(rows, "已完成")
    assert completed.sum() == (parcels["status"] == "completed").sum()
    assert attribute_table.matches(rows, "").all()
    assert not attribute_table.matches(rows, "没有这样的地块").any()
    assert not attribute_table.matches(rows, ".*").any()  # literal text, not a pattern


def test_the_overview_table_filters_and_a_selection_outlines_the_feature(
    sample_store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parcels
) -> None:
    path = tmp_path / "app.gpkg"
    shutil.copy(sample_store_file, path)
    monkeypatch.setenv("XZSDG_STORE", str(path))
    monkeypatch.delenv("XZSDG_LANG", raising=False)
    at = AppTest.from_string(PAGE, default_timeout=90)
    at.run()
    assert not at.exception
    one = parcels["parcel_id"].iloc[7]
    at.text_input(key="maptools_table_filter").input(one).run()
    assert not at.exception
    (frame,) = [d for d in at.dataframe]
    assert frame.value["编号"].tolist() == [one]
    assert any("1 / " in c.value for c in at.caption)
    # a selected row (as the browser reports it) becomes an outline on the map, added to the same map
    at.session_state["maptools_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception
    (component,) = [e for e in at.main if getattr(e, "type", None) == "component_instance"]
    args = json.loads(component.proto.json_args)
    assert "xzHighlight(" in args["feature_group"]
