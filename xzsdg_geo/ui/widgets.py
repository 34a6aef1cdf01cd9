"""Drawing shared by the workflow pages: validation reports, submission tables, preview maps.

Text that came from an upload (file names, feature names, reviewers' comments) is shown in tables,
which render it as text, or escaped with :func:`md` wherever Markdown would interpret it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ..dates import CST
from ..i18n import t
from ..layers import FieldSpec, all_layers
from ..mapping import display_value
from ..preview_map import PreviewMap
from ..store.base import Submission
from ..validation.report import count_line
from . import map_view

MAP_HEIGHT = 480
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: object) -> str:
    """``text`` shown literally inside Markdown (names and comments come from users)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def local_time(stamp: str | None) -> str:
    """A store timestamp (UTC) as Chinese local time, to the minute."""
    if not stamp:
        return ""
    return dt.datetime.fromisoformat(stamp).astimezone(CST).strftime("%Y-%m-%d %H:%M")


def layer_title(name: str, language: str) -> str:
    spec = all_layers().get(name)
    return spec.title(language) if spec else name


def role(name: str, language: str) -> str:
    return t(f"role.{name}", language)


def action_label(action: str, language: str) -> str:
    """An audit action in words; an action the catalog does not know yet shows as its code."""
    key = f"pages.action_{action}"
    text = t(key, language)
    return action if text == key else text


def plain_value(field: FieldSpec, value: object, language: str) -> str:
    """A property formatted as the map's popups show it (enum labels, numbers), as plain text."""
    return html.unescape(display_value(field, value, language))


# -- validation reports ---------------------------------------------------------------------------
FINDING_LISTS = {"blocker": "errors", "warning": "warnings"}


def report_frame(report: dict, language: str) -> pd.DataFrame:
    """One row per finding, blockers first: the feature's number (as on the map) and name."""
    names = {f["index"]: f.get("name") or "" for f in report.get("features", [])}
    whole_file = t("pages.whole_file", language)
    rows = [
        (t(f"pages.severity_{kind}", language), whole_file if n is None else str(n + 1), names.get(n, ""),
         f["message"])
        for kind, key in FINDING_LISTS.items()
        for f in report.get(key, [])
        for n in [f.get("feature")]
    ]  # fmt: skip
    columns = [t(f"pages.col_{c}", language) for c in ("severity", "feature", "name", "message")]
    return pd.DataFrame(rows, columns=columns)


def _summary(report: dict, filename: str, language: str) -> tuple[str, str]:
    crs = report.get("source_crs") or "—"
    inferred = t("validate.inferred", language) if report.get("crs_inferred") else ""
    head = t("validate.head", language, file=filename, layer=layer_title(report["layer"], language), crs=crs,
             inferred=inferred, encoding=report.get("encoding") or "—")  # fmt: skip
    return head, count_line(report, language) or t("ff.count_none", language)


def show_report(report: dict, filename: str, language: str) -> None:
    """The verdict, what was read, and every finding as a table (messages as the checks wrote them)."""
    if report.get("ok"):
        st.success(t("validate.ok", language))
    else:
        st.error(t("validate.refused", language))
    st.markdown("  \n".join(md(line) for line in _summary(report, filename, language)))
    table = report_frame(report, language)
    if table.empty:
        st.caption(t("pages.no_findings", language))
    else:
        st.dataframe(table, hide_index=True, width="stretch")


# -- submissions ----------------------------------------------------------------------------------
def submissions_frame(subs: Sequence[Submission], language: str) -> pd.DataFrame:
    rows = [
        (s.id, layer_title(s.layer, language), s.submitted_by, local_time(s.submitted_at),
         t(f"status.{s.status}", language), s.reviewed_by or "", s.review_comment or "",
         str(s.answers) if s.answers else "", s.note or "")
        for s in reversed(subs)
    ]  # fmt: skip
    keys = ("id", "layer", "by", "at", "status", "reviewer", "comment", "answers", "note")
    return pd.DataFrame(rows, columns=[t(f"pages.sub_{k}", language) for k in keys])


def show_submissions(subs: Sequence[Submission], language: str) -> None:
    if subs:
        st.dataframe(submissions_frame(subs, language), hide_index=True, width="stretch")
    else:
        st.caption(t("pages.no_submissions", language))


def submission_label(sub: Submission, language: str) -> str:
    status = t(f"status.{sub.status}", language)
    layer = layer_title(sub.layer, language)
    return t("pages.sub_label", language, id=sub.id, layer=layer, by=sub.submitted_by,
             at=local_time(sub.submitted_at), status=status)  # fmt: skip


# -- maps -----------------------------------------------------------------------------------------
def show_map(preview: PreviewMap, language: str, key: str) -> None:
    """A workflow map; like the overview's, it sends nothing back, so panning never reruns the page."""
    m = preview.build(language, map_view.assets())
    st_folium(m, key=key, height=MAP_HEIGHT, use_container_width=True, returned_objects=[])
