"""What the workflow pages share: service calls whose refusals become messages, reads cached by the
store's stamp, and a confirmation carried over the rerun that follows a write.

Pages call services through :func:`read` and :func:`write`: a :class:`UserError` (a refused
action, a stale decision, a bad file) is shown in the user's language, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import geopandas as gpd
import streamlit as st

from ..config import store_location
from ..errors import UserError
from ..preview_map import PreviewMap, review_map
from ..services import review, submissions
from ..services.auth import Principal
from ..services.review_plan import NO_CHOICES, Choices
from ..store import Store
from . import auth, data, lang

T = TypeVar("T")
FLASH_KEY = "flash"


def store_key() -> tuple[str, data.Stamp]:
    """The store's location and its change stamp (the key of every cached read)."""
    location = store_location()
    return location, data.store_stamp(location) or (0,)


def attempt(call: Callable[[], T]) -> T | None:
    """``call()``; ``None`` after showing why when a service refuses."""
    try:
        return call()
    except UserError as err:
        st.error(err.message(lang.current()))
        return None


def _on_store(action: Callable[[Store], T]) -> T:
    with auth.opened_store() as store:
        return action(store)


def read(action: Callable[[Store], T]) -> T | None:
    """``action(store)`` on the opened store; ``None`` after showing why when a service refuses."""
    return attempt(lambda: _on_store(action))


def write(action: Callable[[Store], str]) -> None:
    """Run a write; on success drop every cached read, keep ``action``'s confirmation for the next
    run and rerun, so the page redraws from the store as it now is. A refusal is shown instead."""
    message = attempt(lambda: _on_store(action))
    if message is None:
        return
    data.forget()  # a database store's stamp moves only every 30 s; files move at once
    st.session_state[FLASH_KEY] = message
    st.rerun()


def show_flash() -> None:
    """The confirmation of the write that led to this run, once."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message)


@dataclass(frozen=True)
class ReviewView:
    """All a reviewer sees of one submission, computed once per store state."""

    preview: review.Preview
    map: PreviewMap
    report: dict  # the validation report stored with the upload
    filename: str


@st.cache_data(show_spinner=False, max_entries=16)
def review_view(
    location: str,
    stamp: data.Stamp,
    principal: Principal,
    submission_id: int,
    language: str,
    choices: Choices = NO_CHOICES,
) -> ReviewView:
    """The preview with the reviewer's ``choices`` (what to close, which ID-less features stay new)."""
    with auth.opened_store(location) as store:
        preview = review.preview(store, principal, submission_id, choices=choices)
        upload = submissions.upload_of(store, principal, submission_id)
        return ReviewView(preview, review_map(store, preview, language), upload.report, upload.filename)


@st.cache_data(show_spinner=False, max_entries=4)
def districts_frame(location: str, stamp: data.Stamp) -> gpd.GeoDataFrame:
    """The current districts: outlines for the preview maps, names for the pages."""
    with auth.opened_store(location) as store:
        return store.features("districts")


def district_names(location: str, stamp: data.Stamp) -> dict[str, str]:
    """Adcode to name, in the store's order."""
    districts = districts_frame(location, stamp)
    return dict(zip(districts["adcode"], districts["name"], strict=True))
