"""Benchmark: every class of hostile upload, its worst time and peak memory, and the verdict.

    .venv/bin/python bench/hostile.py [--cases a,b] [--checkout PATH]

Each case runs in a fresh process so its figures are its own: the wall time of the call (the
checking worker's server is started beforehand, as the app does at start-up), and the peak
resident memory of the caller and of the checking workers. ``--checkout`` runs the same cases
against another copy of the code (e.g. the main branch, for before/after); cases that are
endless there are stopped at ``--timeout`` seconds and reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER = "restoration_parcels"


def _cases(h, c, tmp: Path) -> dict:
    """Case name → (what it is, a function giving the bytes and file name)."""
    return {
        "small_file": ("3 parcels, GeoJSON (baseline)", lambda: (c.geojson(c.parcels()), "p.geojson")),
        "zip_escape": (
            "zip entries //abs, \\\\abs, ../…",
            lambda: (h.escape_zip(tmp / "out" / "x"), "e.zip"),
        ),
        "dxf_nested": ("DXF 10 blocks × 10 inserts (10^9)", lambda: (h.nested_dxf(10, 10), "n.dxf")),
        "dxf_minsert": ("DXF MINSERT 2000 × 2000", lambda: (h.wide_dxf(2000), "m.dxf")),
        "gpkg_recursive": (
            "GeoPackage layer = recursive view",
            lambda: (h.view_geopackage("recursive"), "r.gpkg"),
        ),
        "gpkg_zeroblob": (
            "GeoPackage layer = zeroblob view",
            lambda: (h.view_geopackage("zeroblob"), "z.gpkg"),
        ),
        "gpkg_catalog": (
            "GeoPackage catalog = recursive view",
            lambda: (h.recursive_catalog_geopackage(), "k.gpkg"),
        ),
        "squares_8000": ("8,000 overlapping squares", lambda: (h.overlapping_squares(8000), "s.geojson")),
        "placemarks_100k": (
            "100k identical KML placemarks",
            lambda: (h.identical_placemarks(100_000), "p.kml"),
        ),
        "wide_dbf": ("shapefile zip, wide GBK .dbf, no .cpg", lambda: (h.wide_dbf_zip(), "w.zip")),
        "dense_polygon": ("one polygon of 400k vertices", lambda: (h.dense_polygon(400_000), "d.geojson")),
        "sparse_2gb": (
            "2 GB sparse file, submitted",
            lambda: (h.sparse_file(tmp / "big.geojson"), "big.geojson"),
        ),
        "worker_segfault": ("segfault inside the worker", lambda: (h.crash, "")),
        "worker_hog": ("unbounded allocation in the worker", lambda: (h.hog, "")),
        "worker_spin": ("endless loop in the worker", lambda: (h.spin, "")),
    }


def _in_worker(job) -> dict:
    """A runaway job straight through the worker (a GDAL/GEOS fault has no file to make it)."""
    from xzsdg_geo.validation import sandbox

    start = time.monotonic()
    result = sandbox.run_limited(job, (), sandbox.Limits(seconds=5, memory_mb=1500))
    return {
        "seconds": time.monotonic() - start,
        "verdict": f"{result.outcome.value} (exit {result.exit_code})",
    }


def _worker_peak_mb() -> float:
    """Peak RSS of the checking workers: stop their server so their usage is accounted to us."""
    try:
        from multiprocessing import forkserver

        forkserver._forkserver._stop()
    except (ImportError, AttributeError, OSError):
        pass
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _submit(path: Path, tmp: Path) -> dict:
    """A sparse file through the submit service into a fresh store: does the store grow?"""
    from xzsdg_geo.services import submissions
    from xzsdg_geo.services.auth import principal_of
    from xzsdg_geo.services.setup import init_store
    from xzsdg_geo.store import open_store

    store_path = tmp / "store.gpkg"
    init_store(str(store_path), with_sample=True).close()  # closed: its journal folded in
    before = store_path.stat().st_size
    store = open_store(str(store_path))
    start = time.monotonic()
    result = submissions.submit(store, principal_of(store, "field_team"), path.read_bytes(), path.name, LAYER)
    seconds = time.monotonic() - start
    store.close()
    growth = (store_path.stat().st_size - before) / 1024**2
    codes = [e.code for e in result.report.errors]
    return {"seconds": seconds, "verdict": ",".join(codes) or "ok", "store_growth_mb": round(growth, 2)}


def run_case(name: str) -> dict:
    """One case in this process: build the file, validate it, report time, memory and verdict."""
    sys.path[:0] = [str(ROOT / "tests")]
    import corpus as c
    import hostile_files as h

    from xzsdg_geo.validation import validate_upload

    with tempfile.TemporaryDirectory() as tmp:
        label, build = _cases(h, c, Path(tmp))[name]
        data, filename = build()
        _warm(validate_upload)
        if callable(data):
            out = _in_worker(data)
        elif isinstance(data, Path):
            out = _submit(data, Path(tmp))
        else:
            start = time.monotonic()
            report = validate_upload(data, filename, LAYER)
            out = {"seconds": time.monotonic() - start, "verdict": _verdict(report)}
            out["input_kb"] = round(len(data) / 1024, 1)
    out["caller_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["worker_peak_mb"] = _worker_peak_mb()
    out["label"] = label
    return out


def _warm(validate_upload) -> None:
    try:
        from xzsdg_geo.validation import sandbox

        sandbox.warm_up()
    except ImportError:  # an older checkout without the worker
        pass


def _verdict(report) -> str:
    codes = [e.detail.get("key", e.code) for e in report.errors][:1]
    warned = {w.code for w in report.warnings}
    extra = f" +{len(report.errors) - 1}" if len(report.errors) > 1 else ""
    return (
        (",".join(codes) + extra) if codes else ("ok" + (f" ({','.join(sorted(warned))})" if warned else ""))
    )


def _spawn(name: str, checkout: Path, timeout: float) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", name]
    start = time.monotonic()
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"seconds": time.monotonic() - start, "verdict": f"stopped after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"seconds": time.monotonic() - start, "verdict": f"crashed ({done.returncode})"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(name: str, r: dict) -> str:
    peaks = f"{r.get('caller_peak_mb', float('nan')):8.0f} {r.get('worker_peak_mb', float('nan')):8.0f}"
    extra = f" store +{r['store_growth_mb']} MB" if "store_growth_mb" in r else ""
    return (
        f"{name:16} {r.get('input_kb', float('nan')):9.1f} {r['seconds']:8.2f} {peaks}  {r['verdict']}{extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", help="comma-separated case names (default: all)")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the code to run (default: this one)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a case is stopped")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one)))
        return
    names = args.cases.split(",") if args.cases else list(_cases(None, None, Path()).keys())
    print(f"code: {args.checkout}   (machine shared with other work: figures are upper bounds)")
    print(f"{'case':16} {'input KB':>9} {'seconds':>8} {'caller MB':>8} {'worker MB':>8}  verdict")
    for name in names:
        print(_row(name, _spawn(name, args.checkout, args.timeout)), flush=True)


if __name__ == "__main__":
    main()
