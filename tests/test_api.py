"""The open-data API (``xzsdg serve-api``): pygeoapi run on real stores, read by real clients.

Each server runs in its own process on a free port, as a user would start it. GDAL's OAPIF
driver (what QGIS uses) and OWSLib must see exactly what the store's current views hold for the
public layers, and nothing else in the store may be reachable through any path pygeoapi exposes.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
from collections.abc import Iterator
from urllib.parse import unquote, urljoin, urlsplit

import numpy as np
import pandas as pd
import pyogrio
import pytest
import requests
import shapely
from conftest import BACKENDS, require_postgis
from owslib.ogcapi.features import Features

from xzsdg_geo.api.background import free_port, serving
from xzsdg_geo.api.resources import RATES_COLLECTION, STORAGE_CRS, public_layers
from xzsdg_geo.api.settings import api_settings
from xzsdg_geo.layers import get_layer
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.services.setup import init_store
from xzsdg_geo.store import NewFeature, open_store
from xzsdg_geo.when import When

PUBLIC = [spec.name for spec in public_layers()]
PRIVATE_TABLES = [
    *("xzsdg_users", "xzsdg_sessions", "xzsdg_audit", "xzsdg_uploads", "xzsdg_submissions"),
    *("xzsdg_imports", "xzsdg_files", "xzsdg_meta", "restoration_parcels_current", "gpkg_contents"),
]
ALLOWED_ORIGIN = "https://data.example.cn"


@pytest.fixture(scope="module", params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(API URL, store location) of a server on a copy of the sample store, per backend."""
    tmp = tmp_path_factory.mktemp(f"api-{request.param}")
    if request.param == "gpkg":
        location = str(tmp / "sample.gpkg")
        shutil.copy(request.getfixturevalue("sample_store_file"), location)
    else:
        require_postgis()
        postgis = request.getfixturevalue("postgis")
        location = postgis.copy_store(request.getfixturevalue("postgis_sample_template"))
    with serving(location, tmp / "work") as server:
        yield server.url, location
    if request.param == "postgis":
        postgis.drop(location)


def _published(location: str, layer: str) -> pd.DataFrame:
    """What the store's current view holds of a public layer's published rows, by id."""
    store = open_store(location)
    try:
        frame = store.features(layer)
    finally:
        store.close()
    for field, value in api_settings().published_rows.get(layer, {}).items():
        frame = frame[frame[field] == value]
    return frame.set_index("feature_id").sort_index()


def _same_value(served_value: object, stored: object) -> bool:
    if stored is None or (isinstance(stored, float) and np.isnan(stored)):
        return served_value is None or pd.isna(served_value)
    if isinstance(served_value, pd.Timestamp | dt.date):
        return pd.Timestamp(served_value).date().isoformat() == str(stored)[:10]
    if isinstance(stored, float):
        return abs(float(served_value) - stored) <= 1e-9 * max(1.0, abs(stored))
    return str(served_value) == str(stored)


