"""Boundary-point tables (界址点坐标表) as Excel or CSV, as RTK software and surveyors hand them in.

A header row in Chinese (or E/N, lon/lat) somewhere in the first rows (above it a title such as
"界址点坐标成果表" is common), then one row per point: 点号, X, Y, optionally 圈号 (ring: 1 the
outer boundary, higher numbers holes), 地块号 (which parcel; without it each sheet is one parcel)
and 高程. X is the northing and Y the easting, as Chinese surveying writes them; a table whose X
column holds the eastings (the mathematical convention) is recognised by the magnitudes, which
over China cannot be confused, and said. Coordinates in 经度/纬度 columns are taken as lon/lat.
The table carries no CRS: it is inferred from the numbers (a zone number in front of the eastings)
or given by the uploader, as for any file.

A sheet without coordinates whose header names the parcel column (as the upload template's
地块属性 sheet does) holds one row of attributes per parcel, joined to the parcels by that column.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import PurePath

import geopandas as gpd
import pandas as pd
import shapely

from ..errors import UserError
from . import encoding as enc
from .base import Note, ReadOptions, SourceLayer, make_layer
from .safe_zip import read_members, zip_names

MAX_ROWS = 200_000  # a parcel table is hundreds of rows; beyond this it is not one
HEADER_SEARCH_ROWS = 15
# Header spellings (normalised: no spaces, lower case) → role.
COLUMN_ROLES = {
    "point": ("点号", "点名", "界址点号", "点位", "序号", "name", "pointname", "point"),
    "north": ("x", "x坐标", "x(m)", "纵坐标", "纵坐标x", "北坐标", "北坐标x", "n", "north", "northing"),
    "east": ("y", "y坐标", "y(m)", "横坐标", "横坐标y", "东坐标", "东坐标y", "e", "east", "easting"),
    "lon": ("经度", "lon", "lng", "longitude", "东经"),
    "lat": ("纬度", "lat", "latitude", "北纬"),
    "ring": ("圈号", "环号", "ring", "圈"),
    "parcel": ("地块号", "地块编号", "宗地号", "地块", "dkbh", "parcel", "编号"),
    "name": ("地块名称", "dkmc", "项目名称"),
}
_EXPLICIT_NORTH = ("北坐标", "北坐标x", "n", "north", "northing")


def _norm(text: object) -> str:
    return re.sub(r"\s+", "", str(text)).lower().replace("（", "(").replace("）", ")")


@dataclass(frozen=True)
class Header:
    row: int
    columns: dict[str, int]  # role → column index
    explicit: bool  # the names say which axis is north (北坐标/N), not just X/Y


def find_header(rows: list[list[object]]) -> Header | None:
    """The first row naming a point column and both coordinate columns."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [_norm(v) if v is not None else "" for v in row]
        roles = {}
        for role, spellings in COLUMN_ROLES.items():
            at = next((j for j, n in enumerate(names) if n in spellings), None)
            if at is not None:
                roles[role] = at
        if "point" not in roles and "parcel" in roles and names[roles["parcel"]] == "编号":  # numbers points
            roles["point"] = roles.pop("parcel")
        if {"north", "east"} <= roles.keys() or {"lon", "lat"} <= roles.keys():
            explicit = names[roles["north"]] in _EXPLICIT_NORTH if "north" in roles else True
            return Header(i, roles, explicit)
    return None


def _number(value: object) -> float | None:
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _northing_like(v: float) -> bool:
    return 2e6 <= v < 7e6


def _easting_like(v: float) -> bool:
    return v < 1e6 or v >= 1.2e7


@dataclass
class Table:
    """Points grouped by parcel then ring, in file order."""

    parcels: dict[str, dict[int, list[tuple[float, float]]]]
    names: dict[str, str]
    lonlat: bool
    keyed: bool  # parcels named by a 地块号 column (else one per sheet, keyed by the sheet's name)
    math_axes: bool = False


def _points(rows: list[list[object]], header: Header, sheet: str) -> Table:
    cols, lonlat = header.columns, "lon" in header.columns and "north" not in header.columns
    ax, ay = (cols["lon"], cols["lat"]) if lonlat else (cols["east"], cols["north"])
    parcels: dict[str, dict[int, list[tuple[float, float]]]] = {}
    names: dict[str, str] = {}
    for offset, row in enumerate(rows[header.row + 1 :], start=header.row + 2):
        cells = [*row, *([None] * (max(cols.values()) + 1 - len(row)))]
        x, y = _number(cells[ax]), _number(cells[ay])
        if x is None and y is None:
            continue  # a blank or a total line
        if x is None or y is None:
            raise UserError("table.bad_row", sheet=sheet, row=offset)
        key = str(cells[cols["parcel"]]).strip() if "parcel" in cols and cells[cols["parcel"]] else sheet
        ring = int(_number(cells[cols["ring"]]) or 1) if "ring" in cols else 1
        parcels.setdefault(key, {}).setdefault(ring, []).append((x, y))
        if "name" in cols and cells[cols["name"]]:
            names.setdefault(key, str(cells[cols["name"]]).strip())
    return Table(parcels, names, lonlat, "parcel" in cols)


