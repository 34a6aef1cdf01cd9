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
from xzsdg_geo.services import review, submissions
from xzsdg_geo.store import Store
from xzsdg_geo.store.base import Submission
from xzsdg_geo.textfmt import fmt_num
from xzsdg_geo.ui import auth, lang, widgets, workflow

STATUSES = ("pending", "needs_changes", "approved", "rejected", "undone", "")
DECISIONS = ("approve", "needs_changes", "reject")
KINDS = ("new", "changed", "unchanged", "removed")
SEEN_KEY = "rv_seen"  # (submission id, status) as last drawn


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
    seen = st.session_state.get(SEEN_KEY)
    shown = [s for s in subs if not status or s.status == status or seen == (s.id, status)]
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


def _diff_frame(preview: review.Preview, language: str) -> pd.DataFrame:
    """Per feature: the kind of change and the area before and after (the map's colours, as a list)."""
    rows = [
        (d.feature_id, t(f"pages.change_{d.kind}", language), fmt_num(d.area_before_ha),
         fmt_num(d.area_after_ha), fmt_num((d.area_after_ha or 0.0) - (d.area_before_ha or 0.0)))
        for d in preview.diffs
    ]  # fmt: skip
    keys = ("feature_id", "change", "area_before", "area_after", "area_delta")
    return pd.DataFrame(rows, columns=[t(f"pages.col_{k}", language) for k in keys])


def _effects(preview: review.Preview, language: str) -> None:
    cols = st.columns(len(KINDS) + 1)
    for col, kind in zip(cols, KINDS, strict=False):
        col.metric(t(f"pages.change_{kind}", language), preview.count(kind))
    cols[-1].metric(
        t("pages.area_delta", language), t("pages.hectares", language, value=fmt_num(preview.area_delta_ha))
    )
    with st.expander(t("pages.diff_table", language)):
        st.dataframe(_diff_frame(preview, language), hide_index=True, width="stretch")
    for e in preview.rate_effects:
        st.info(t("pages.rate_effect", language, name=e.name, year=preview.as_of.year,
                  before=fmt_num(e.before_pct), after=fmt_num(e.after_pct)))  # fmt: skip
    if preview.submission.status == "pending" and not preview.rate_effects:
        st.caption(t("pages.rate_unchanged", language))


def _decision(sub: Submission, decision: str, comment: str, language: str) -> Callable[[Store], str]:
    def action(store: Store) -> str:
        done = review.decide(store, auth.principal(), sub.id, decision, comment)
        st.session_state[SEEN_KEY] = (done.id, done.status)
        return t("pages.decided", language, id=done.id, status=t(f"status.{done.status}", language))

    return action


def _undone(sub: Submission, language: str) -> Callable[[Store], str]:
    def action(store: Store) -> str:
        done = review.undo(store, auth.principal(), sub.id)
        st.session_state[SEEN_KEY] = (done.id, done.status)
        return t("pages.undone", language, id=done.id)

    return action


def _decide(sub: Submission, language: str) -> None:
    with st.form(f"decide_{sub.id}"):
        decision = st.radio(t("pages.decision", language), DECISIONS, horizontal=True,
                            format_func=lambda d: t(f"pages.decision_{d}", language))  # fmt: skip
        comment = st.text_area(t("pages.comment", language), help=t("pages.comment_help", language))
        if st.form_submit_button(t("pages.decide_button", language), type="primary"):
            workflow.write(_decision(sub, decision, comment, language))


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
    _effects(view.preview, language)
    st.caption(t("pages.review_map_hint", language))
    widgets.show_map(view.map, language, key=f"review_map_{sub.id}")
    st.markdown(f"**{t('pages.report_heading', language)}**")
    widgets.show_report(view.report, view.filename, language)
    # The actions are those of the status the reviewer last saw: if someone else acted meanwhile, the
    # click still reaches the service, which says who acted first.
    seen = st.session_state.get(SEEN_KEY)
    shown_as = seen[1] if seen and seen[0] == sub.id else sub.status
    if shown_as == "pending":
        _decide(sub, language)
    elif shown_as == "approved":
        _undo(sub, language)
    st.session_state[SEEN_KEY] = (sub.id, sub.status)


if __name__ == "__main__":
    render()
