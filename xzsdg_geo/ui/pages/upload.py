"""上传 / Upload: a field team's file is read and checked, its report shown on a map, then submitted.

Two steps on purpose: the check writes nothing, so a team can fix and re-check as often as needed;
submitting keeps the file and queues it for review (the service checks it again). Below, the
team's submissions with their status and the reviewers' comments. Run as a page script by
``st.navigation`` (hence the absolute imports and the ``__main__`` guard).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import streamlit as st

from xzsdg_geo.attributes import match_columns
from xzsdg_geo.errors import UserError
from xzsdg_geo.i18n import t
from xzsdg_geo.layers import get_layer
from xzsdg_geo.preview_map import upload_map
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.services import submissions
from xzsdg_geo.services.layer_access import submittable_layers
from xzsdg_geo.services.submissions import RESUBMITTABLE
from xzsdg_geo.store import Store
from xzsdg_geo.store.base import Submission
from xzsdg_geo.templates import TEMPLATE_FORMATS, template
from xzsdg_geo.ui import auth, column_mapping, data, lang, widgets, workflow
from xzsdg_geo.validation import ValidationReport, validate_upload

CHECK_KEY = "upload_check"  # (signature of file + choices, its report)
ROUND_KEY = "upload_round"  # bumped after a submission: a fresh, empty file picker
ENCODINGS = ("", "utf-8", "gbk", "gb18030")
DEFAULT_LAYER = "restoration_parcels"
ZONES_LAYER = "subsidence_zones"  # drawn under every upload: where restoration counts


def _defaults(text: str, layer: str, language: str) -> tuple[tuple[str, str], ...]:
    """``字段=值`` lines naming fields of ``layer``; any other line is pointed out and left out."""
    pairs = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        name, sep, value = line.partition("=")
        if sep and match_columns(get_layer(layer), [name.strip()]):
            pairs.append((name.strip(), value.strip()))
        else:
            st.warning(t("pages.defaults_bad", language, line=line))
    return tuple(pairs)


def _options(language: str, offered: list[str], layer: str, scope: str) -> ReadOptions:
    """What the uploader may say about the file that it cannot say itself (all optional)."""
    with st.expander(t("pages.options", language)):
        cols = st.columns(2)
        crs = cols[0].text_input(t("pages.crs", language), help=t("pages.crs_help", language), key="up_crs")
        encoding = cols[1].selectbox(
            t("pages.encoding", language),
            ENCODINGS,
            format_func=lambda e: e or t("pages.auto", language),
            key="up_encoding",
        )
        gcj02 = st.checkbox(t("pages.gcj02", language), help=t("pages.gcj02_help", language), key="up_gcj02")
        source_layer = None
        if len(offered) > 1:
            source_layer = st.selectbox(t("pages.source_layer", language), offered, key="up_source_layer")
        text = st.text_area(
            t("pages.defaults", language), help=t("pages.defaults_help", language), key="up_defaults"
        )
    columns, mapped_defaults = column_mapping.chosen(layer, scope)
    defaults = (*_defaults(text, layer, language), *mapped_defaults)  # typed lines first: they win
    return ReadOptions(crs=crs.strip() or None, encoding=encoding or None, gcj02=gcj02,
                       source_layer=source_layer, defaults=defaults, columns=columns)  # fmt: skip


@dataclass(frozen=True)
class Chosen:
    """The file and what the uploader said about it: what is checked, then submitted."""

    data: bytes
    filename: str
    layer: str
    options: ReadOptions


def _check(chosen: Chosen, language: str) -> ValidationReport | None:
    with st.status(t("pages.checking", language), expanded=False) as status:
        st.write(t("pages.checking_detail", language, file=widgets.md(chosen.filename)))
        report = workflow.read(
            lambda store: validate_upload(chosen.data, chosen.filename, chosen.layer, chosen.options, store)
        )
        ok = bool(report and report.ok)
        status.update(label=t("pages.checked_ok" if ok else "pages.checked_refused", language),
                      state="complete" if ok else "error")  # fmt: skip
    return report


def _mine(status: str | None = None) -> list[Submission]:
    """The signed-in user's own submissions (an administrator may see everyone's elsewhere)."""
    me = auth.principal()
    visible = workflow.read(lambda store: submissions.visible_submissions(store, me, status)) or []
    return [s for s in visible if s.submitted_by == me.username]


def _submit(chosen: Chosen, note: str, answers: int | None, language: str) -> Callable[[Store], str]:
    def action(store: Store) -> str:
        result = submissions.submit(
            store, auth.principal(), chosen.data, chosen.filename, chosen.layer,
            note=note.strip() or None, answers=answers, options=chosen.options,
        )  # fmt: skip
        if result.submission is None:  # the store changed since the check (an overlap approved meanwhile)
            raise UserError("pages.submit_refused", upload=result.upload.id)
        st.session_state.pop(CHECK_KEY, None)
        st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
        return t("pages.submitted", language, id=result.submission.id, n=len(result.report.features),
                 warnings=len(result.report.warnings))  # fmt: skip

    return action


def _submit_form(chosen: Chosen, language: str) -> None:
    answerable = [s for s in _mine() if s.status in RESUBMITTABLE and s.layer == chosen.layer]
    labels = {s.id: widgets.submission_label(s, language) for s in answerable}
    with st.form("submit"):
        note = st.text_area(t("pages.note", language), key="up_note")
        answers = st.selectbox(
            t("pages.answers", language),
            [None, *labels],
            format_func=lambda i: labels[i] if i else t("pages.answers_none", language),
        )
        if st.form_submit_button(t("pages.submit_button", language), type="primary"):
            workflow.write(_submit(chosen, note, answers, language))


@st.cache_data(show_spinner=False, max_entries=8)
def _store_layer(location: str, stamp: data.Stamp, layer: str) -> gpd.GeoDataFrame:
    """A layer's approved features, for the preview map (zones; what an upload overlaps)."""
    with auth.opened_store(location) as store:
        return store.features(layer)


