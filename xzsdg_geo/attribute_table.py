"""A layer's attribute table as the app shows it: one row per feature, columns by the layer file's
labels and enum names, filtered by a text anywhere in a row, and the geometry of a chosen row.

Free of streamlit so the filter's speed is measured on its own (bench/app_draw.py: 10k rows in ≤ 1 s).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import mapping

from .layers import FieldSpec, LayerSpec
from .mapping import MISSING


def _column(spec_field: FieldSpec, values: pd.Series, lang: str) -> pd.Series:
    if spec_field.type == "enum":
        labels = {v.code: (v.zh if lang == "zh" else v.en) for v in spec_field.values}
        return values.map(lambda v: labels.get(str(v), str(v)) if pd.notna(v) else MISSING)
    if spec_field.type in ("float", "int"):  # numbers stay numbers: the table sorts them as such
        return pd.to_numeric(values, errors="coerce")
    return values.map(lambda v: str(v) if pd.notna(v) and v != "" else MISSING)


def table(spec: LayerSpec, frame: gpd.GeoDataFrame, lang: str = "zh") -> pd.DataFrame:
    """The features as display text, columns headed by their labels, indexed like ``frame``."""
    columns = {
        (f.label_zh if lang == "zh" else f.label_en): _column(f, frame[f.name], lang)
        for f in spec.fields
        if f.name in frame
    }
    return pd.DataFrame(columns, index=frame.index)


def matches(rows: pd.DataFrame, text: str) -> np.ndarray:
    """Which rows hold ``text`` (case-insensitive, literal) in any column; all of them for no text."""
    needle = text.strip().lower()
    if not needle or rows.empty:
        return np.ones(len(rows), dtype=bool)
    text_columns = [rows[c].astype(str).str.lower() for c in rows.columns]
    found = np.zeros(len(rows), dtype=bool)
    for column in text_columns:  # column by column: vectorised, no per-row Python
        found |= column.str.contains(needle, regex=False).to_numpy()
    return found


def geometry_of(frame: gpd.GeoDataFrame, index: object) -> dict | None:
    """The GeoJSON geometry of the row ``index``, to outline on the map."""
    geom = frame.geometry.get(index)
    if geom is None or geom.is_empty:
        return None
    return mapping(geom)
