"""Benchmark: the restoration-rate engine against the plain geopandas overlay, on synthetic data.

Writes seeded zones and parcels (``bench/_synth.py``) to a fresh GeoPackage store, then runs each
measurement in its own spawned process, so its peak RSS (GEOS memory included, which tracemalloc
cannot see) is that measurement's alone. Goal (issue 2): engine ≥ 4× faster than the plain way,
< 1.5 GB peak, hectares within 0.01 % of it.

On a shared machine wall time wanders; ``--repeat N`` runs every measurement N times, interleaved,
and keeps the fastest, and CPU seconds are shown beside wall seconds.

    .venv/bin/python bench/rates.py [--zones 20000] [--parcels 50000] [--repeat 1] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import _synth
import geopandas as gpd

from xzsdg_geo.config import settings
from xzsdg_geo.rates import compute_rates, restored_by_district
from xzsdg_geo.store import open_store
from xzsdg_geo.when import When

AS_OF = dt.date(2026, 12, 31)
GOAL_RATIO, GOAL_PEAK_MB, GOAL_REL_DIFF = 4.0, 1536.0, 1e-4

Hectares = dict[str, tuple[float, float]]  # adcode -> (zone ha, restored ha)


@dataclass(frozen=True)
class Run:
    """One measurement in its own process: the work's wall and CPU seconds, and RSS figures."""

    seconds: float
    cpu_seconds: float
    peak_mb: float  # the process's peak RSS
    base_mb: float  # RSS before the work: the interpreter with geopandas and the package imported
    result: object


def _usage() -> tuple[float, float]:
    """(CPU seconds, peak RSS MB) of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # ru_maxrss: KiB on Linux


def _measured(work: Callable, *args) -> Run:
    """Runs in the child: ``work`` timed, with the process's peak RSS once it is done."""
    cpu_before, base = _usage()
    start = time.perf_counter()
    result = work(*args)
    seconds = time.perf_counter() - start
    cpu_after, peak = _usage()
    return Run(seconds, cpu_after - cpu_before, peak, base, result)


