"""A field team's file made from the sample store's own features: parcels it plans, now finished.

Shared by the app's page tests and the browser test, so both submit the same realistic upload:
parcels of one district that the store holds as 计划 (planned), re-declared 已完成 today, with
the Chinese column names and GBK attributes a field team's shapefile has.
"""

from __future__ import annotations

from pathlib import Path

import corpus as c
import geopandas as gpd
import shapely

from xzsdg_geo.dates import today_cst
from xzsdg_geo.store import open_store

JIAWANG = "320305"


def completed_parcels(store_path: Path, adcode: str = JIAWANG, n: int = 2) -> gpd.GeoDataFrame:
    """The first ``n`` planned parcels inside ``adcode``, declared completed today."""
    store = open_store(str(store_path))
    try:
        parcels = store.features("restoration_parcels")
        district = store.features("districts").set_index("adcode").geometry[adcode]
    finally:
        store.close()
    inside = shapely.within(shapely.point_on_surface(parcels.geometry.to_numpy()), district)
    planned = parcels[inside & (parcels["status"] == "planned")].head(n)
    assert len(planned) == n, f"the sample has fewer than {n} planned parcels in {adcode}"
    return gpd.GeoDataFrame(
        {"编号": planned["parcel_id"].to_list(), "名称": planned["name"].to_list(), "状态": ["已完成"] * n,
         "治理方式": ["湿地"] * n, "完成日期": [today_cst().isoformat()] * n},
        geometry=planned.geometry.to_list(), crs="EPSG:4490",
    )  # fmt: skip


def parcels_zip(store_path: Path, adcode: str = JIAWANG, n: int = 2) -> bytes:
    """Those parcels as a zipped shapefile with GBK attributes and a .cpg saying so."""
    return c.shapefile_zip(completed_parcels(store_path, adcode, n), encoding="GBK")
