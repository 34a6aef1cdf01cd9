"""Files shaped exactly as the programs field teams use write them (Ovital, Google Earth, RTK
software, ArcGIS), for the reader tests and the end-to-end test."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import corpus as c
import geopandas as gpd
import numpy as np
import shapely
from openpyxl import Workbook


def ovital_placemark(name: str, geom: shapely.Polygon, coord_type: str | None) -> str:
    """A placemark as Ovital writes it: OvAttr, Style, then OvCoordType before the geometry."""
    declared = f"<OvCoordType>{coord_type}</OvCoordType>" if coord_type else ""
    return (
        f"<Placemark><name>{name}</name><description></description>"
        "<OvAttr><OvIcon>4</OvIcon><OvIconNum>0</OvIconNum></OvAttr>"
        "<Style><LineStyle><color>ff0000ff</color><width>2</width></LineStyle></Style>"
        f"{declared}{c.kml_polygon(geom)}</Placemark>"
    )


def ovital_file(marks: list[str], folder_type: str | None = None) -> bytes:
    folder = f"<OvCoordType>{folder_type}</OvCoordType>" if folder_type else ""
    body = f"<Folder><name>我的标注</name>{folder}{''.join(marks)}</Folder>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><name>奥维互动地图</name>{body}</Document></kml>"
    ).encode()


def google_earth_kml(geoms: list[shapely.Polygon], name: str = "未命名多边形") -> bytes:
    """What Google Earth Pro saves for drawn polygons: a name, a style, no attributes at all."""
    marks = "".join(
        f"<Placemark><name>{name}</name><styleUrl>#m_ylw-pushpin</styleUrl><Polygon><tessellate>1</tessellate>"
        f"<outerBoundaryIs><LinearRing><coordinates>{' '.join(f'{x},{y},0' for x, y in g.exterior.coords)}"
        "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
        for g in geoms
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2" '
        'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><name>我的地点.kml</name>'
        f"{marks}</Document></kml>"
    ).encode()


def rtk_rows(geom: shapely.Polygon, parcel: str | None = None, crs: str = c.ZONE39) -> list[list[object]]:
    """Points as RTK software lists them: 点号, X (northing), Y (easting), 高程, 圈号; closed."""
    out = []
    for ring_no, ring in enumerate([geom.exterior, *geom.interiors], start=1):
        east, north = c.lonlat_to(crs, *np.array(ring.coords).T)
        for k, (e, n) in enumerate(zip(east, north, strict=True), start=1):
            row = [f"J{k}", round(float(n), 3), round(float(e), 3), 35.21, ring_no]
            out.append([parcel, *row] if parcel is not None else row)
    return out


def rtk_xlsx(sheets: dict[str, list[list[object]]], header: list[str] | None = None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(["界址点坐标成果表"])
        sheet.merge_cells("A1:E1")
        sheet.append(["坐标系：CGCS2000 3度带 中央经线117°", None, None, "单位：米"])
        sheet.append(header or ["点号", "X", "Y", "高程", "圈号"])
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def file_gdb(tmp_path: Path, layers: dict[str, gpd.GeoDataFrame], name: str = "成果.gdb") -> bytes:
    """A File Geodatabase as ArcGIS users zip it: the X.gdb folder with its .gdbtable files."""
    gdb = tmp_path / name
    for layer, frame in layers.items():
        frame.to_file(gdb, layer=layer, driver="OpenFileGDB")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(gdb.rglob("*")):
            archive.write(path, path.relative_to(tmp_path).as_posix())
    return buffer.getvalue()
