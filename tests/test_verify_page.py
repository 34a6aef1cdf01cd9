"""遥感核查 (xzsdg_geo/ui/verify_page.py, xzsdg_geo/verify_map.py) on the sample store and its rasters."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from xzsdg_geo.rasters.sample import planted_faults
from xzsdg_geo.store import open_store
from xzsdg_geo.verify_map import VERDICT_COLORS, ndvi_overlay

PAGE = """
from xzsdg_geo.ui import verify_page
verify_page.render()
"""


def test_the_ndvi_picture_covers_the_image(sample_store_file: Path) -> None:
    store = open_store(str(sample_store_file))
    try:
        image = ndvi_overlay(store)
        latest = max(store.rasters("ndvi"), key=lambda e: e.acquired_on)
        parcels = store.features("restoration_parcels")
    finally:
        store.close()
    assert image.data_url.startswith("data:image/png;base64,")
    assert image.bounds == (latest.west, latest.south, latest.east, latest.north)
    assert image.acquired_on == latest.acquired_on  # the latest image, not the one before the works
    assert planted_faults(parcels)  # the sample plants faults for the page to find


def test_the_page_shows_the_planted_faults_as_contradicted(store_path: Path) -> None:
    at = AppTest.from_string(PAGE, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    store = open_store(str(store_path))
    try:
        parcels = store.features("restoration_parcels")
    finally:
        store.close()
    faults = {fid for fid, kind in planted_faults(parcels).items() if kind in ("not_green", "dry")}
    shown = set(at.table[1].value.iloc[:, 0])
    assert faults <= shown
    rates = at.table[0].value
    assert list(rates.columns) == ["行政区", "申报治理率", "遥感核实比例", "与影像不符地块"]
    (component,) = [e for e in at.main if getattr(e, "type", None) == "component_instance"]
    args = json.loads(component.proto.json_args)
    assert "L.imageOverlay(" in args["feature_group"] and "data:image/png;base64," in args["feature_group"]
    assert VERDICT_COLORS["contradicted"] in args["feature_group"]
