"""The upload page's column-mapping step: for each layer field, one of the file's columns
(pre-filled from the aliases), a constant, or "auto" for the ID.

Shown after a check whose report says fields are missing or blank, or when the file has columns
no field takes; the choices live in the session under the layer's keys and become the
:class:`~xzsdg_geo.readers.ReadOptions` ``columns`` (``--map``) and ``defaults`` (``--set``) of the
next check, so the page and the command line map a file the same way.
"""

from __future__ import annotations

import streamlit as st

from ..attributes import match_columns
from ..i18n import t
from ..layers import FieldSpec, LayerSpec, get_layer
from ..validation import ValidationReport

AS_READ, CONSTANT, AUTO = "", "const", "auto"
COLUMN = "col:"
NEEDS_MAPPING = frozenset({"missing_field", "missing_value", "map_no_column", "bad_enum"})
# Columns the readers add themselves; not "unknown" columns of the file.
READER_COLUMNS = frozenset({"name", "description", "folder", "kind", "点数", "面积(公顷)"})


def _key(layer: str, field: str, kind: str = "map", scope: str = "") -> str:
    """A widget key per layer, field and file (``scope``): a new file starts from its own aliases."""
    return f"up_{kind}_{layer}_{field}" + (f"_{scope}" if scope else "")


def chosen(layer: str, scope: str = "") -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(columns, defaults) as the mapping step last left them for ``layer``: only what the
    uploader changed, so a file checked and left alone keeps the options it was checked with."""
    columns, defaults = [], []
    for f in get_layer(layer).fields:
        choice = st.session_state.get(_key(layer, f.name, scope=scope), AS_READ) or AS_READ
        if choice == st.session_state.get(_key(layer, f.name, "prefill", scope), AS_READ):
            continue
        if choice.startswith(COLUMN):
            columns.append((f.name, choice[len(COLUMN) :]))
        elif choice == AUTO:
            defaults.append((f.name, "auto"))
        elif choice == CONSTANT and (
            value := str(st.session_state.get(_key(layer, f.name, "const", scope), "")).strip()
        ):
            defaults.append((f.name, value))
    return tuple(columns), tuple(defaults)


def unknown_columns(spec: LayerSpec, columns: list[str]) -> list[str]:
    taken = set(match_columns(spec, columns).values())
    return [c for c in columns if c not in taken and c not in READER_COLUMNS]


def needed(report: ValidationReport) -> bool:
    """Whether the step opens by itself: attributes refused, or columns the layer does not know."""
    spec = get_layer(report.layer)
    return any(e.code in NEEDS_MAPPING for e in report.errors) or bool(
        unknown_columns(spec, report.source_columns)
    )


def _label(choice: str, language: str) -> str:
    if choice.startswith(COLUMN):
        return t("ff.map_column", language, column=choice[len(COLUMN) :])
    return t({AS_READ: "ff.map_as_read", CONSTANT: "ff.map_constant", AUTO: "ff.map_auto"}[choice], language)


def _field_choice(spec: LayerSpec, f: FieldSpec, columns: list[str], scope: str, language: str) -> None:
    options = [AS_READ, *(COLUMN + c for c in columns), CONSTANT] + (
        [AUTO] if f.name == spec.id_field else []
    )
    key = _key(spec.name, f.name, scope=scope)
    if key not in st.session_state:  # pre-filled from the aliases, once
        matched = match_columns(spec, columns).get(f.name)
        prefill = COLUMN + matched if matched else (AUTO if f.name == spec.id_field else AS_READ)
        st.session_state[key] = st.session_state[_key(spec.name, f.name, "prefill", scope)] = prefill
    label = f.label_zh if language == "zh" else f.label_en
    cols = st.columns([2, 3, 3])
    cols[0].markdown(f"**{label}**" + (" *" if f.required else ""))
    choice = cols[1].selectbox(label, options, format_func=lambda c: _label(c, language), key=key,
                               label_visibility="collapsed")  # fmt: skip
    if choice == CONSTANT:
        allowed = "、".join(v.zh for v in f.values) if f.values else ""
        cols[2].text_input(label, key=_key(spec.name, f.name, "const", scope), label_visibility="collapsed",
                           placeholder=allowed or t("ff.map_constant_hint", language))  # fmt: skip


def show(report: ValidationReport, scope: str, language: str) -> None:
    """The mapping step for the checked file (its columns from the report; ``scope`` names it)."""
    spec = get_layer(report.layer)
    columns = report.source_columns
    with st.expander(t("ff.map_heading", language), expanded=needed(report)):
        st.caption(t("ff.map_hint", language))
        if unknown := unknown_columns(spec, columns):
            st.info(t("ff.map_unknown", language, columns="、".join(unknown)))
        for f in spec.fields:
            _field_choice(spec, f, columns, scope, language)
