"""Deterministic sample data (示例数据) inside the bundled approximate boundaries (示意边界).

Not survey data: shapes are drawn around places where Xuzhou's coal fields, quarry hills, urban
rivers and the plan's buffer projects are, and restoration parcels are cut from the zones and
dated so that the city rate at 2024-12-31 is the plan's 75.2 %, with districts on both sides. The
zones carry the 2010 survey date they entered the inventory (``designated_on``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely import ops
from shapely.geometry import LineString, Point, box

from .geo import area_ha
from .paths import DATA_DIR

SEED = 20_240_752
DISTRICTS_FILE = DATA_DIR / "xuzhou_districts_approx.geojson"
LAKES_FILE = DATA_DIR / "xuzhou_lakes_naturalearth.geojson"
CELL_DEG = 0.006  # parcels are cut from zones on a ~600 m grid
M_PER_DEG_LAT = 111_000.0

# Coal fields: (adcode, centre lon, centre lat, spread deg, zones, 2024 rate before calibration).
COAL_FIELDS = [
    ("320322", 116.98, 34.70, 0.10, 95, 0.80),  # 沛县: 龙固、张双楼、三河尖
    ("320305", 117.45, 34.45, 0.07, 70, 0.83),  # 贾汪区: 潘安湖、权台、旗山
    ("320312", 117.30, 34.36, 0.07, 75, 0.69),  # 铜山区: 张集、柳新、庞庄
    ("320311", 117.14, 34.27, 0.03, 12, 0.66),  # 泉山区: 韩桥、夹河 (old mines)
    ("320302", 117.24, 34.36, 0.02, 8, 0.58),  # 鼓楼区: 庞庄东 (old mines)
]
CITY_RATE_2024 = 0.752
QUARRY_HILLS = [  # (adcode, lon, lat, count)
    ("320312", 117.25, 34.15, 20),
    ("320311", 117.14, 34.22, 10),
    ("320303", 117.30, 34.22, 10),
    ("320305", 117.50, 34.40, 14),
    ("320382", 117.80, 34.40, 12),
    ("320381", 118.30, 34.40, 12),
]
# Pits within ~5 km of the central districts are engineered, the others left to recover naturally,
# except one pit in OFF_PLAN_SHARE, so the sample shows measures that go against the plan.
CITY_CORE = ("320302", "320303", "320311")
NEAR_CITY_DEG = 0.05
OFF_PLAN_SHARE = 0.1
QUARRY_POINT_EVERY = 20  # every 20th pit has no surveyed outline yet: a point
# People a collapse or landslide pit threatens (surveyed 受威胁人数), and how often.
THREAT_PEOPLE = ([0, 6, 30, 120, 320], [0.3, 0.25, 0.2, 0.15, 0.1])
# Water classes of the urban segments and how often: about 90 % at class III or better.
WATER_CLASSES = (["I", "II", "III", "IV", "V", "worse_than_V"], [0.05, 0.3, 0.55, 0.08, 0.015, 0.005])
RIVERS = [  # name, polyline through the built-up area, segments
    ("故黄河", [(117.08, 34.31), (117.17, 34.28), (117.22, 34.27), (117.30, 34.29), (117.40, 34.27)], 16),
    ("奎河", [(117.17, 34.27), (117.18, 34.22), (117.20, 34.17), (117.22, 34.12)], 10),
    ("丁万河", [(117.09, 34.33), (117.17, 34.33), (117.25, 34.34)], 10),
    ("三八河", [(117.21, 34.29), (117.23, 34.24), (117.24, 34.20)], 8),
    ("荆马河", [(117.22, 34.30), (117.28, 34.31), (117.35, 34.30)], 10),
    ("徐运新河", [(117.19, 34.29), (117.20, 34.34), (117.22, 34.39)], 9),
    ("玉带河", [(117.13, 34.22), (117.15, 34.26), (117.17, 34.30)], 8),
    ("闸河", [(117.26, 34.24), (117.30, 34.23), (117.34, 34.24)], 8),
    ("房亭河", [(117.31, 34.30), (117.36, 34.34), (117.42, 34.36)], 10),
    ("京杭运河", [(117.12, 34.36), (117.22, 34.39), (117.32, 34.37), (117.42, 34.33)], 14),
    ("拾屯河", [(117.33, 34.27), (117.34, 34.32), (117.35, 34.37)], 8),
    ("云龙湖", [(117.14, 34.23), (117.16, 34.24), (117.17, 34.22), (117.15, 34.21), (117.14, 34.23)], 6),
    ("大龙湖", [(117.32, 34.22), (117.34, 34.23), (117.35, 34.21), (117.32, 34.22)], 4),
    ("九里湖", [(117.14, 34.33), (117.16, 34.34), (117.17, 34.32), (117.14, 34.33)], 4),
]
PLAN_DUE = dt.date(2027, 12, 31)


@dataclass(frozen=True)
class BufferSample:
    project_id: str
    name: str
    lon: float
    lat: float
    hectares: float
    stage: str
    percent: float
    started: dt.date | None
    due: dt.date
    finished: dt.date | None = None


BUFFER_PROJECTS = [  # the plan's four, due by the end of 2027, then two more of the same kind
    BufferSample("BP-01", "丰县南四湖入湖河流复新河下游欢西片区生态安全缓冲区", 116.76, 34.74, 420,
                 "building", 62, dt.date(2024, 4, 1), PLAN_DUE),
    BufferSample("BP-02", "睢宁县开发区污水处理厂生态安全缓冲区", 117.95, 33.92, 85, "building", 38,
                 dt.date(2024, 9, 1), PLAN_DUE),
    BufferSample("BP-03", "铜山区郑集镇生态安全缓冲区", 117.04, 34.44, 260, "approved", 0, None, PLAN_DUE),
    BufferSample("BP-04", "贾汪区大洞山“生态岛”", 117.52, 34.40, 900, "building", 70,
                 dt.date(2024, 3, 1), PLAN_DUE),
    BufferSample("BP-05", "邳州市沂河湿地生态安全缓冲区", 118.02, 34.32, 180, "finished", 100,
                 dt.date(2023, 10, 1), dt.date(2025, 12, 31), dt.date(2025, 11, 20)),
    BufferSample("BP-06", "新沂市骆马湖东岸生态安全缓冲区", 118.30, 34.13, 240, "building", 10,
                 dt.date(2025, 3, 1), dt.date(2026, 6, 30)),
]  # fmt: skip


@dataclass(frozen=True)
class SampleData:
    """Each layer as a GeoDataFrame of canonical fields, plus when each feature entered the store."""

    layers: dict[str, gpd.GeoDataFrame]


def load_districts() -> gpd.GeoDataFrame:
    raw = gpd.read_file(DISTRICTS_FILE).to_crs("EPSG:4490")
    return gpd.GeoDataFrame({"adcode": raw["adcode"], "name": raw["name_zh"]}, geometry=raw.geometry)


def _point_in(
    rng: np.random.Generator, area: shapely.Geometry, lon: float, lat: float, spread: float
) -> Point:
    for _ in range(1000):
        p = Point(rng.normal(lon, spread), rng.normal(lat, spread))
        if area.contains(p):
            return p
    return area.representative_point()


def _blob(rng: np.random.Generator, centre: Point, radius_m: float) -> shapely.Geometry:
    """An irregular, roughly elliptical outline in lon/lat around ``centre``."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, 18))
    stretch = rng.uniform(0.6, 1.0)
    r = radius_m * rng.uniform(0.75, 1.2, len(angles))
    dx = r * np.cos(angles) / (M_PER_DEG_LAT * np.cos(np.radians(centre.y)))
    dy = r * np.sin(angles) * stretch / M_PER_DEG_LAT
    return shapely.make_valid(shapely.Polygon(np.column_stack([centre.x + dx, centre.y + dy])))


