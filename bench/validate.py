"""Benchmark: a 10 000-feature zipped shapefile validated end to end. Goal: ≤ 5 s, ≤ 1 GB peak RSS.

    .venv/bin/python bench/validate.py [--features N]

The file is what a field team sends: restoration parcels with GBK attributes and no .cpg (so the
encoding is detected), in CGCS2000 3° GK zone 39 with a .prj, zipped in a sub-folder. It is
validated twice, each time in a fresh process so that time and peak memory are the upload's own:
without a store (bundled boundaries, no overlap check) and against a sample store (its districts
and approved parcels). Reading the bytes from disk is excluded; everything after is included.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORIGIN = (117.22, 34.30)  # 鼓楼区 to 贾汪区, among the sample's coal-subsidence zones
SIDE_M, STEP_M = 100.0, 150.0
M_PER_DEG = 111_320.0
STATUS = ["已完成", "在建", "计划"]
MEASURE = ["湿地", "耕地复垦", "林地", "光伏"]


def parcels(n: int) -> gpd.GeoDataFrame:
    """``n`` parcels of 1 ha on a grid, each with a slightly irregular 12-vertex outline."""
    cols = int(np.ceil(np.sqrt(n)))
    k = np.arange(n)
    lon0, lat0 = ORIGIN
    dlon = STEP_M / (M_PER_DEG * np.cos(np.radians(lat0)))
    centres = np.column_stack([lon0 + (k % cols) * dlon, lat0 + (k // cols) * STEP_M / M_PER_DEG])
    rng = np.random.default_rng(3)
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    radius = SIDE_M / 2 * rng.uniform(0.9, 1.1, (n, 12)) / M_PER_DEG
    rings = np.stack(
        [
            centres[:, :1] + radius * np.cos(angles) / np.cos(np.radians(lat0)),
            centres[:, 1:] + radius * np.sin(angles),
        ],
        axis=-1,
    )
    geoms = shapely.polygons(rings)
    frame = gpd.GeoDataFrame(
        {
            "编号": [f"XZ-{i:05d}" for i in k],
            "名称": [f"贾汪区{i}号治理地块" for i in k],
            "状态": [STATUS[i % 3] for i in k],
            "治理方式": [MEASURE[i % 4] for i in k],
            "完成日期": ["2025年12月31日" if i % 3 == 0 else "" for i in k],
            "面积": np.round(shapely.area(gpd.GeoSeries(geoms, crs="EPSG:4490").to_crs(6933)) / 1e4, 4),
        },
        geometry=geoms,
        crs="EPSG:4490",
    )
    return frame.to_crs("EPSG:4527")


def zipped_shapefile(frame: gpd.GeoDataFrame) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        pyogrio.write_dataframe(frame, Path(tmp) / "地块.shp", encoding="GBK")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in Path(tmp).iterdir():
                if path.suffix != ".cpg":
                    archive.write(path, f"成果/{path.name}")
        return buf.getvalue()


def child(zip_path: str, store_path: str | None) -> None:
    """One validation, timed, in this (fresh) process; prints its figures as JSON."""
    from xzsdg_geo.readers import ReadOptions
    from xzsdg_geo.store import open_store
    from xzsdg_geo.validation import validate_upload

    data = Path(zip_path).read_bytes()
    store = open_store(store_path) if store_path else None
    start = time.perf_counter()
    report = validate_upload(data, "地块.zip", "restoration_parcels", ReadOptions(), store)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    codes = sorted({f.code for f in [*report.errors, *report.warnings]})
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_mb,
                "features": len(report.features),
                "ok": report.ok,
                "encoding": report.encoding,
                "codes": codes,
            }
        )
    )


def run_case(zip_path: Path, store: Path | None) -> dict:
    command = [sys.executable, __file__, "--child", str(zip_path), *([str(store)] if store else [])]
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", type=int, default=10_000)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1] if len(args.child) > 1 else None)
        return
    from xzsdg_geo.services.setup import init_store

    with tempfile.TemporaryDirectory() as tmp:
        zip_path = Path(tmp) / "parcels.zip"
        zip_path.write_bytes(zipped_shapefile(parcels(args.features)))
        store = Path(tmp) / "sample.gpkg"
        init_store(str(store), with_sample=True).close()
        size_mb = zip_path.stat().st_size / 1024**2
        print(
            f"validate: {args.features} parcels, zipped shapefile {size_mb:.1f} MB (GBK, no .cpg, EPSG:4527)"
        )
        for label, store_path in (("no store", None), ("sample store", store)):
            r = run_case(zip_path, store_path)
            verdict = "PASS" if r["seconds"] <= 5 and r["peak_mb"] <= 1024 else "OVER GOAL"
            print(
                f"  {label:12s} {r['seconds']:6.2f} s  peak RSS {r['peak_mb']:7.1f} MB  "
                f"features {r['features']}  ok={r['ok']}  encoding={r['encoding']}  "
                f"findings={','.join(r['codes']) or '-'}  [{verdict}]"
            )


if __name__ == "__main__":
    main()