def _orient(table: Table, explicit: bool) -> Table:
    """X holding eastings and Y northings (the mathematical convention) is read the right way."""
    if table.lonlat or explicit:
        return table
    pts = [p for rings in table.parcels.values() for ring in rings.values() for p in ring]
    if pts and all(_northing_like(e) and _easting_like(n) for e, n in pts):
        flipped = {
            k: {r: [(y, x) for x, y in ring] for r, ring in rings.items()}
            for k, rings in table.parcels.items()
        }
        return Table(flipped, table.names, False, table.keyed, math_axes=True)
    return table


def _polygon(rings: dict[int, list[tuple[float, float]]], parcel: str) -> shapely.Polygon:
    shell_no = 1 if 1 in rings else min(rings)
    closed = []
    for number in (shell_no, *sorted(r for r in rings if r != shell_no)):
        ring = rings[number]
        if len(set(ring)) < 3:
            raise UserError("table.short_ring", parcel=parcel, ring=number)
        closed.append(ring if ring[0] == ring[-1] else [*ring, ring[0]])
    return shapely.Polygon(closed[0], closed[1:])


def attribute_rows(rows: list[list[object]]) -> dict[str, dict[str, object]] | None:
    """Parcel key → its attributes, from a sheet whose first row names the parcel column."""
    if not rows or not rows[0]:
        return None
    names = [str(v).strip() if v is not None else "" for v in rows[0]]
    key = next((j for j, n in enumerate(names) if _norm(n) in COLUMN_ROLES["parcel"]), None)
    if key is None:
        return None
    out = {}
    for row in rows[1:]:
        cells = [*row, *([None] * (len(names) - len(row)))]
        if any(v is not None for v in cells):
            label = str(cells[key]).strip() if cells[key] is not None else ""
            out[label] = {n: v for n, v in zip(names, cells, strict=False) if n}
    return out


def _join(frame: gpd.GeoDataFrame, attributes: dict[str, dict[str, object]]) -> gpd.GeoDataFrame:
    """Each parcel's attribute row by its key; a single unkeyed parcel takes a single row."""
    if len(frame) == 1 and len(attributes) == 1:
        rows = list(attributes.values())
    else:
        rows = [attributes.get(str(k), {}) for k in frame["地块编号"]]
    extra = pd.DataFrame(rows, index=frame.index)
    extra = extra.drop(columns=[c for c in extra.columns if c in frame.columns])
    return frame.join(extra) if len(extra.columns) else frame


def _frame(tables: list[Table]) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for table in tables:
        for key, rings in table.parcels.items():
            number = key if table.keyed else None  # else the sheet's name: not an ID
            rows.append(
                {"地块编号": number, "地块名称": table.names.get(key), "点数": sum(map(len, rings.values()))}
            )
            geoms.append(_polygon(rings, key))
    return gpd.GeoDataFrame(rows, geometry=geoms)


def _sheets_xlsx(data: bytes) -> dict[str, list[list[object]]]:
    from openpyxl import load_workbook  # only this reader needs it

    read_members(data, (".xml",))  # the zip limits first: openpyxl would inflate a bomb whole
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged workbook
        raise UserError("table.broken_xlsx", detail=str(err)[:120]) from None
    sheets = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS:
                raise UserError("table.too_many_rows", max=MAX_ROWS)
        sheets[sheet.title] = rows
    book.close()
    return sheets


def _sheets_csv(data: bytes, encoding: str | None) -> tuple[dict[str, list[list[object]]], str]:
    text, codec = enc.decode(data, encoding)
    sep = "\t" if text.count("\t") > text.count(",") else ","
    frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                        engine="python", nrows=MAX_ROWS + 1)  # fmt: skip
    if len(frame) > MAX_ROWS:
        raise UserError("table.too_many_rows", max=MAX_ROWS)
    rows = [[v if v != "" else None for v in r] for r in frame.itertuples(index=False)]
    return {"Sheet1": rows}, codec


class CoordinateTableReader:
    """``.xlsx``/``.xlsm`` workbooks and ``.csv`` files of boundary points."""

    name = "coordinate_table"

    def sniff(self, data: bytes, filename: str) -> bool:
        if filename.lower().endswith((".xlsx", ".xlsm", ".csv", ".xls")):
            return True
        return data.startswith(b"PK") and "xl/workbook.xml" in zip_names(data)

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        if filename.lower().endswith(".xls") and not data.startswith(b"PK"):
            raise UserError("table.xls")
        if data.startswith(b"PK"):
            sheets, codec = _sheets_xlsx(data), "utf-8"
        else:
            sheets, codec = _sheets_csv(data, options.encoding)
        tables, notes, attributes = [], [], {}
        for sheet, rows in sheets.items():
            header = find_header(rows)
            if header is None:
                attributes.update(attribute_rows(rows) or {})
                continue
            table = _orient(_points(rows, header, sheet), header.explicit)
            if table.math_axes:
                notes.append(Note("table_math_axes", {"sheet": sheet}))
            tables.append(table)
        if not tables or not any(t.parcels for t in tables):
            raise UserError("table.no_header", filename=filename)
        lonlat = all(t.lonlat for t in tables)
        frame = _join(_frame(tables), attributes) if attributes else _frame(tables)
        declared = "EPSG:4490" if lonlat else None
        return [
            make_layer(
                PurePath(filename).stem, frame, options, declared=declared, encoding=codec, notes=notes
            )
        ]
