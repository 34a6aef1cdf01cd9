"""Which findings refuse a file and which only warn: one list, not ``if``s scattered over checks."""

from __future__ import annotations

BLOCKERS = frozenset(
    {
        "layer_unknown",
        "upload_too_large",
        "parse_failed",
        "layer_choice",
        "empty",
        "crs_unknown",
        "crs_invalid",
        "crs_legacy",
        "gcj02_projected",
        "swapped_axes",
        "geometry_type",
        "repair_changed_area",
        "outside_xuzhou",
        "area_out_of_bounds",
        "too_many_vertices",
        "duplicate_geometry",
        "duplicate_id",
        "overlap_counted",
        "missing_field",
        "missing_value",
        "bad_enum",
        "bad_date",
        "bad_number",
        "out_of_range",
        "map_no_column",
        "internal_error",
        "resource_limit",
    }
)
WARNINGS = frozenset(
    {
        "crs_inferred",
        "legacy_transformed",
        "gcj02_converted",
        "cpg_overruled",
        "dxf_ignored",
        "txt_point_count",
        "repaired",
        "spike",
        "near_duplicate",
        "near_duplicate_capped",
        "overlap",
        "declared_area",
        "ovital_coord_types",
        "ovital_assumed_gcj02",
        "id_assigned",
        "closed_line",
        "table_math_axes",
        "outside_zones",
        "unstable_ground",
        "over_active_faces",
    }
)
BLOCKER, WARNING = "blocker", "warning"


def severity_of(code: str) -> str:
    """``blocker`` or ``warning``; a code in neither list is a programming error."""
    if code in BLOCKERS:
        return BLOCKER
    if code in WARNINGS:
        return WARNING
    raise KeyError(f"finding code {code!r} has no severity")
