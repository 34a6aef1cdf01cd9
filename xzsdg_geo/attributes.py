"""Attribute columns of an input file mapped onto a layer's declared fields.

Column names match a field by its name or any alias (Chinese or English, case-insensitive);
enum values by code, Chinese, English or alias; dates in every spelling :mod:`dates` accepts.
Each problem is reported per feature, so a field worker can see which row to fix.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .dates import parse_date
from .layers import FieldSpec, LayerSpec


@dataclass(frozen=True)
class AttributeProblem:
    """A value that could not be mapped: ``kind`` is missing_field, missing_value, bad_enum,
    bad_date, bad_number or out_of_range."""

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


def convert_value(f: FieldSpec, value: object) -> object:
    """The canonical value of one cell; ``ValueError`` when it does not fit the field."""
    if _is_blank(value):
        return None
    if f.type == "enum":
        wanted = _norm(value)
        for v in f.values:
            if wanted in {_norm(s) for s in v.spellings()}:
                return v.code
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
    """The frame with a column per uploader-given default whose field the file does not carry;
    a column the file has always wins."""
    present = match_columns(spec, [str(c) for c in frame.columns if c != "geometry"])
    extra = {}
    for name, value in defaults:
        matched = match_columns(spec, [name])
        if matched and not set(matched) & set(present):
            extra[name] = value
    return frame.assign(**extra) if extra else frame
