"""审核 / Review: the queue, and for one submission what approving it would change.

The reviewer sees the submission over the features it replaces, the validation report kept with
the upload, the area deltas and the move in each district's rate, then decides with a comment.
The service enforces the rules (comment required to reject or ask for changes; a submission
someone else decided first is refused with who and what): this page shows its message. Run as a
page script by ``st.navigation`` (hence the absolute imports and the ``__main__`` guard).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from xzsdg_geo.i18n import t
from xzsdg_geo.layers import LayerSpec, get_layer
from xzsdg_geo.services import review, submissions
from xzsdg_geo.services.review_plan import NO_CHOICES, Choices, Match
from xzsdg_geo.store import Store
from xzsdg_geo.store.base import Submission
from xzsdg_geo.textfmt import fmt_num
from xzsdg_geo.ui import auth, lang, widgets, workflow

STATUSES = ("pending", "needs_changes", "answered", "approved", "rejected", "undone", "")
DECISIONS = ("approve", "needs_changes", "reject")
KINDS = ("new", "changed", "unchanged", "removed")
SEEN_KEY = "rv_seen"  # (submission id, status) as last drawn
DECIDED_KEY = "rv_decided"  # the submission just decided or undone: kept listed, so undo is at hand


def _queue(language: str) -> Submission | None:
    """The submissions of the chosen status; the one on screen stays listed for one more run when its
    status moved on (someone else decided meanwhile), so the reviewer learns what happened to it."""
    status = st.selectbox(
        t("pages.status_filter", language),
        STATUSES,
        key="rv_status",
        format_func=lambda s: t(f"status.{s}" if s else "pages.all", language),
    )
    subs = workflow.read(lambda store: submissions.visible_submissions(store, auth.principal())) or []
    seen, decided = st.session_state.get(SEEN_KEY), st.session_state.get(DECIDED_KEY)
    shown = [s for s in subs if not status or s.status == status or seen == (s.id, status) or s.id == decided]
    widgets.show_submissions(shown, language)
    if not shown:
        return None
    by_id = {s.id: s for s in shown}
    chosen = st.selectbox(t("pages.pick_submission", language), list(by_id), key="rv_pick",
                          format_func=lambda i: widgets.submission_label(by_id[i], language))  # fmt: skip
    return by_id[chosen]


def _details(sub: Submission, language: str) -> None:
    at, status = widgets.local_time(sub.submitted_at), t(f"status.{sub.status}", language)
    facts = [t("pages.detail_submitted", language, by=sub.submitted_by, at=at, status=status)]
    if sub.answers:
        facts.append(t("pages.detail_answers", language, id=sub.answers))
    if sub.note:
        facts.append(t("pages.detail_note", language, note=widgets.md(sub.note)))
    if sub.reviewed_by:
        at, comment = widgets.local_time(sub.reviewed_at), widgets.md(sub.review_comment or "—")
        facts.append(t("pages.detail_reviewed", language, by=sub.reviewed_by, at=at, comment=comment))
    st.markdown("  \n".join(facts))


def _what_changed(d: review.FeatureDiff, spec: LayerSpec, language: str) -> str:
    """The boundary, and old -> new for each changed field, by the fields' labels."""
    parts = [t("acct.geometry_changed", language)] if d.geometry_changed else []
    for f in d.fields:
        field = spec.field(f.field)
        label = field.label_zh if language == "zh" else field.label_en
        parts.append(t("acct.field_change", language, field=label, before=_shown(f.before, language),
                       after=_shown(f.after, language)))  # fmt: skip
    return "；".join(parts)


def _shown(value: object, language: str) -> str:
    return t("acct.empty_value", language) if value is None else str(value)


def _diff_frame(preview: review.Preview, language: str) -> pd.DataFrame:
    """Per feature: the kind of change, what changed and the area before and after."""
    spec = get_layer(preview.submission.layer)
    rows = [
        (d.feature_id, t(f"pages.change_{d.kind}", language), _what_changed(d, spec, language),
         fmt_num(d.area_before_ha), fmt_num(d.area_after_ha),
         fmt_num((d.area_after_ha or 0.0) - (d.area_before_ha or 0.0)))
        for d in preview.diffs
    ]  # fmt: skip
    columns = [t(f"pages.col_{k}", language) for k in ("feature_id", "change")] + [
        t("acct.col_what", language)
    ]
    columns += [t(f"pages.col_{k}", language) for k in ("area_before", "area_after", "area_delta")]
    return pd.DataFrame(rows, columns=columns)


def _effects(preview: review.Preview, language: str) -> None:
    cols = st.columns(len(KINDS) + 1)
    for col, kind in zip(cols, KINDS, strict=False):
        col.metric(t(f"pages.change_{kind}", language), preview.count(kind))
    cols[-1].metric(
        t("pages.area_delta", language), t("pages.hectares", language, value=fmt_num(preview.area_delta_ha))
    )
    changed = any(d.kind != "unchanged" for d in preview.diffs)
    with st.expander(t("pages.diff_table", language), expanded=changed):
        st.dataframe(_diff_frame(preview, language), hide_index=True, width="stretch")
    for e in preview.rate_effects:
        st.info(t("pages.rate_effect", language, name=e.name, year=preview.as_of.year,
                  before=fmt_num(e.before_pct), after=fmt_num(e.after_pct)))  # fmt: skip
    if preview.city_effect is not None:
        c = preview.city_effect
        st.info(t("acct.city_rate_effect", language, year=preview.as_of.year, before=fmt_num(c.before_pct),
                  after=fmt_num(c.after_pct)))  # fmt: skip
    if preview.submission.status == "pending" and not preview.rate_effects:
        st.caption(t("pages.rate_unchanged", language))


