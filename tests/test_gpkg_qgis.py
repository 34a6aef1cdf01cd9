"""The store GeoPackage as a bureau hands it to QGIS users: GDAL's own validator accepts it, GDAL lists
only the layers (never accounts, sessions or upload bytes), the current views carry the plain layer
names and the tables are titled as history, each layer table has a working R-tree, and each layer has
a default style with Chinese aliases. A store made by the release before this one migrates."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
import pytest
import shapely
from system import require_tools, validate_gpkg

from xzsdg_geo.layers import all_layers, get_layer
from xzsdg_geo.services.setup import init_store
from xzsdg_geo.store import open_store
from xzsdg_geo.store.base import SCHEMA_VERSION, NewFeature

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS_RELEASE = "83e805b"  # schema version 4: no R-tree, no styles, TEXT times, no EPSG:4326 row
SECRETS = ("password_hash", "token_hash", "argon2")


def _registered(path: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return {
            r[0]: (r[1], r[2])
            for r in conn.execute("SELECT table_name, data_type, identifier FROM gpkg_contents")
        }


def test_the_store_passes_gdals_validator(sample_store_file):
    validate_gpkg(sample_store_file)


def test_gdal_lists_the_layers_and_nothing_internal(sample_store_file):
    listed = {name for name, _ in pyogrio.list_layers(sample_store_file)}
    layers = set(all_layers())
    assert listed == layers | {f"{n}_current" for n in layers} | {"layer_styles"}
    for name in listed - {"layer_styles"}:
        frame = pyogrio.read_dataframe(sample_store_file, layer=name, read_geometry=False)
        text = frame.astype(str).to_csv()
        assert not any(secret in text or secret in frame.columns for secret in SECRETS), name


def test_the_views_are_the_layers_and_the_tables_their_history(sample_store_file):
    registered = _registered(sample_store_file)
    for spec in all_layers().values():
        assert registered[f"{spec.name}_current"] == ("features", spec.title_zh)
        assert registered[spec.name] == ("features", f"{spec.title_zh}（历史版本）")
    assert registered["layer_styles"][0] == "attributes"


def test_times_are_datetime_columns(sample_store_file):
    with sqlite3.connect(sample_store_file) as conn:
        for name in all_layers():
            types = {r[1]: r[2] for r in conn.execute(f'PRAGMA table_info("{name}")')}
            assert types["valid_from"] == types["valid_to"] == "DATETIME", name
    frame = pyogrio.read_dataframe(sample_store_file, layer="districts_current", read_geometry=False)
    assert str(frame["valid_from"].dtype).startswith("datetime64")


@pytest.mark.parametrize("backend", ["gpkg"], indirect=True)  # PostGIS has its GiST index
def test_the_rtree_follows_every_write(sample_store):
    """Every stored version is in the index, and a new one is found by its box."""
    spec = get_layer("restoration_parcels")
    far = shapely.box(117.0, 34.2, 117.01, 34.21)
    props = {"parcel_id": "RT-1", "name": "索引", "status": "planned", "measure": "forest"}
    sample_store.write_features(spec.name, [NewFeature("RT-1", far, props)], by="admin", source="test")
    conn = sample_store._conn
    rows = conn.execute(
        f"SELECT t.fid, r.minx, r.maxx, r.miny, r.maxy, t.geom FROM {spec.name} t"
        f" LEFT JOIN rtree_{spec.name}_geom r ON r.id = t.fid"
    ).fetchall()
    assert rows and all(r[1] is not None for r in rows)
    hits = conn.execute(
        f"SELECT id FROM rtree_{spec.name}_geom WHERE maxx >= 117.0 AND minx <= 117.01"
        " AND maxy >= 34.2 AND miny <= 34.21"
    ).fetchall()
    stored = conn.execute(f"SELECT fid FROM {spec.name} WHERE parcel_id = 'RT-1'").fetchall()
    assert set(stored) <= set(hits)


def test_each_layer_opens_styled_with_chinese_aliases(sample_store_file):
    with sqlite3.connect(sample_store_file) as conn:
        styles = {r[0]: r[1:] for r in conn.execute(
            "SELECT f_table_name, styleQML, styleSLD, useAsDefault FROM layer_styles")}  # fmt: skip
    for spec in all_layers().values():
        for table in (spec.name, f"{spec.name}_current"):
            qml, sld, default = styles[table]
            assert default == 1
            root = ET.fromstring(qml.split("\n", 1)[1])
            aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
            assert {aliases[f.name] for f in spec.fields} == {f.label_zh for f in spec.fields}
            assert aliases["valid_from"] == "生效时间"
            ET.fromstring(sld.encode("utf-8"))
            if "colors" in spec.style:
                categories = {c.get("value"): c.get("label") for c in root.iter("category")}
                by = spec.field(spec.style["field"])
                assert {categories[code] for code in spec.style["colors"]} == {
                    by.value(code).zh for code in spec.style["colors"]
                }
    parcels = ET.fromstring(styles["restoration_parcels_current"][0].split("\n", 1)[1])
    colors = [p.get("v") for p in parcels.iter("prop") if p.get("k") == "color"]
    style = get_layer("restoration_parcels").style  # completed: the map's colour at its fill opacity
    rgb = [int(style["colors"]["completed"][i : i + 2], 16) for i in (1, 3, 5)]
    assert colors[2] == ",".join(map(str, [*rgb, round(style["fill_opacity"] * 255)]))


@pytest.fixture(scope="module")
def previous_release_store(tmp_path_factory) -> Path:
    """A sample store made by the previous release's own code (checked out from git)."""
    require_tools("git", "tar", package="git tar")
    folder = tmp_path_factory.mktemp("previous")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", PREVIOUS_RELEASE, "xzsdg_geo", "layers",
                              "config", "data"], capture_output=True)  # fmt: skip
    if archive.returncode != 0:
        pytest.skip(f"the previous release {PREVIOUS_RELEASE} is not in this checkout's git history")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    store = folder / "old.gpkg"
    made = subprocess.run(
        [sys.executable, "-m", "xzsdg_geo", "init", "--store", str(store), "--sample"],
        cwd=folder, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(folder)}, capture_output=True, text=True,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return store


def test_a_store_of_the_previous_release_migrates(previous_release_store, tmp_path):
    path = tmp_path / "old.gpkg"
    path.write_bytes(previous_release_store.read_bytes())
    with sqlite3.connect(path) as conn:
        had = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        old_layers = [name for name in all_layers() if name in had]  # layers added since gain tables
        before = {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in old_layers}
    store = open_store(str(path))
    try:
        assert store.schema_version() == SCHEMA_VERSION
        counts = {name: len(store.features(name)) for name in old_layers}
        assert all(counts.values())
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for name, n in before.items():
            assert conn.execute(f'SELECT COUNT(*) FROM "rtree_{name}_geom"').fetchone()[0] == n
    validate_gpkg(path)
    test_the_views_are_the_layers_and_the_tables_their_history(path)
    test_times_are_datetime_columns(path)


def test_a_fresh_init_store_passes_the_validator_too(tmp_path):
    path = tmp_path / "empty.gpkg"
    init_store(str(path), with_sample=False).close()
    validate_gpkg(path)


def test_both_backends_carry_a_default_style_per_layer_and_view(sample_store):
    rows = sample_store._conn.execute(
        "SELECT f_table_name, styleqml FROM layer_styles WHERE useasdefault AND f_geometry_column = 'geom'"
    ).fetchall()
    tables = {name for name, _ in rows}
    assert tables == {*all_layers(), *(f"{n}_current" for n in all_layers())}
    assert all("<renderer-v2" in str(qml) for _, qml in rows)