def _same_geometry(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    """Same parts and coordinates to 1e-9 degrees (a single part may come back as a multi-part)."""
    ca, cb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    return ca.shape == cb.shape and float(np.abs(ca - cb).max(initial=0.0)) <= 1e-9


def _ids(url: str, collection: str, **params: object) -> list[str]:
    """Every id the items endpoint returns for ``params``, following its next links."""
    ids, href = [], f"{url}/collections/{collection}/items"
    query = {"f": "json", "limit": 1000, **params}
    while href:
        page = requests.get(href, params=query, timeout=60)
        assert page.status_code == 200, page.text
        body = page.json()
        ids += [f["id"] for f in body["features"]]
        href = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        query = None
    return ids


# -- what is published ------------------------------------------------------------------------------
def test_gdal_reads_every_public_layer_as_the_store_holds_it(served):
    url, location = served
    for layer in PUBLIC:
        spec = get_layer(layer)
        read = pyogrio.read_dataframe(f"OAPIF:{url}/collections/{layer}").set_index("id").sort_index()
        stored = _published(location, layer)
        assert len(stored) > 0, layer
        assert list(read.index) == list(stored.index), layer
        assert set(spec.field_names) <= set(read.columns), layer
        for name in spec.field_names:
            mismatched = [i for i in stored.index if not _same_value(read.at[i, name], stored.at[i, name])]
            assert not mismatched, (layer, name, mismatched[:3])
        wrong = [i for i in stored.index if not _same_geometry(read.geometry[i], stored.geometry[i])]
        assert not wrong, (layer, wrong[:3])
        assert read.crs.equals("EPSG:4490") or read.crs.equals("OGC:CRS84"), read.crs


def test_only_completed_parcels_are_published(served):
    url, location = served
    ids = set(_ids(url, "restoration_parcels"))
    store = open_store(location)
    try:
        parcels = store.features("restoration_parcels")
    finally:
        store.close()
    completed = parcels["status"] == "completed"
    assert ids == set(parcels.loc[completed, "feature_id"])
    hidden = parcels.loc[~completed, "feature_id"].iloc[0]
    assert (
        requests.get(f"{url}/collections/restoration_parcels/items/{hidden}?f=json", timeout=30).status_code
        == 404
    )
    assert requests.get(f"{url}/collections/restoration_parcels/items?status=planned&f=json",
                        timeout=30).json()["numberMatched"] == 0  # fmt: skip


def test_owslib_lists_the_collections_with_their_metadata(served):
    url, _ = served
    api = Features(url)
    collections = {c["id"]: c for c in api.collections()["collections"]}
    assert set(collections) == {*PUBLIC, RATES_COLLECTION}
    parcels = api.collection("restoration_parcels")
    assert parcels["title"] == "治理修复地块"
    assert parcels["storageCrs"] == STORAGE_CRS
    assert "http://www.opengis.net/def/crs/OGC/1.3/CRS84" in parcels["crs"]
    assert "示例数据" in parcels["description"] and "示例数据" in parcels["keywords"]
    assert "示意边界" in collections["districts"]["description"]
    english = requests.get(f"{url}/collections/restoration_parcels?f=json&lang=en", timeout=30).json()
    assert english["title"] == "Restoration parcels" and "sample data" in english["description"]


def test_schema_describes_the_published_fields_in_both_languages(served):
    url, _ = served
    schema = requests.get(f"{url}/collections/restoration_parcels/schema?f=json", timeout=30).json()
    spec = get_layer("restoration_parcels")
    assert set(schema["properties"]) == {*spec.field_names, "geometry"}
    status = schema["properties"]["status"]
    assert status["title"] == spec.field("status").label_zh
    assert spec.field("status").label_en in status["description"]
    assert "completed = " in status["description"] and status["enum"] == [
        v.code for v in spec.field("status").values
    ]
    queryables = requests.get(f"{url}/collections/restoration_parcels/queryables?f=json", timeout=30).json()
    assert set(queryables["properties"]) == {*spec.field_names, "geometry"}


# -- queries ----------------------------------------------------------------------------------------
def test_bbox_and_datetime_queries_return_what_the_store_says(served):
    url, location = served
    parcels = _published(location, "restoration_parcels")
    x, y = shapely.get_coordinates(parcels.geometry.iloc[len(parcels) // 2])[0]
    box = (x - 0.02, y - 0.015, x + 0.02, y + 0.015)
    inside = set(parcels.index[shapely.intersects(parcels.geometry.values, shapely.box(*box))])
    got = _ids(url, "restoration_parcels", bbox=",".join(map(str, box)))
    assert set(got) == inside and len(got) == len(inside) > 3
    assert _ids(url, "restoration_parcels", bbox=",".join(map(str, box)), limit=3) == got  # paged
    days = pd.to_datetime(parcels["completed_on"]).dt.date
    in_2020 = set(parcels.index[(days >= dt.date(2020, 1, 1)) & (days <= dt.date(2020, 12, 31))])
    assert set(_ids(url, "restoration_parcels", datetime="2020-01-01/2020-12-31")) == in_2020 != set()
    assert (
        set(_ids(url, "restoration_parcels", datetime="2020-01-01T00:00:00Z/2020-12-31T23:59:59Z")) == in_2020
    )
    before = set(parcels.index[days <= dt.date(2015, 6, 30)])
    assert set(_ids(url, "restoration_parcels", datetime="../2015-06-30")) == before
    both = set(
        _ids(url, "restoration_parcels", bbox=",".join(map(str, box)), datetime="2020-01-01/2020-12-31")
    )
    assert both == inside & in_2020
    quarries = _published(location, "quarries")
    people = int(quarries["threat_people"].dropna().iloc[0])
    assert set(_ids(url, "quarries", threat_people=people)) == set(
        quarries.index[quarries["threat_people"] == people]
    )
    not_a_number = requests.get(f"{url}/collections/quarries/items?threat_people=many&f=json", timeout=30)
    assert not_a_number.status_code in (200, 400) and not not_a_number.json().get("features")
    bad = requests.get(f"{url}/collections/restoration_parcels/items?datetime=soon&f=json", timeout=30)
    assert bad.status_code == 400


def test_gdal_spatial_filter_is_read_in_the_right_axis_order(served):
    url, location = served
    zones = _published(location, "subsidence_zones")
    x, y = shapely.get_coordinates(zones.geometry.iloc[0])[0]
    box = (x - 0.01, y - 0.01, x + 0.01, y + 0.01)
    inside = set(zones.index[shapely.intersects(zones.geometry.values, shapely.box(*box))])
    read = pyogrio.read_dataframe(f"OAPIF:{url}/collections/subsidence_zones", bbox=box)
    assert set(read["id"]) == inside != set()


def test_rates_collection_holds_each_year_to_this_one(served):
    url, location = served
    records = requests.get(f"{url}/collections/{RATES_COLLECTION}/items?f=json&limit=1000", timeout=30).json()
    rows = [f["properties"] for f in records["features"]]
    assert all(f["geometry"] is None for f in records["features"])
    years = sorted({r["year"] for r in rows})
    this_year = max(years)
    assert years == list(range(api_settings().rates_first_year, this_year + 1))
    store = open_store(location)
    try:
        past = compute_rates(store, When(dt.date(years[0], 12, 31)))
    finally:
        store.close()
    first = {r["adcode"]: r for r in rows if r["year"] == years[0]}
    assert set(first) == {d.adcode for d in past.districts}
    for d in past.districts:
        assert first[d.adcode]["restored_ha"] == pytest.approx(d.restored_ha, rel=1e-12)
        assert first[d.adcode]["rate_pct"] == pytest.approx(d.rate_pct, rel=1e-12) if d.rate_pct else True
    in_year = requests.get(f"{url}/collections/{RATES_COLLECTION}/items?f=json&limit=1000"
                           f"&datetime={years[0]}-01-01/{years[0]}-12-31", timeout=30).json()  # fmt: skip
    assert {f["properties"]["year"] for f in in_year["features"]} == {years[0]}


# -- what is not published --------------------------------------------------------------------------
def _private_words(location: str) -> list[str]:
    """Texts that only the private records hold: account names, who recorded, table names."""
    store = open_store(location)
    try:
        recorders = {str(v) for layer in PUBLIC for v in store.features(layer)["recorded_by"]}
    finally:
        store.close()
    return [
        "head_320302",
        "field_team",
        "$argon2",
        "recorded_by",
        "password",
        *recorders,
        *PRIVATE_TABLES[:6],
    ]


def _assert_clean(text: str, words: list[str], where: str) -> None:
    """No private word in an answer, but for what echoes the request (its links, an unknown id)."""
    words = [w for w in words if w not in unquote(where)]
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        body.pop("links", None)
        text = json.dumps(body, ensure_ascii=False)
    found = [w for w in words if f'"{w}"' in text or (len(w) > 6 and w in text)]
    assert not found, (where, found)


def test_nothing_private_is_reachable(served):
    url, location = served
    words = _private_words(location)
    for table in PRIVATE_TABLES:
        for path in (f"/collections/{table}", f"/collections/{table}/items", f"/collections/{table}/items/1",
                     f"/collections/{table}/schema", f"/collections/districts/../{table}/items",
                     f"/collections/%2e%2e%2f{table}/items", f"/collections/..%2F{table}"):  # fmt: skip
            answer = requests.get(f"{url}{path}?f=json", timeout=30)
            assert answer.status_code in (400, 404), (path, answer.status_code)
            _assert_clean(answer.text, words, path)
    for path in (
        "/",
        "/openapi?f=json",
        "/conformance",
        "/collections",
        "/processes",
        "/jobs",
        "/stac",
        "/TileMatrixSets",
        "/collections/districts/tiles",
        "/collections/restoration_parcels/items/x",
        "/admin/config",
        "/collections/restoration_parcels/items?recorded_by=system&f=json",
        "/collections/restoration_parcels/items?properties=recorded_by,source&f=json",
        "/collections/restoration_parcels/items?sortby=recorded_by&f=json",
        "/collections/restoration_parcels/items?filter=recorded_by%3D%27system%27&f=json",
        "/static/../../../../etc/passwd",
        "/collections/restoration_parcels/items/..%2F..%2Fxzsdg_users",
    ):
        answer = requests.get(f"{url}{path}", timeout=30)
        assert answer.status_code < 500, (path, answer.status_code, answer.text[:300])
        assert "root:" not in answer.text
        _assert_clean(answer.text, words, path)
    processes = requests.get(f"{url}/processes?f=json", timeout=30).json()
    assert processes.get("processes", []) == []


def _hrefs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["href"]] if isinstance(node.get("href"), str) else []
        return own + [h for v in node.values() for h in _hrefs(v)]
    if isinstance(node, list):
        return [h for v in node for h in _hrefs(v)]
    return []


def test_every_linked_page_is_clean(served):
    """Follow every link the server gives from its landing page, three steps deep."""
    url, location = served
    words, seen, frontier = _private_words(location), set(), [f"{url}/?f=json"]
    for _depth in range(3):
        found = []
        for href in frontier:
            if href in seen or urlsplit(href).netloc != urlsplit(url).netloc:
                continue
            seen.add(href)
            answer = requests.get(href, timeout=60)
            assert answer.status_code < 500, (href, answer.status_code)
            _assert_clean(answer.text, words, href)
            if "json" in answer.headers.get("content-type", ""):
                found += [urljoin(href, h) for h in _hrefs(answer.json())]
        frontier = [h for h in found if "f=html" not in h and "f=jsonld" not in h]
    assert len(seen) > 40


def test_writes_are_refused_and_change_nothing(served):
    url, location = served
    before = _published(location, "districts")
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.2, 34.3]},
               "properties": {"adcode": "999999", "name": "x"}}  # fmt: skip
    item = f"{url}/collections/districts/items/{before.index[0]}"
    for method, target in (("POST", f"{url}/collections/districts/items"), ("PUT", item), ("PATCH", item),
                           ("DELETE", item), ("POST", f"{url}/processes/hello-world/execution"),
                           ("PUT", f"{url}/admin/config"), ("DELETE", f"{url}/jobs/1")):  # fmt: skip
        answer = requests.request(method, target, data=json.dumps(feature), timeout=30,
                                  headers={"Content-Type": "application/geo+json"})  # fmt: skip
        assert answer.status_code == 405, (method, target, answer.status_code)
    after = _published(location, "districts")
    pd.testing.assert_frame_equal(before.drop(columns="geometry"), after.drop(columns="geometry"))


