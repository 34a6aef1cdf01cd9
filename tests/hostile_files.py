"""Hostile uploads, built on demand: each small on the wire and costly for a naive reader.

Shared by ``tests/test_hostile_uploads.py`` and ``bench/hostile.py``; nothing is committed.
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import corpus as c
import geopandas as gpd
import numpy as np
import shapely


def escape_zip(target: Path) -> bytes:
    """A shapefile zip plus entries whose names lead to ``target`` (absolute, UNC, ``..``)."""
    absolute = str(target).lstrip("/")
    files = c.shapefile_files(c.parcels())
    names = [f"//{absolute}", "\\\\" + absolute.replace("/", "\\"), "../" * 30 + absolute]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for name in names:
            archive.writestr(zipfile.ZipInfo(name), b"overwritten")
    return buf.getvalue()


def nested_dxf(levels: int = 10, fan: int = 10) -> bytes:
    """Blocks each inserting the previous one ``fan`` times: fan**levels entities once expanded."""
    lines = ["0", "SECTION", "2", "BLOCKS", "0", "BLOCK", "2", "B0", "70", "0", "10", "0", "20", "0"]
    lines += ["0", "LINE", "8", "0", "10", "0", "20", "0", "11", "1", "21", "1", "0", "ENDBLK"]
    for k in range(1, levels):
        lines += ["0", "BLOCK", "2", f"B{k}", "70", "0", "10", "0", "20", "0"]
        for j in range(fan):
            lines += ["0", "INSERT", "8", "0", "2", f"B{k - 1}", "10", str(j), "20", "0"]
        lines += ["0", "ENDBLK"]
    lines += ["0", "ENDSEC", "0", "SECTION", "2", "ENTITIES"]
    lines += ["0", "INSERT", "8", "0", "2", f"B{levels - 1}", "10", "0", "20", "0", "0", "ENDSEC", "0", "EOF"]
    return ("\n".join(lines) + "\n").encode()


def wide_dxf(copies: int = 2000) -> bytes:
    """One block of a closed polyline inserted as a MINSERT grid of ``copies`` × ``copies``."""
    block = c.dxf_polyline([(0, 0), (10, 0), (10, 10), (0, 10)])
    lines = ["0", "SECTION", "2", "BLOCKS", "0", "BLOCK", "2", "P", "70", "0", "10", "0", "20", "0"]
    lines += [*block, "0", "ENDBLK", "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES"]
    lines += ["0", "INSERT", "8", "0", "2", "P", "10", "39500000", "20", "3800000"]
    lines += ["70", str(copies), "71", str(copies), "44", "20", "45", "20", "0", "ENDSEC", "0", "EOF"]
    return ("\n".join(lines) + "\n").encode()


_VIEWS = {
    "recursive": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
    " SELECT n AS fid, (SELECT geom FROM parcels LIMIT 1) AS geom FROM r",
    "zeroblob": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r LIMIT 4000)"
    " SELECT n AS fid, zeroblob(1000000) AS geom FROM r",
}


def view_geopackage(kind: str, only: bool = True) -> bytes:
    """A GeoPackage whose feature layer ``evil`` is a view: endless (recursive) or huge (zeroblob)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "evil.gpkg"
        path.write_bytes(c.geopackage({"parcels": c.parcels()}))
        with sqlite3.connect(path) as con:
            con.execute(f"CREATE VIEW evil AS {_VIEWS[kind]}")
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)"
                " VALUES ('evil', 'features', 'evil', 4490)"
            )
            con.execute("INSERT INTO gpkg_geometry_columns VALUES ('evil', 'geom', 'POLYGON', 4490, 0, 0)")
            if only:
                con.execute("DELETE FROM gpkg_contents WHERE table_name = 'parcels'")
        con.close()
        return path.read_bytes()


def recursive_catalog_geopackage() -> bytes:
    """A GeoPackage whose catalog itself (gpkg_contents) is an endless view."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "evil.gpkg"
        path.write_bytes(c.geopackage({"parcels": c.parcels()}))
        with sqlite3.connect(path) as con:
            con.execute("ALTER TABLE gpkg_contents RENAME TO old_contents")
            con.execute(
                "CREATE VIEW gpkg_contents AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1"
                " FROM r) SELECT o.* FROM old_contents o, r"
            )
        con.close()
        return path.read_bytes()


def overlapping_squares(n: int = 8000) -> bytes:
    """``n`` 200 m squares each shifted 2 cm from the last: every one overlaps every other."""
    lon, lat = c.PANAN
    step = 0.02 / (c.M_PER_DEG_LAT * np.cos(np.radians(lat)))
    geoms = [c.square(lon + k * step, lat) for k in range(n)]
    return c.geojson(c.parcels(geoms=geoms))


def identical_placemarks(n: int = 100_000) -> bytes:
    """``n`` KML placemarks with the same polygon."""
    polygon = c.kml_polygon(c.square(*c.PANAN))
    marks = [c.kml_placemark(f"地块{k}", polygon) for k in range(n)]
    return c.kml(marks)


def wide_dbf_zip(records: int = 60_000, fields: int = 20) -> bytes:
    """Points with two random GBK name fields and many wide blank ones, no .cpg: a few megabytes
    that unzip to some 250 (within the zip caps), so every copy of the table and every Python
    pass over its records counts."""
    rng = np.random.default_rng(7)
    alphabet = np.array(list("潘安湖采煤塌陷区生态修复治理湿地林地耕地复垦贾汪铜山沛县丰县邳州新沂睢宁"))
    names = ["".join(rng.choice(alphabet, 10)) for _ in range(records)]
    columns = {f"F{k:02d}": names if k < 2 else [" " * 200] * records for k in range(fields)}
    lon, lat = c.PANAN
    points = shapely.points(lon + rng.random(records) * 0.01, np.full(records, lat))
    files = c.shapefile_files(gpd.GeoDataFrame(columns, geometry=points, crs="EPSG:4490"), encoding="GBK")
    files.pop("parcels.cpg", None)
    return c.zip_bytes(files)


def dense_polygon(vertices: int = 400_000) -> bytes:
    """One self-intersecting (bow-tie fringed) polygon with ``vertices`` points: costly to repair."""
    lon, lat = c.PANAN
    t = np.linspace(0, 2 * np.pi, vertices)
    r = 0.01 * (1 + 0.5 * np.sin(t * vertices / 3))
    ring = np.column_stack([lon + r * np.cos(t), lat + r * np.sin(t)])
    ring[-1] = ring[0]
    return c.geojson(c.parcels(geoms=[shapely.Polygon(ring)]))


def sparse_file(path: Path, size: int = 2 * 1024**3) -> Path:
    """A file of ``size`` bytes that takes no disk (truncate): a 2 GB "GeoJSON"."""
    with path.open("wb") as fh:
        fh.write(b'{"type": "FeatureCollection", "features": [')
        fh.truncate(size)
    return path


# -- what a runaway GDAL/GEOS call looks like to the worker (module-level: the worker imports them)
def crash() -> None:
    """A segmentation fault, as a C library bug gives."""
    import ctypes

    ctypes.string_at(0)


def hang() -> None:
    """Waiting forever (a lock, a read that never returns)."""
    import time

    time.sleep(3600)


def spin() -> None:
    """Computing forever."""
    while True:
        pass


def hog() -> bytes:
    """Allocating without end."""
    chunks = []
    while True:
        chunks.append(bytearray(64 * 1024 * 1024))
