"""Benchmark: paging through a 10 000-feature collection of the open-data API. Goal: ≥ 2 000 features/s.

    .venv/bin/python bench/api.py [--features N] [--postgis URL]

A synthetic store (bench/_synth.py: the bundled districts and N subsidence zones, star-shaped
polygons of 8-24 vertices) is served by ``xzsdg serve-api`` in its own process; a client then
reads the whole ``subsidence_zones`` collection twice: page by page over HTTP at the largest page
size the API allows (what a script does), and through GDAL's OAPIF driver (what QGIS does). The
time includes parsing the GeoJSON; the server's start (which computes the yearly rates) is not.
With ``--postgis`` the same store is also written to a new schema of that database and served.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pyogrio
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._synth import build, write_store
from xzsdg_geo.api.background import serving
from xzsdg_geo.api.settings import api_settings
from xzsdg_geo.store.postgis_conn import conninfo

GOAL_PER_S = 2000
COLLECTION = "subsidence_zones"
SCHEMA = "xzsdg_bench_api"


def page_through(url: str) -> tuple[int, float]:
    """Features read and seconds taken, following the next links at the maximum page size."""
    started, n = time.perf_counter(), 0
    href, params = f"{url}/collections/{COLLECTION}/items", {"f": "json", "limit": api_settings().max_items}
    while href:
        body = requests.get(href, params=params, timeout=120).json()
        n += len(body["features"])
        href = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        params = None
    return n, time.perf_counter() - started


def gdal_read(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    frame = pyogrio.read_dataframe(f"OAPIF:{url}/collections/{COLLECTION}")
    return len(frame), time.perf_counter() - started


def measure(label: str, location: str, workdir: Path) -> bool:
    """Both reads on one backend; True when paging meets the goal (GDAL's figure is for reference)."""
    with serving(location, workdir) as url:
        (n, seconds), (n_gdal, seconds_gdal) = page_through(url), gdal_read(url)
    rate = n / seconds
    verdict = "PASS" if rate >= GOAL_PER_S else "UNDER GOAL"
    print(f"  {label:8s} paging     {n:6d} features in {seconds:6.2f} s = {rate:7.0f}/s  [{verdict}]")
    gdal_rate = n_gdal / seconds_gdal
    print(f"  {label:8s} GDAL OAPIF {n_gdal:6d} features in {seconds_gdal:6.2f} s = {gdal_rate:7.0f}/s")
    return rate >= GOAL_PER_S


def _postgis_schema(url: str) -> str:
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{SCHEMA}"')
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{SCHEMA},public"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", type=int, default=10_000)
    parser.add_argument("--postgis", help="a PostgreSQL URL; a schema is made in it and dropped after")
    args = parser.parse_args()
    data = build(args.features, 10)
    page = api_settings().max_items
    print(f"api: {args.features} subsidence zones, page size {page}; goal: paging ≥ {GOAL_PER_S} features/s")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        location = str(Path(tmp) / "bench.gpkg")
        write_store(location, data).close()
        ok = measure("gpkg", location, Path(tmp) / "gpkg") and ok
        if args.postgis:
            location = _postgis_schema(args.postgis)
            write_store(location, data).close()
            try:
                ok = measure("postgis", location, Path(tmp) / "postgis") and ok
            finally:
                with psycopg.connect(conninfo(args.postgis), autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