def in_fresh_process(work: Callable, *args) -> Run:
    """``work(*args)`` measured in a newly spawned interpreter, so its peak RSS is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_measured, work, *args).result()


def best_of(runs: list[Run]) -> Run:
    """The fastest times and the highest peak of repeated runs of one measurement."""
    return Run(
        min(r.seconds for r in runs),
        min(r.cpu_seconds for r in runs),
        max(r.peak_mb for r in runs),
        min(r.base_mb for r in runs),
        runs[0].result,
    )


# -- the work, each run in its own process --------------------------------------------------------
def engine_rates(path: str, day: dt.date) -> Hectares:
    """``compute_rates`` end to end (two evaluations: the date, and 3 years before for the pace)."""
    store = open_store(path)
    try:
        report = compute_rates(store, When(day))
    finally:
        store.close()
    return {d.adcode: (d.zone_ha, d.restored_ha) for d in report.districts}


def engine_once(path: str, day: dt.date) -> Hectares:
    """One evaluation: zone and restored hectares at ``day``."""
    store = open_store(path)
    try:
        districts, zone, restored = restored_by_district(store, When(day))
    finally:
        store.close()
    return {a: (float(z), float(r)) for a, z, r in zip(districts["adcode"], zone, restored, strict=True)}


def plain_geopandas(path: str, day: dt.date) -> Hectares:
    """The textbook way: overlay zones with districts, dissolve, overlay with the parcel union."""
    store = open_store(path)
    try:
        districts = store.features("districts")[["adcode", "geometry"]]
        zones = store.features("subsidence_zones")[["geometry"]]
        parcels = store.features("restoration_parcels")
    finally:
        store.close()
    done = parcels[(parcels["status"] == "completed") & (parcels["completed_on"] <= day.isoformat())]
    zone_union = gpd.overlay(zones, districts, how="intersection").dissolve(by="adcode").reset_index()
    done_union = done[["geometry"]].dissolve()
    restored = gpd.overlay(zone_union, done_union, how="intersection")
    proj = settings().area_proj
    zone_ha = zone_union.set_index("adcode").to_crs(proj).area / 1e4
    restored_ha = restored.to_crs(proj).area.groupby(restored["adcode"].to_numpy()).sum() / 1e4
    return {a: (float(zone_ha[a]), float(restored_ha.get(a, 0.0))) for a in zone_ha.index}


MEASUREMENTS = {
    "engine compute_rates (2 evaluations)": engine_rates,
    "engine restored_by_district (1)": engine_once,
    "plain geopandas overlay (1)": plain_geopandas,
}


def build_store(path: str, n_zones: int, n_parcels: int) -> dict[str, float]:
    """Synthesise and write the store; seconds of each step."""
    start = time.perf_counter()
    data = _synth.build(n_zones, n_parcels)
    built = time.perf_counter()
    _synth.write_store(path, data).close()
    return {"synth_s": built - start, "write_s": time.perf_counter() - built}


# -- figures --------------------------------------------------------------------------------------
def max_rel_diff(a: Hectares, b: Hectares) -> float:
    """Largest relative difference of zone and restored hectares, per district and for the city."""
    pairs = [(a.get(k, (0.0, 0.0))[i], b.get(k, (0.0, 0.0))[i]) for k in a.keys() | b.keys() for i in (0, 1)]
    pairs += [(sum(v[i] for v in a.values()), sum(v[i] for v in b.values())) for i in (0, 1)]
    return max(abs(x - y) / max(abs(y), 1e-9) for x, y in pairs)


def _machine() -> dict[str, float]:
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {"nproc": os.cpu_count() or 0, "mem_gb": memory / 2**30}


def _measure_all(path: str, repeat: int) -> dict[str, Run]:
    """Every measurement ``repeat`` times, interleaved so a busy spell does not hit only one."""
    runs: dict[str, list[Run]] = {name: [] for name in MEASUREMENTS}
    for _ in range(repeat):
        for name, work in MEASUREMENTS.items():
            runs[name].append(in_fresh_process(work, path, AS_OF))
    return {name: best_of(samples) for name, samples in runs.items()}


def measure(n_zones: int, n_parcels: int, repeat: int = 1) -> dict:
    """Every figure of one benchmark run, JSON-ready."""
    with tempfile.TemporaryDirectory(prefix="xzsdg-bench-") as tmp:
        path = str(Path(tmp) / "bench.gpkg")
        setup = in_fresh_process(build_store, path, n_zones, n_parcels)
        store_mb = Path(path).stat().st_size / 2**20
        runs = _measure_all(path, repeat)
    engine, once, plain = (runs[name] for name in MEASUREMENTS)
    figures = {
        "zones": n_zones,
        "parcels": n_parcels,
        "as_of": AS_OF.isoformat(),
        "repeat": repeat,
        **_machine(),
        **setup.result,
        "setup_peak_mb": setup.peak_mb,
        "store_mb": store_mb,
        "runs": {
            name: {
                "seconds": r.seconds,
                "cpu_seconds": r.cpu_seconds,
                "peak_mb": r.peak_mb,
                "base_mb": r.base_mb,
            }
            for name, r in runs.items()
        },
        "ratio_rates": plain.seconds / engine.seconds,
        "ratio_once": plain.seconds / once.seconds,
        "ratio_rates_cpu": plain.cpu_seconds / engine.cpu_seconds,
        "ratio_once_cpu": plain.cpu_seconds / once.cpu_seconds,
        "engine_peak_mb": max(engine.peak_mb, once.peak_mb),
        "max_rel_diff": max(max_rel_diff(r.result, plain.result) for r in (engine, once)),
        "hectares": {"engine": engine.result, "plain": plain.result},
    }
    figures["goals_met"] = {
        "speed": figures["ratio_rates"] >= GOAL_RATIO,
        "memory": figures["engine_peak_mb"] < GOAL_PEAK_MB,
        "agreement": figures["max_rel_diff"] <= GOAL_REL_DIFF,
    }
    return figures


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def table(f: dict) -> str:
    """The figures as a readable table."""
    goals = f["goals_met"]
    lines = [
        f"zones {f['zones']:,}, parcels {f['parcels']:,}, as of {f['as_of']}, best of {f['repeat']};"
        f" machine: {f['nproc']} cores, {f['mem_gb']:.1f} GB",
        f"synthesise {f['synth_s']:.1f} s; write store {f['write_s']:.1f} s"
        f" ({f['store_mb']:.0f} MB file, peak {f['setup_peak_mb']:.0f} MB)",
        "",
        f"{'measurement':<40}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}{'base MB':>9}",
        *(
            f"{name:<40}{r['seconds']:>9.2f}{r['cpu_seconds']:>9.2f}{r['peak_mb']:>9.0f}{r['base_mb']:>9.0f}"
            for name, r in f["runs"].items()
        ),
        "",
        f"speed plain / engine, one evaluation:  {f['ratio_once']:6.2f}×  (CPU {f['ratio_once_cpu']:.2f}×)",
        f"speed plain / engine, compute_rates:   {f['ratio_rates']:6.2f}×  (CPU {f['ratio_rates_cpu']:.2f}×)"
        f"   goal ≥ {GOAL_RATIO:g}×: {_verdict(goals['speed'])}",
        f"engine peak RSS:                       {f['engine_peak_mb']:6.0f} MB"
        f"  goal < {GOAL_PEAK_MB:g} MB: {_verdict(goals['memory'])}",
        f"max relative difference of hectares:  {f['max_rel_diff']:.1e}"
        f"  goal ≤ {GOAL_REL_DIFF:.0e}: {_verdict(goals['agreement'])}",
        "",
        f"{'adcode':<8}{'zone ha':>13}{'(plain)':>13}{'restored ha':>13}{'(plain)':>13}",
    ]
    engine, plain = f["hectares"]["engine"], f["hectares"]["plain"]
    for code in sorted(engine.keys() | plain.keys()):
        (z, r), (pz, pr) = engine.get(code, (0.0, 0.0)), plain.get(code, (0.0, 0.0))
        lines.append(f"{code:<8}{z:>13.2f}{pz:>13.2f}{r:>13.2f}{pr:>13.2f}")
    city = [sum(v[i] for v in h.values()) for h in (engine, plain) for i in (0, 1)]
    lines.append(f"{'city':<8}{city[0]:>13.2f}{city[2]:>13.2f}{city[1]:>13.2f}{city[3]:>13.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=20_000)
    parser.add_argument("--parcels", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the best counts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = measure(args.zones, args.parcels, max(1, args.repeat))
    print(json.dumps(figures, indent=2) if args.json else table(figures))
    return 0 if figures["goals_met"]["agreement"] else 1


if __name__ == "__main__":
    sys.exit(main())