def _zones(rng: np.random.Generator, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    area_of = dict(zip(districts["adcode"], districts.geometry, strict=True))
    for adcode, lon, lat, spread, count, _ in COAL_FIELDS:
        for k in range(count):
            centre = _point_in(rng, area_of[adcode], lon, lat, spread)
            zone = _blob(rng, centre, rng.uniform(250, 1300))
            if k % 9 == 4:  # an unsubsided village inside the zone: a hole
                zone = zone.difference(_blob(rng, centre, 120))
            if k % 11 == 7:  # a second lobe of the same working: multipart
                lobe = _blob(rng, Point(centre.x + 0.02, centre.y - 0.01), 300)
                zone = shapely.MultiPolygon(shapely.get_parts(shapely.union_all([zone, lobe])))
            severity = "severe" if rng.random() < 0.35 else ("moderate" if rng.random() < 0.6 else "light")
            rows.append(
                {
                    "zone_id": f"CX-{adcode}-{k + 1:03d}",
                    "name": f"沉陷区{adcode[-2:]}-{k + 1:03d}",
                    "severity": severity,
                    "mine": f"{adcode[-2:]}号矿井{k % 7 + 1}",
                    # surveyed into the inventory during 2010, before the first parcel was restored
                    "designated_on": dt.date(2010, 1 + k % 12, 15),
                }
            )
            geoms.append(zone)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4490")


def _cells(area: shapely.Geometry) -> list[shapely.Geometry]:
    """``area`` cut on the parcel grid: disjoint pieces that cover it exactly."""
    if area.is_empty:
        return []
    minx, miny, maxx, maxy = area.bounds
    grid = [
        box(x, y, x + CELL_DEG, y + CELL_DEG)
        for x in np.arange(minx, maxx, CELL_DEG)
        for y in np.arange(miny, maxy, CELL_DEG)
    ]
    pieces = shapely.intersection(np.array(grid, dtype=object), area)
    return [p for p in pieces if p.area > 1e-9 and p.geom_type in ("Polygon", "MultiPolygon")]


def _completion_fractions(rate_2024: float) -> list[tuple[float, int]]:
    """Cumulative share of zone area completed by the end of each year, 2012 to 2026."""
    shares = [(rate_2024 * ((y - 2011) / 13) ** 0.8, y) for y in range(2012, 2025)]
    return [*shares, (rate_2024 + 0.009, 2025), (rate_2024 + 0.017, 2026)]


def _day_in(rng: np.random.Generator, year: int) -> dt.date:
    """A random day of ``year``; 2026 stops at October so no sample date lies in the future."""
    first, last = dt.date(year, 1, 1), dt.date(year, 10, 31) if year == 2026 else dt.date(year, 12, 31)
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _calibrated_rates(zone_area: dict[str, float]) -> dict[str, float]:
    """Per-district 2024 rates shifted together so their area-weighted mean is the city's 75.2 %."""
    base = {d: 0.70 for d in zone_area} | {f[0]: f[5] for f in COAL_FIELDS}
    total = sum(zone_area.values())
    shift = CITY_RATE_2024 - sum(base[d] * a for d, a in zone_area.items()) / total
    return {d: base[d] + shift for d in zone_area}


def _parcels(
    rng: np.random.Generator, zones: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    union = shapely.union_all(zones.geometry.to_numpy())
    pieces = {d.adcode: _cells(d.geometry.intersection(union)) for d in districts.itertuples()}
    pieces = {d: p for d, p in pieces.items() if p}
    rates = _calibrated_rates({d: float(area_ha(p).sum()) for d, p in pieces.items()})
    rows, geoms = [], []
    for adcode, cells in pieces.items():
        order = rng.permutation(len(cells))
        areas = area_ha(np.array(cells, dtype=object)[order])
        cumulative = np.cumsum(areas) / areas.sum()
        steps = _completion_fractions(rates[adcode])
        for k, (i, share) in enumerate(zip(order, cumulative - areas / 2 / areas.sum(), strict=True)):
            year = next((y for s, y in steps if share <= s), None)
            status = "completed" if year else ("in_progress" if share <= steps[-1][0] + 0.04 else "planned")
            done = _day_in(rng, year) if year else None
            measure = rng.choice(
                ["farmland", "wetland", "forest", "solar", "construction"], p=[0.4, 0.25, 0.2, 0.1, 0.05]
            )
            rows.append(
                {
                    "parcel_id": f"XF-{adcode}-{k + 1:04d}",
                    "name": f"{adcode[-2:]}片区修复地块{k + 1:04d}",
                    "status": status,
                    "completed_on": done,
                    "measure": str(measure),
                    "investment_wan": round(float(rng.uniform(50, 900)), 1),
                }
            )
            geoms.append(cells[i])
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4490")


def _threat(rng: np.random.Generator, hazard: str) -> tuple[int | None, float | None]:
    """Surveyed people and property (万元) a pit threatens; a pit with no hazard threatens none."""
    if hazard == "none":
        return None, None
    people = int(rng.choice(THREAT_PEOPLE[0], p=THREAT_PEOPLE[1]))
    return people, round(people * float(rng.uniform(2.0, 6.0)), 1)


def _measure(rng: np.random.Generator, near_city: bool) -> str:
    """The plan's measure for the pit's place, or, in OFF_PLAN_SHARE of pits, the other one."""
    on_plan = rng.random() >= OFF_PLAN_SHARE
    return "engineering" if near_city == on_plan else "natural"


def _quarries(rng: np.random.Generator, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    area_of = dict(zip(districts["adcode"], districts.geometry, strict=True))
    core = shapely.union_all([area_of[a] for a in CITY_CORE])
    rows, geoms = [], []
    for adcode, lon, lat, count in QUARRY_HILLS:
        for _ in range(count):
            centre = _point_in(rng, area_of[adcode], lon, lat, 0.05)
            status = str(rng.choice(["treated", "in_progress", "untreated"], p=[0.55, 0.2, 0.25]))
            year = int(rng.integers(2013, 2027)) if status == "treated" else None
            hazard = str(rng.choice(["collapse", "landslide", "none"], p=[0.4, 0.25, 0.35]))
            people, property_wan = _threat(rng, hazard)
            measure = _measure(rng, core.distance(centre) < NEAR_CITY_DEG)
            n = len(rows) + 1
            rows.append(
                {
                    "quarry_id": f"DK-{n:03d}",
                    "name": f"采石宕口{n:03d}",
                    "hazard_type": hazard,
                    "threat_people": people,
                    "threat_property_wan": property_wan,
                    "status": status,
                    "completed_on": dt.date(year, 6, 30) if year else None,
                    "measure": None if status == "untreated" and rng.random() < 0.5 else measure,
                }
            )
            outline = _blob(rng, centre, rng.uniform(80, 220))
            geoms.append(centre if n % QUARRY_POINT_EVERY == 0 else outline)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4490")


def _scores(rng: np.random.Generator) -> dict[str, float]:
    """The five 幸福河湖 dimensions of an assessed segment, 0-100."""
    dims = ("safety", "health", "beauty", "culture", "development")
    return {f"score_{d}": round(float(rng.uniform(72, 98)), 1) for d in dims}


def _river_segments(rng: np.random.Generator) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for river, coords, count in RIVERS:
        line = shapely.segmentize(LineString(coords), 0.002)
        for k in range(count):
            part = ops.substring(line, k / count, (k + 1) / count, normalized=True)
            status = str(rng.choice(["accepted", "building", "not_started"], p=[0.62, 0.28, 0.10]))
            water = rng.choice(WATER_CLASSES[0], p=WATER_CLASSES[1])
            n = len(rows) + 1
            rows.append(
                {
                    "segment_id": f"HH-{n:03d}",
                    "river": river,
                    "name": f"{river}第{k + 1}段",
                    "water_class": str(water),
                    "happy_status": status,
                    "accepted_year": int(rng.integers(2021, 2027)) if status == "accepted" else None,
                    **(_scores(rng) if status == "accepted" else {}),
                }
            )
            geoms.append(part)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4490")


def _buffer_projects(rng: np.random.Generator) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for bp in BUFFER_PROJECTS:
        radius = np.sqrt(bp.hectares * 10_000 / np.pi)
        geoms.append(_blob(rng, Point(bp.lon, bp.lat), radius))
        rows.append(
            {
                "project_id": bp.project_id,
                "name": bp.name,
                "stage": bp.stage,
                "percent_complete": float(bp.percent),
                "due_on": bp.due,
                "started_on": bp.started,
                "finished_on": bp.finished,
            }
        )
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4490")


def build() -> SampleData:
    """All sample layers; the same bytes every time."""
    rng = np.random.default_rng(SEED)
    districts = load_districts()
    zones = _zones(rng, districts)
    return SampleData(
        {
            "subsidence_zones": zones,
            "restoration_parcels": _parcels(rng, zones, districts),
            "quarries": _quarries(rng, districts),
            "river_segments": _river_segments(rng),
            "buffer_projects": _buffer_projects(rng),
        }
    )