# -- a large layer, CORS, and the command's refusals -------------------------------------------------
N_LARGE = 10_000


def _large_store(location: str) -> None:
    """A store with the bundled districts, and ``N_LARGE`` small squares on a grid as zones."""
    store = init_store(location)
    try:
        side = int(np.ceil(np.sqrt(N_LARGE)))
        features = []
        for i in range(N_LARGE):
            x, y = 116.5 + 0.01 * (i % side), 34.0 + 0.005 * (i // side)
            fields = {"zone_id": f"Z{i:05d}", "name": f"沉陷区{i}", "severity": "light", "mine": "m"}
            features.append(NewFeature(f"Z{i:05d}", shapely.box(x, y, x + 0.004, y + 0.003), fields))
        store.write_features("subsidence_zones", features, by="tester", source="test:grid")
    finally:
        store.close()


def test_owslib_and_gdal_page_through_ten_thousand_features(tmp_path):
    location = str(tmp_path / "large.gpkg")
    _large_store(location)
    with serving(location, tmp_path / "work", "--cors-origin", ALLOWED_ORIGIN) as server:
        url = server.url
        api = Features(url)
        ids, offset = [], 0
        while True:
            page = api.collection_items("subsidence_zones", limit=1000, offset=offset)
            ids += [f["id"] for f in page["features"]]
            if page["numberReturned"] < 1000:
                break
            offset += 1000
        assert page["numberMatched"] == N_LARGE
        assert ids == sorted(f"Z{i:05d}" for i in range(N_LARGE))
        read = pyogrio.read_dataframe(f"OAPIF:{url}/collections/subsidence_zones")
        assert len(read) == N_LARGE and read["id"].is_unique

        allowed = requests.get(f"{url}/collections", headers={"Origin": ALLOWED_ORIGIN}, timeout=30)
        assert allowed.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
        other = requests.get(f"{url}/collections", headers={"Origin": "https://other.example"}, timeout=30)
        assert "access-control-allow-origin" not in other.headers
        preflight = requests.options(f"{url}/collections", timeout=30, headers={
            "Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "DELETE"})  # fmt: skip
        assert "DELETE" not in preflight.headers.get("access-control-allow-methods", "")


def test_without_configured_origins_no_site_may_read_it(served):
    url, _ = served
    answer = requests.get(f"{url}/collections", headers={"Origin": ALLOWED_ORIGIN}, timeout=30)
    assert "access-control-allow-origin" not in answer.headers


def test_serve_api_refuses_a_missing_store_and_a_taken_port(run, tmp_path, sample_store_file):
    code, _, err = run("serve-api", "--store", str(tmp_path / "none.gpkg"), "--port", str(free_port()))
    assert code != 0 and "Traceback" not in err and err.strip()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, _, err = run(
            "serve-api", "--store", str(sample_store_file), "--port", str(taken.getsockname()[1])
        )
    assert code != 0 and "端口" in err and "--port" in err
