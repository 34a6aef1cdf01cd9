"""The upload test corpus, built by the tests themselves: real files of every format, as bytes.

Nothing binary is committed: each builder writes its format with the same tools field software
uses (GDAL through pyogrio, zipfile) or by hand where the format is text (KML, DXF, survey TXT),
in a temporary folder that is removed afterwards. Geometry is placed at known spots in Xuzhou.
"""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

M_PER_DEG_LAT = 111_320.0
PANAN = (117.45, 34.45)  # 潘安湖, 贾汪区: a coal-subsidence lake restored since 2010
XINYI = (118.30, 34.40)  # 新沂市, still in 3° zone 39 (central meridian 117°E)
BEIJING = (116.39, 39.91)
ZONE39 = "EPSG:4527"  # CGCS2000 3° GK zone 39, eastings with the zone prefix
CM117 = "EPSG:4548"  # the same projection, eastings without the prefix

PARCEL_COLUMNS = {
    "编号": "parcel_id",
    "名称": "name",
    "状态": "status",
    "治理方式": "measure",
    "完成日期": "completed_on",
}


def square(lon: float, lat: float, size_m: float = 200.0) -> shapely.Polygon:
    """A square of ``size_m`` metres a side, south-west corner at lon/lat."""
    dlon = size_m / (M_PER_DEG_LAT * np.cos(np.radians(lat)))
    dlat = size_m / M_PER_DEG_LAT
    return shapely.box(lon, lat, lon + dlon, lat + dlat)


def row_of_squares(
    n: int, origin: tuple[float, float] = PANAN, size_m: float = 200.0
) -> list[shapely.Polygon]:
    """``n`` squares side by side eastwards, each ``size_m`` wide with a gap of half that."""
    lon, lat = origin
    step = 1.5 * size_m / (M_PER_DEG_LAT * np.cos(np.radians(lat)))
    return [square(lon + k * step, lat, size_m) for k in range(n)]


def parcels(geoms: list[shapely.Geometry] | None = None, n: int = 3, **columns: list) -> gpd.GeoDataFrame:
    """Restoration parcels with Chinese column names, as a field team's file has them (lon/lat)."""
    geoms = geoms if geoms is not None else row_of_squares(n)
    n = len(geoms)
    data = {
        "编号": [f"P-{k + 1:03d}" for k in range(n)],
        "名称": [f"潘安湖{k + 1}号地块" for k in range(n)],
        "状态": ["已治理"] * n,
        "治理方式": ["湿地"] * n,
        "完成日期": ["2026年3月15日"] * n,
    }
    data.update(columns)
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4490")


def lonlat_to(crs: str, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return Transformer.from_crs("EPSG:4490", crs, always_xy=True).transform(lon, lat)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


def shapefile_files(
    frame: gpd.GeoDataFrame, stem: str = "parcels", encoding: str = "UTF-8"
) -> dict[str, bytes]:
    """The files of one shapefile (.shp .shx .dbf .prj .cpg) by name, written by GDAL."""
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL cutting long field names to 10 bytes
        pyogrio.write_dataframe(frame, Path(tmp) / f"{stem}.shp", encoding=encoding)
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir()}