def _report(report: ValidationReport, filename: str, language: str) -> None:
    st.subheader(t("pages.report_heading", language))
    widgets.show_report(report.to_dict(language), filename, language)
    location, stamp = workflow.store_key()
    zones, approved = _store_layer(location, stamp, ZONES_LAYER), _store_layer(location, stamp, report.layer)
    preview = upload_map(report, language, workflow.districts_frame(location, stamp), zones, approved)
    if preview is not None:
        st.caption(t("pages.upload_map_hint", language))
        widgets.show_map(preview, language, key="upload_map")


def _template(layer: str, language: str) -> None:
    """An empty file with the layer's Chinese columns, value lists and CRS, to fill in and upload."""
    spec = get_layer(layer)
    formats = [f for f in TEMPLATE_FORMATS if f != "xlsx" or spec.is_polygon]
    with st.expander(t("ff.template_heading", language)):
        fmt = st.radio(t("ff.template_format", language), formats, horizontal=True, key="up_template_format")
        content, filename, mime = _template_file(layer, fmt, language)
        st.download_button(t("ff.template_download", language), content, filename, mime,
                           key="up_template_download")  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=32)
def _template_file(layer: str, fmt: str, language: str) -> tuple[bytes, str, str]:
    export = template(get_layer(layer), fmt, lang=language)
    return export.data, export.filename, export.mime


def _needs_changes(language: str) -> None:
    """The team's submissions a reviewer sent back, with the comment, above the file picker."""
    for sub in _mine("needs_changes"):
        comment = widgets.md(sub.review_comment or "—")
        st.warning(t("pages.needs_changes_notice", language, id=sub.id, by=sub.reviewed_by, comment=comment))


def _upload(language: str) -> None:
    offered = submittable_layers(auth.principal())  # layers/*.toml: submit_roles
    layer = st.selectbox(t("pages.layer", language), offered, index=offered.index(DEFAULT_LAYER),
                         format_func=lambda n: widgets.layer_title(n, language), key="up_layer")  # fmt: skip
    _template(layer, language)
    file = st.file_uploader(t("pages.file", language), help=t("pages.file_help", language),
                            key=f"up_file_{st.session_state.get(ROUND_KEY, 0)}")  # fmt: skip
    checked = st.session_state.get(CHECK_KEY)
    same_file = bool(file and checked and checked[1] and checked[0][0] == file.file_id)
    scope = str(file.file_id) if file else ""
    options = _options(language, checked[1].source_layers if same_file else [], layer, scope)
    if file is None:
        return
    signature = (file.file_id, layer, options)
    chosen = Chosen(file.getvalue(), file.name, layer, options)
    if st.button(t("pages.check_button", language), type="primary"):
        checked = st.session_state[CHECK_KEY] = (signature, _check(chosen, language))
    if not checked or checked[1] is None or checked[0][0] != file.file_id:
        return
    current = checked[0] == signature  # else the options changed since: the report is stale
    if current:
        _report(checked[1], file.name, language)
    column_mapping.show(checked[1], scope, language)  # kept while its choices change, until the next check
    if current and checked[1].ok:
        _submit_form(chosen, language)


def render() -> None:
    language = lang.current()
    st.title(t("pages.nav_upload", language))
    _needs_changes(language)
    _upload(language)
    st.subheader(t("pages.mine_heading", language))
    widgets.show_submissions(_mine(), language)


if __name__ == "__main__":
    render()
