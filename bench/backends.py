"""Benchmark: the same store work on both backends, GeoPackage and PostGIS, at 20k / 50k / 100k
zones + parcels (30 % zones; ``bench/_synth.py``'s seeded data).

For each size and backend, each in its own spawned process (``bench/rates.py``'s harness): writing
the synthetic store through ``write_features``, reading the current parcels and zones, and
``compute_rates`` end to end. Time is wall seconds; peak is the process's peak RSS (the PostgreSQL
server's own memory is not in it). Both backends must give the same hectares.

    .venv/bin/python bench/backends.py [--sizes 20000 50000 100000] [--postgis URL] [--repeat 1]

The PostGIS server is ``--postgis``, else ``XZSDG_TEST_POSTGIS_URL`` (``scripts/postgis.sh start``
prints one); each size gets a schema of its own there, dropped afterwards. Without a server only
the GeoPackage figures are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from rates import AS_OF, best_of, build_store, engine_rates, in_fresh_process, max_rel_diff

from xzsdg_geo.store import open_store
from xzsdg_geo.store.postgis_conn import conninfo

SIZES = (20_000, 50_000, 100_000)
ZONE_SHARE = 0.3
POSTGIS_URL_ENV = "XZSDG_TEST_POSTGIS_URL"
os.environ.setdefault("XZSDG_ALLOW_OWNER", "1")  # the bench makes its schemas, so it is their owner


def read_layers(location: str) -> int:
    """The current parcels and zones, as the map and the rate engine load them; rows read."""
    store = open_store(location)
    try:
        return sum(len(store.features(layer)) for layer in ("restoration_parcels", "subsidence_zones"))
    finally:
        store.close()


class Schema:
    """A scratch schema on the PostGIS server, as a store location; dropped on exit."""

    def __init__(self, url: str, name: str) -> None:
        self.url, self.name = url, name

    def __enter__(self) -> str:
        with psycopg.connect(conninfo(self.url), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')
            conn.execute(f'CREATE SCHEMA "{self.name}"')
        parts = urlsplit(self.url)
        option = f"options=-csearch_path%3D{self.name},public"
        return urlunsplit(parts._replace(query=f"{parts.query}&{option}" if parts.query else option))

    def size_mb(self) -> float:
        with psycopg.connect(conninfo(self.url), autocommit=True) as conn:
            row = conn.execute(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
                (self.name,),
            ).fetchone()
        return float(row[0] or 0) / 2**20

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(conninfo(self.url), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')


def measure_one(location: str, n: int, repeat: int, size_mb) -> dict:
    """Write, read and rates on one store location; JSON-ready figures and the hectares."""
    n_zones = round(n * ZONE_SHARE)
    setup = in_fresh_process(build_store, location, n_zones, n - n_zones)
    reads = best_of([in_fresh_process(read_layers, location) for _ in range(repeat)])
    rates = best_of([in_fresh_process(engine_rates, location, AS_OF) for _ in range(repeat)])
    return {
        "zones": n_zones,
        "parcels": n - n_zones,
        "write_s": setup.result["write_s"],
        "write_peak_mb": setup.peak_mb,
        "store_mb": size_mb(),
        "read_s": reads.seconds,
        "read_peak_mb": reads.peak_mb,
        "rates_s": rates.seconds,
        "rates_cpu_s": rates.cpu_seconds,
        "rates_peak_mb": rates.peak_mb,
        "hectares": rates.result,
    }


def measure(sizes: list[int], postgis: str | None, repeat: int) -> dict:
    figures: dict = {"machine": _machine(postgis), "as_of": AS_OF.isoformat(), "repeat": repeat, "runs": []}
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="xzsdg-bench-") as tmp:
            path = Path(tmp) / "bench.gpkg"
            gpkg = measure_one(str(path), n, repeat, lambda p=path: p.stat().st_size / 2**20)
        figures["runs"].append({"size": n, "backend": "gpkg", **gpkg})
        if postgis:
            schema = Schema(postgis, f"xzsdg_bench_{os.getpid()}_{n}")
            with schema as location:
                pg = measure_one(location, n, repeat, schema.size_mb)
            pg["max_rel_diff_vs_gpkg"] = max_rel_diff(pg["hectares"], gpkg["hectares"])
            figures["runs"].append({"size": n, "backend": "postgis", **pg})
    return figures


def _machine(postgis: str | None) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    server = None
    if postgis:
        with psycopg.connect(conninfo(postgis)) as conn:
            server = conn.execute("SELECT version(), postgis_lib_version()").fetchone()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_gb": round(memory, 1),
        "python": platform.python_version(),
        "postgresql": server[0].split(" on ")[0] if server else None,
        "postgis": server[1] if server else None,
    }


def table(f: dict) -> str:
    m = f["machine"]
    server = f"{m['postgresql']}, PostGIS {m['postgis']}" if m["postgresql"] else "no PostGIS server given"
    lines = [
        f"machine: {m['cpu']}, {m['cores']} cores, {m['mem_gb']} GB, Python {m['python']}; {server}",
        f"rates as of {f['as_of']}, best of {f['repeat']}; peak = the client process's peak RSS",
        "",
        f"{'zones+parcels':>13}  {'backend':<8}{'write s':>9}{'store MB':>9}{'read s':>8}{'read MB':>8}"
        f"{'rates s':>9}{'rates MB':>9}{'Δ ha':>9}",
    ]
    for r in f["runs"]:
        diff = f"{r['max_rel_diff_vs_gpkg']:.0e}" if "max_rel_diff_vs_gpkg" in r else "—"
        lines.append(
            f"{r['size']:>13,}  {r['backend']:<8}{r['write_s']:>9.1f}{r['store_mb']:>9.0f}{r['read_s']:>8.2f}"
            f"{r['read_peak_mb']:>8.0f}{r['rates_s']:>9.2f}{r['rates_peak_mb']:>9.0f}{diff:>9}"
        )
    lines.append("Δ ha: largest relative difference of district hectares from the GeoPackage run")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--postgis", default=os.environ.get(POSTGIS_URL_ENV), help="PostGIS server URL")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each read; the best counts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    figures = measure(args.sizes, args.postgis, max(1, args.repeat))
    figures["total_s"] = time.perf_counter() - start
    print(json.dumps(figures, indent=2) if args.json else table(figures))
    diffs = [r["max_rel_diff_vs_gpkg"] for r in figures["runs"] if "max_rel_diff_vs_gpkg" in r]
    return 0 if all(d <= 1e-9 for d in diffs) else 1


if __name__ == "__main__":
    sys.exit(main())
