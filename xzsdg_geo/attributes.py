"""Attribute columns of an input file mapped onto a layer's declared fields.

Column names match a field by its name or any alias (Chinese or English, case-insensitive);
enum values by code, Chinese, English or alias; dates in every spelling :mod:`dates` accepts.
Each problem is reported per feature, so a field worker can see which row to fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .dates import parse_date
from .layers import FieldSpec, LayerSpec

# A value (by --set, --map or the upload page) that asks for the ID to be assigned.
AUTO_VALUES = frozenset({"auto", "自动", "自动编号"})


@dataclass(frozen=True)
class AttributeProblem:
    """A value that could not be mapped: ``kind`` is missing_field, missing_value, bad_enum,
    bad_date, bad_number or out_of_range; or ``id_assigned``, an ID given where the file had none."""

    kind: str
    field: str
    feature: int | None = None
    value: str | None = None


def _norm(text: str) -> str:
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")")


def match_columns(spec: LayerSpec, columns: list[str]) -> dict[str, str]:
    """Field name → input column, for every field the input carries under some spelling."""
    by_norm = {_norm(c): c for c in columns}
    found = {}
    for f in spec.fields:
        for spelling in (f.name, f.label_zh, f.label_en, *f.aliases):
            if (col := by_norm.get(_norm(spelling))) is not None:
                found[f.name] = col
                break
    return found


def _is_blank(value: object) -> bool:
    """None, NaN, NaT (an empty date cell as pyogrio reads it) or only whitespace."""
    return (
        value is None
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
        or (str(value).strip() == "")
    )


def _land_use_code(f: FieldSpec, value: object) -> str | None:
    """The enum value whose ``code_prefixes`` begin a land-use code (0101, 011, "1104 坑塘水面").

    Only text is read so: a number (101) has lost its leading zero and could be any class.
    """
    if not isinstance(value, str) or not (digits := re.match(r"\s*(\d{3,6})\b", value)):
        return None
    code = digits.group(1)
    return next((v.code for v in f.values if code.startswith(v.code_prefixes or ("-",))), None)


def convert_value(f: FieldSpec, value: object) -> object:
    """The canonical value of one cell; ``ValueError`` when it does not fit the field."""
    if _is_blank(value):
        return None
    if f.type == "enum":
        wanted = _norm(value)
        for v in f.values:
            if wanted in {_norm(s) for s in v.spellings()}:
                return v.code
        if (code := _land_use_code(f, value)) is not None:
            return code
        raise ValueError("bad_enum")
    if f.type == "date":
        if (day := parse_date(value)) is None:
            raise ValueError("bad_date")
        return day
    if f.type in ("int", "float"):
        try:
            number = float(str(value).replace(",", ""))
        except ValueError:
            raise ValueError("bad_number") from None
        if not math.isfinite(number):
            raise ValueError("bad_number")
        if (f.min is not None and number < f.min) or (f.max is not None and number > f.max):
            raise ValueError("out_of_range")
        return int(number) if f.type == "int" and number.is_integer() else number
    text = str(value).strip()
    return text[:-2] if f.name.endswith("id") and text.endswith(".0") and text[:-2].isdigit() else text


def map_attributes(spec: LayerSpec, frame: pd.DataFrame) -> tuple[list[dict], list[AttributeProblem]]:
    """Canonical property dicts, one per row, and every problem found on the way."""
    columns = match_columns(spec, [str(c) for c in frame.columns if c != "geometry"])
    problems = [
        AttributeProblem("missing_field", f.name) for f in spec.fields if f.required and f.name not in columns
    ]
    records = []
    for i, raw in enumerate(frame.drop(columns="geometry", errors="ignore").to_dict("records")):
        record = {}
        for f in spec.fields:
            value = raw.get(columns[f.name]) if f.name in columns else None
            try:
                record[f.name] = convert_value(f, value)
            except ValueError as err:
                problems.append(AttributeProblem(str(err), f.name, i, str(value)))
                record[f.name] = None
                continue
            if record[f.name] is None and f.required and f.name in columns:
                problems.append(AttributeProblem("missing_value", f.name, i))
        records.append(record)
    return records, problems


def with_defaults(frame: pd.DataFrame, spec: LayerSpec, defaults: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """The frame with each uploader-given default filled in where the file has no value: as a new
    column when the file lacks the field, in the blank cells when it has the column (a KML always
    has a name column, often empty). A value the file has always wins."""
    present = match_columns(spec, [str(c) for c in frame.columns if c != "geometry"])
    out = frame.copy()
    for name, value in defaults:
        for field_name in match_columns(spec, [name]):
            column = present.get(field_name)
            if column is None:
                out[name] = value
            else:
                blank = out[column].map(_is_blank)
                out[column] = out[column].astype(object).where(~blank, value)
    return out


def with_mapping(frame: pd.DataFrame, spec: LayerSpec, mapping: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """The frame with uploader-chosen columns taken for fields (``--map 名称=DKMC``): the chosen
    column is renamed to the field's name, and a column the aliases had matched for that field
    instead is set aside, so the choice is what counts. Names that match no field are skipped (the
    CLI and the upload page only offer fields); a column the file lacks is reported by
    :func:`map_upload`."""
    renames: dict[str, str] = {}
    for name, column in mapping:
        matched = match_columns(spec, [name])
        if matched and column in frame.columns:
            renames[column] = next(iter(matched))
    if not renames:
        return frame
    present = match_columns(spec, [str(c) for c in frame.columns if c != "geometry" and c not in renames])
    shadowed = {col: f"{col} (原)" for f, col in present.items() if f in renames.values()}
    return frame.rename(columns={**shadowed, **renames})


# Generic ID columns that writers fill with row numbers (GeoJSON feature ids "0", "1" … from
# geopandas, FID/OBJECTID from ArcGIS): such a column is no one's parcel ID.
ROW_NUMBER_COLUMNS = frozenset({"id", "fid", "objectid"})


def _row_numbers(values: pd.Series) -> bool:
    text = [str(v).strip().removesuffix(".0") for v in values]
    return text in ([str(i) for i in range(len(text))], [str(i + 1) for i in range(len(text))])


def without_row_numbers(
    frame: pd.DataFrame, spec: LayerSpec, mapping: Iterable[tuple[str, str]]
) -> pd.DataFrame:
    """The frame without a generic ID column holding only row numbers, unless the uploader chose it:
    those numbers would collide with every other upload's (and be taken as changes of them)."""
    column = match_columns(spec, [str(c) for c in frame.columns if c != "geometry"]).get(spec.id_field)
    chosen = {col for _, col in mapping}
    if column is None or column in chosen or _norm(column) not in ROW_NUMBER_COLUMNS or not len(frame):
        return frame
    return frame.drop(columns=[column]) if _row_numbers(frame[column]) else frame


def map_upload(
    spec: LayerSpec,
    frame: pd.DataFrame,
    mapping: Iterable[tuple[str, str]] = (),
    defaults: Iterable[tuple[str, str]] = (),
) -> tuple[list[dict], list[AttributeProblem]]:
    """What an upload's attributes become: the uploader's column choices, then their defaults,
    then :func:`map_attributes`; a chosen column the file lacks is a ``map_no_column`` problem."""
    mapping, columns = list(mapping), {str(c) for c in frame.columns}
    unknown = [
        AttributeProblem("map_no_column", next(iter(fields)), None, column)
        for name, column in mapping
        if (fields := match_columns(spec, [name])) and column not in columns
    ]
    chosen = with_mapping(without_row_numbers(frame, spec, mapping), spec, mapping)
    records, problems = map_attributes(spec, with_defaults(chosen, spec, defaults))
    return records, unknown + problems
