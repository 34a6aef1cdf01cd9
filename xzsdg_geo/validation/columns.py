"""Column names a file format cut short, restored before attributes are mapped.

A shapefile's field names hold at most 10 bytes: in UTF-8 that is three Chinese characters, so
治理方式 arrives as 治理方, and GBK names of more than five characters are cut too. A column whose
name fills (nearly) all of the format's bytes and begins exactly one field's name or alias is
taken for that field.
"""

from __future__ import annotations

import geopandas as gpd

from ..attributes import match_columns
from ..layers import LayerSpec

CUT_CHARACTER_BYTES = 3  # a cut-off multi-byte character leaves the name up to this much shorter


def _norm(text: str) -> str:
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")")


def _may_be_cut(name: str, codec: str, max_bytes: int) -> bool:
    try:
        size = len(name.encode(codec))
    except (LookupError, UnicodeEncodeError):
        return False
    return size >= max_bytes - CUT_CHARACTER_BYTES


def restore_cut_names(
    frame: gpd.GeoDataFrame, spec: LayerSpec, codec: str | None, max_bytes: int
) -> gpd.GeoDataFrame:
    """The frame with cut column names renamed to the one field they can only be."""
    columns = [str(c) for c in frame.columns if c != "geometry"]
    matched = set(match_columns(spec, columns).values())
    renames = {}
    for column in columns:
        if column in matched or not _may_be_cut(column, codec or "utf-8", max_bytes):
            continue
        stem = _norm(column)
        fields = {
            f.name
            for f in spec.fields
            for spelling in (f.name, f.label_zh, f.label_en, *f.aliases)
            if _norm(spelling).startswith(stem)
        }
        if len(fields) == 1:
            renames[column] = fields.pop()
    return frame.rename(columns=renames) if renames else frame