def _decision(
    sub: Submission, decision: str, comment: str, choices: Choices, language: str
) -> Callable[[Store], str]:
    def action(store: Store) -> str:
        done = review.decide(store, auth.principal(), sub.id, decision, comment, choices)
        st.session_state[SEEN_KEY] = (done.id, done.status)
        st.session_state[DECIDED_KEY] = done.id
        return t("pages.decided", language, id=done.id, status=t(f"status.{done.status}", language))

    return action


def _undone(sub: Submission, language: str) -> Callable[[Store], str]:
    def action(store: Store) -> str:
        done = review.undo(store, auth.principal(), sub.id)
        st.session_state[SEEN_KEY] = (done.id, done.status)
        st.session_state[DECIDED_KEY] = done.id
        return t("pages.undone", language, id=done.id)

    return action


def _decide(sub: Submission, choices: Choices, language: str) -> None:
    """The decision has no default: approving is a choice the reviewer makes, not a click-through."""
    with st.form(f"decide_{sub.id}"):
        decision = st.radio(t("pages.decision", language), DECISIONS, horizontal=True, index=None,
                            format_func=lambda d: t(f"pages.decision_{d}", language))  # fmt: skip
        comment = st.text_area(t("pages.comment", language), help=t("pages.comment_help", language))
        if st.form_submit_button(t("pages.decide_button", language), type="primary"):
            if decision is None:
                st.error(t("acct.choose_decision", language))
            else:
                workflow.write(_decision(sub, decision, comment, choices, language))


def _choices(base: review.Preview, language: str) -> Choices:
    """What the approval closes (covered features come ticked) and which ID-less features stay new."""
    if base.submission.status != "pending" or not (base.suggested_closes or base.matches):
        return NO_CHOICES
    sid = base.submission.id
    closes = st.multiselect(t("acct.closes", language), base.suggested_closes, default=base.suggested_closes,
                            key=f"rv_closes_{sid}", help=t("acct.closes_help", language))  # fmt: skip
    as_new = frozenset(
        m.index for m in base.matches if st.checkbox(_match_label(m, language), key=f"rv_new_{sid}_{m.index}")
    )
    return Choices(frozenset(closes), as_new)


def _match_label(m: Match, language: str) -> str:
    return t("acct.as_new", language, n=m.index + 1, id=m.feature_id, share=fmt_num(100 * m.share, 1))


def _download(sub: Submission, language: str) -> None:
    original = workflow.read(lambda store: review.original_upload(store, auth.principal(), sub.id))
    if original is not None:
        st.download_button(t("acct.download_original", language, name=original[0]), original[1],
                           file_name=original[0], key=f"rv_download_{sub.id}")  # fmt: skip


def _undo(sub: Submission, language: str) -> None:
    st.caption(t("pages.undo_hint", language))
    confirmed = st.checkbox(t("pages.undo_confirm", language, id=sub.id), key=f"undo_ok_{sub.id}")
    if st.button(t("pages.undo_button", language), disabled=not confirmed, key=f"undo_{sub.id}"):
        workflow.write(_undone(sub, language))


def render() -> None:
    language = lang.current()
    st.title(t("pages.nav_review", language))
    sub = _queue(language)
    if sub is None:
        return
    st.subheader(
        t("pages.submission_heading", language, id=sub.id, layer=widgets.layer_title(sub.layer, language))
    )
    _details(sub, language)
    location, stamp = workflow.store_key()
    with st.spinner(t("pages.preparing", language)):
        view = workflow.attempt(
            lambda: workflow.review_view(location, stamp, auth.principal(), sub.id, language)
        )
    if view is None:
        return
    choices = _choices(view.preview, language)
    if choices != NO_CHOICES:
        with st.spinner(t("pages.preparing", language)):
            view = workflow.attempt(
                lambda: workflow.review_view(location, stamp, auth.principal(), sub.id, language, choices)
            )
        if view is None:
            return
    _effects(view.preview, language)
    st.caption(t("pages.review_map_hint", language))
    widgets.show_map(view.map, language, key=f"review_map_{sub.id}")
    st.markdown(f"**{t('pages.report_heading', language)}**")
    widgets.show_report(view.report, view.filename, language)
    _download(sub, language)
    # The actions are those of the status the reviewer last saw: if someone else acted meanwhile, the
    # click still reaches the service, which says who acted first.
    seen = st.session_state.get(SEEN_KEY)
    shown_as = seen[1] if seen and seen[0] == sub.id else sub.status
    if shown_as == "pending":
        _decide(sub, choices, language)
    elif shown_as == "approved":
        _undo(sub, language)
    st.session_state[SEEN_KEY] = (sub.id, sub.status)


if __name__ == "__main__":
    render()
