"""Benchmark: paging through a 10 000-feature collection of the open-data API. Goal: ≥ 2 000 features/s.

    .venv/bin/python bench/api.py [--features N] [--postgis URL]

A synthetic store (bench/_synth.py: the bundled districts and N subsidence zones, star-shaped
polygons of about 32 vertices) is served by ``xzsdg serve-api`` in its own process; a client then
reads the whole ``subsidence_zones`` collection twice: page by page over HTTP at the largest page
size the API allows (what a script does), and through GDAL's OAPIF driver (what QGIS does). The
time includes parsing the GeoJSON; the server's start (which computes the yearly rates) is not.
The CPU time of server and client is shown beside the wall time: on a shared machine the wall
time says more about the other load than about the API.
With ``--postgis`` the same store is also written to a new schema of that database and served.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pyogrio
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._synth import build, write_store
from xzsdg_geo.api.background import Running, serving
from xzsdg_geo.api.settings import api_settings
from xzsdg_geo.store.postgis_conn import conninfo

GOAL_PER_S = 2000
COLLECTION = "subsidence_zones"
SCHEMA = "xzsdg_bench_api"


@dataclass(frozen=True)
class Reading:
    features: int
    seconds: float  # wall
    cpu_seconds: float  # the server's and this client's together

    def line(self, label: str, how: str, goal: bool) -> str:
        rate, cpu_rate = self.features / self.seconds, self.features / self.cpu_seconds
        verdict = f"  [{'PASS' if rate >= GOAL_PER_S else 'UNDER GOAL'}]" if goal else ""
        return (f"  {label:8s} {how:10s} {self.features:6d} features in {self.seconds:6.2f} s = {rate:6.0f}/s"
                f"  (CPU {self.cpu_seconds:5.2f} s: {cpu_rate:6.0f}/s of CPU){verdict}")  # fmt: skip


def timed(server: Running, read: Callable[[str], int]) -> Reading:
    wall, cpu, server_cpu = time.perf_counter(), time.process_time(), server.cpu_seconds()
    n = read(server.url)
    cpu_used = time.process_time() - cpu + server.cpu_seconds() - server_cpu
    return Reading(n, time.perf_counter() - wall, cpu_used)


def page_through(url: str) -> int:
    """Features read, following the next links at the maximum page size."""
    n = 0
    href, params = f"{url}/collections/{COLLECTION}/items", {"f": "json", "limit": api_settings().max_items}
    while href:
        body = requests.get(href, params=params, timeout=120).json()
        n += len(body["features"])
        href = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        params = None
    return n


def gdal_read(url: str) -> int:
    return len(pyogrio.read_dataframe(f"OAPIF:{url}/collections/{COLLECTION}"))


def measure(label: str, location: str, workdir: Path) -> bool:
    """Both reads on one backend; True when paging meets the goal (GDAL's figure is for reference)."""
    with serving(location, workdir) as server:
        paging, gdal = timed(server, page_through), timed(server, gdal_read)
    print(paging.line(label, "paging", goal=True))
    print(gdal.line(label, "GDAL OAPIF", goal=False))
    return paging.features / paging.seconds >= GOAL_PER_S


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