def shapefile_zip(
    frame: gpd.GeoDataFrame,
    *,
    stem: str = "parcels",
    folder: str = "",
    encoding: str = "UTF-8",
    cpg: bool | str = True,
    prj: bool = True,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A zipped shapefile; ``cpg`` False drops the .cpg, a string replaces its contents."""
    files = shapefile_files(frame, stem, encoding)
    if cpg is False:
        files.pop(f"{stem}.cpg", None)
    elif isinstance(cpg, str):
        files[f"{stem}.cpg"] = cpg.encode()
    if not prj:
        files.pop(f"{stem}.prj", None)
    return zip_bytes({f"{folder}{name}": data for name, data in files.items()} | (extra or {}))


def _written(frame_or_layers, suffix: str, driver: str) -> bytes:
    layers = frame_or_layers if isinstance(frame_or_layers, dict) else {"layer": frame_or_layers}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out{suffix}"
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, path, layer=name, driver=driver, append=path.exists())
        return path.read_bytes()


def geopackage(layers: dict[str, gpd.GeoDataFrame]) -> bytes:
    return _written(layers, ".gpkg", "GPKG")


def flatgeobuf(frame: gpd.GeoDataFrame) -> bytes:
    return _written(frame, ".fgb", "FlatGeobuf")


def geojson(frame: gpd.GeoDataFrame) -> bytes:
    return frame.to_json(ensure_ascii=False).encode("utf-8")


# -- KML -----------------------------------------------------------------------------------------
def _kml_coords(ring) -> str:
    return " ".join(f"{x:.8f},{y:.8f},0" for x, y in ring)


def _kml_ring(coords) -> str:
    return f"<LinearRing><coordinates>{_kml_coords(coords)}</coordinates></LinearRing>"


def kml_polygon(geom: shapely.Polygon) -> str:
    holes = "".join(f"<innerBoundaryIs>{_kml_ring(r.coords)}</innerBoundaryIs>" for r in geom.interiors)
    return f"<Polygon><outerBoundaryIs>{_kml_ring(geom.exterior.coords)}</outerBoundaryIs>{holes}</Polygon>"


def kml_placemark(name: str, geometry_xml: str, data: dict[str, str] | None = None) -> str:
    extended = "".join(f'<Data name="{k}"><value>{v}</value></Data>' for k, v in (data or {}).items())
    return f"<Placemark><name>{name}</name><ExtendedData>{extended}</ExtendedData>{geometry_xml}</Placemark>"


def kml(
    placemarks: list[str], folder: str | None = "地块", encoding: str = "UTF-8", prolog: str = ""
) -> bytes:
    body = "".join(placemarks)
    if folder:
        body = f"<Folder><name>{folder}</name>{body}</Folder>"
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>{prolog}'
        f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>doc</name>{body}</Document></kml>'
    )
    return text.encode("gbk" if encoding.upper() in ("GBK", "GB2312") else "utf-8")


def parcels_kml(frame: gpd.GeoDataFrame, **kwargs) -> bytes:
    """A KML of parcels: names in <name>, the other columns as ExtendedData."""
    marks = [
        kml_placemark(
            row["名称"], kml_polygon(row.geometry), {k: str(row[k]) for k in PARCEL_COLUMNS if k != "名称"}
        )
        for _, row in frame.iterrows()
    ]
    return kml(marks, **kwargs)


# -- DXF -----------------------------------------------------------------------------------------
def dxf_polyline(coords, closed: bool = True, layer: str = "JZX") -> list[str]:
    out = ["0", "LWPOLYLINE", "100", "AcDbEntity", "8", layer, "100", "AcDbPolyline", "90", str(len(coords))]
    out += ["70", "1" if closed else "0"]
    for x, y in coords:
        out += ["10", f"{x:.3f}", "20", f"{y:.3f}"]
    return out


def dxf_text(x: float, y: float, text: str, layer: str = "ZJ") -> list[str]:
    return [
        "0",
        "TEXT",
        "100",
        "AcDbEntity",
        "8",
        layer,
        "10",
        f"{x:.3f}",
        "20",
        f"{y:.3f}",
        "40",
        "2",
        "1",
        text,
    ]


def dxf(entities: list[list[str]], codepage: str | None = "ANSI_936", encoding: str = "gbk") -> bytes:
    """A drawing as surveying CAD writes it: a header (code page) and an entities section."""
    header = ["0", "SECTION", "2", "HEADER", "9", "$ACADVER", "1", "AC1015"]
    if codepage:
        header += ["9", "$DWGCODEPAGE", "3", codepage]
    lines = [*header, "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES"]
    for entity in entities:
        lines += entity
    lines += ["0", "ENDSEC", "0", "EOF"]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def gk_ring(geom: shapely.Polygon, crs: str = ZONE39) -> list[tuple[float, float]]:
    """A polygon's outer ring in GK metres (easting, northing), open (no closing repeat)."""
    x, y = lonlat_to(crs, *np.array(geom.exterior.coords[:-1]).T)
    return list(zip(x.tolist(), y.tolist(), strict=True))


# -- survey TXT ----------------------------------------------------------------------------------
SURVEY_ATTRIBUTES = {
    "格式版本号": "1.01版本",
    "数据产生单位": "徐州市自然资源和规划局",
    "数据产生日期": "2026-03-15",
    "坐标系": "2000国家大地坐标系",
    "几度分带": "3",
    "投影类型": "高斯克吕格",
    "计量单位": "米",
    "带号": "39",
    "精度": "0.001",
    "转换参数": ",,,,,,",
}


def survey_parcel(
    geom: shapely.Polygon,
    number: str,
    name: str,
    area_ha: float | None = None,
    crs: str = ZONE39,
    prefix: bool = True,
) -> list[str]:
    """A parcel block: header line, then ``J<n>,<ring>,X(northing),Y(easting)`` per point."""
    rings = [geom.exterior, *geom.interiors]
    lines, k = [], 0
    for ring_no, ring in enumerate(rings, start=1):
        east, north = lonlat_to(crs, *np.array(ring.coords).T)
        if not prefix:
            east = east - 39_000_000
        for e, n in zip(east, north, strict=True):
            k += 1
            lines.append(f"J{k},{ring_no},{n:.3f},{e:.3f}")
    area = f"{area_ha:.4f}" if area_ha is not None else ""
    return [f"{k},{area},{number},{name},面,I50G012034,生态修复,0101,@", *lines]


def survey_txt(
    blocks: list[list[str]], attributes: dict[str, str] | None = None, encoding: str = "gbk"
) -> bytes:
    attrs = SURVEY_ATTRIBUTES if attributes is None else attributes
    lines = ["[属性描述]", *(f"{k}={v}" for k, v in attrs.items()), "[地块坐标]"]
    for block in blocks:
        lines += block
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
