"""Cached reads of the store for the pages.

Every cached function takes the store's location and its ``stamp`` (modification times of the
GeoPackage and its write-ahead log): a write to the store changes the stamp, so the next run
reads afresh, while reruns in between (a language switch, a widget) cost nothing. A stamp is a
key, never passed to the store: a cheaper or finer change marker can replace it in one place.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ..dates import cst_date, end_of_day_utc, today_cst
from ..layers import all_layers
from ..mapping import MapLayer, map_layers, provenance
from ..rates import RateReport, compute_rates
from ..store import Store, open_store

Stamp = tuple[int, ...]
DATABASE_REFRESH_S = 30
# SQLite writes land in the -wal file first; the main file changes only at a checkpoint.
_STAMPED_SUFFIXES = ("", "-wal")


@dataclass(frozen=True)
class StoreFacts:
    """What the page needs to know before it asks for figures: the years and the data's labels."""

    years: tuple[int, ...]
    notes: frozenset[str]  # provenance catalog keys present (sample data, approximate boundaries)


def store_stamp(location: str) -> Stamp | None:
    """Modification times of the store's files; ``None`` when the store does not exist.

    A database server has no file to watch: its reads are cached for ``DATABASE_REFRESH_S``.
    """
    if "://" in location:
        return (int(time.time() // DATABASE_REFRESH_S),)
    paths = [Path(location + suffix) for suffix in _STAMPED_SUFFIXES]
    if not paths[0].is_file():
        return None
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in paths)


def as_of(year: int) -> dt.date:
    """The end of ``year``, or today for the year under way."""
    return min(dt.date(year, 12, 31), today_cst())


@contextmanager
def _opened(location: str) -> Iterator[Store]:
    store = open_store(location)
    try:
        yield store
    finally:
        store.close()


@st.cache_data(show_spinner=False, max_entries=8)
def store_facts(location: str, stamp: Stamp) -> StoreFacts:
    with _opened(location) as store:
        first = store.earliest_valid_from("subsidence_zones")
        notes = {provenance(store.features(name)) for name in all_layers()}
    this_year = today_cst().year
    start = min(cst_date(first).year, this_year) if first else this_year
    return StoreFacts(tuple(range(start, this_year + 1)), frozenset(n for n in notes if n))


@st.cache_data(show_spinner=False, max_entries=32)
def rates(location: str, stamp: Stamp, day: dt.date) -> RateReport:
    with _opened(location) as store:
        return compute_rates(store, day)


@st.cache_data(show_spinner=False, max_entries=16)
def layers(location: str, stamp: Stamp, day: dt.date, lang: str) -> list[MapLayer]:
    """The map's layers as the store held them at the end of ``day``."""
    at = end_of_day_utc(day)
    with _opened(location) as store:
        frames = {name: store.features(name, at=at) for name in all_layers()}
    return map_layers(frames, lang)
