"""Benchmark: the subsidence basin of 50 working faces over 40 km × 40 km on a 10 m grid.

Fifty seeded long-wall panels (180-280 m × 800-1,800 m, rotated, 300-800 m deep) spread over a
40 km square in CGCS2000 GK zone 39; a third of them are being extracted at the date, so the Knothe
slices count, a third are finished and a third planned after it. Measured in a spawned process (so
the peak RSS is the measurement's own): the basin on the 4,000 × 4,000 grid, the severity zones traced
from it, and the GeoTIFF written. Goal (issue 20): the basin ≤ 5 s with bounded memory (the grid is
64 MB of float32; panels add only their windows).

    .venv/bin/python bench/predict.py [--panels 50] [--km 40] [--cell 10] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import shapely
from shapely import affinity

from xzsdg_geo.prediction.basin import Grid, basin_on_grid
from xzsdg_geo.prediction.panels import Face, panel
from xzsdg_geo.prediction.parameters import prediction_config
from xzsdg_geo.prediction.zones import severity_zones, write_basin

SEED = 11
WEST, SOUTH = 39_470_000.0, 3_800_000.0  # south-west corner, GK zone 39 (near 沛县)
ON = dt.date(2026, 6, 30)
GOAL_SECONDS = 5.0


def faces(n: int, km: float) -> list[Face]:
    rng = np.random.default_rng(SEED)
    out = []
    for k in range(n):
        cx, cy = WEST + rng.uniform(2000, km * 1000 - 2000), SOUTH + rng.uniform(2000, km * 1000 - 2000)
        w, length, az = rng.uniform(180, 280), rng.uniform(800, 1800), rng.uniform(0, 180)
        box = affinity.rotate(
            shapely.box(cx - w / 2, cy - length / 2, cx + w / 2, cy + length / 2), -az, (cx, cy)
        )
        start = (
            ON + dt.timedelta(days=int(rng.integers(-3 * 365, 0)))
            if k % 3 == 0
            else (dt.date(2012, 1, 1) if k % 3 == 1 else ON + dt.timedelta(days=30))
        )
        out.append(
            Face(
                f"B{k:03d}",
                box,
                height_m=rng.uniform(2, 5),
                depth_m=rng.uniform(300, 800),
                dip_deg=rng.uniform(0, 15),
                advance_azimuth_deg=az,
                start=start,
                end=start + dt.timedelta(days=730),
            )
        )
    return out


def measure(n: int, km: float, cell: float) -> dict:
    config = prediction_config()
    params = config.default
    t0 = time.perf_counter()
    panels = [p for p in (panel(f, params) for f in faces(n, km)) if p is not None]
    grid = Grid.covering((WEST, SOUTH, WEST + km * 1000, SOUTH + km * 1000), cell)
    t1 = time.perf_counter()
    basin = basin_on_grid(grid, panels, ON, {p.face.face_id: params.knothe_c for p in panels})
    t2 = time.perf_counter()
    zones = severity_zones(grid, basin, config.thresholds.severity_m, config.gk_epsg)
    t3 = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        write_basin(Path(tmp) / "basin.tif", grid, basin, config.gk_epsg, ON)
    t4 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "panels": len(panels),
        "cells": grid.width * grid.height,
        "setup_s": t1 - t0,
        "basin_s": t2 - t1,
        "zones_s": t3 - t2,
        "geotiff_s": t4 - t3,
        "peak_mb": peak_mb,
        "max_mm": float(basin.max()) * 1000,
        "zones_ha": {z.severity: round(z.area_ha, 1) for z in zones},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--panels", type=int, default=50)
    ap.add_argument("--km", type=float, default=40.0)
    ap.add_argument("--cell", type=float, default=10.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        result = pool.submit(measure, args.panels, args.km, args.cell).result()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(
        f"{result['panels']} panels, {result['cells']:,} cells of {args.cell:g} m over {args.km:g} km²-side"
    )
    print(f"  basin      {result['basin_s']:.2f} s   (goal ≤ {GOAL_SECONDS:.0f} s)")
    print(f"  zones      {result['zones_s']:.2f} s")
    print(f"  GeoTIFF    {result['geotiff_s']:.2f} s")
    print(f"  peak RSS   {result['peak_mb']:.0f} MB   max subsidence {result['max_mm']:.0f} mm")
    print(f"  zones ha   {result['zones_ha']}")


if __name__ == "__main__":
    main()
