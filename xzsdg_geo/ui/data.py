"""Cached reads of the store for the pages.

Every cached function takes the store's location and its ``stamp`` (modification times of the
GeoPackage and its write-ahead log): a write to the store changes the stamp, so the next run
reads afresh, while reruns in between (a language switch, a widget, a map click) cost nothing. A
stamp is a key, never passed to the store: a cheaper or finer change marker can replace it in one
place.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from ..config import store_location
from ..dates import today_cst
from ..errors import UserError
from ..i18n import t
from ..layers import all_layers
from ..mapping import NOTE_APPROXIMATE, NOTE_SAMPLE, MapLayer, map_layers, provenance
from ..progress import ProgressReport, compute_progress, priority_list
from ..progress.quarries import PriorityList
from ..rates import RateReport, compute_rates, history_start, on_the_ground, restored_by_district
from ..store import Store, open_store
from ..when import When

Stamp = tuple[int, ...]
DATABASE_REFRESH_S = 30
# SQLite writes land in the -wal file first; the main file changes only at a checkpoint.
_STAMPED_SUFFIXES = ("", "-wal")


@dataclass(frozen=True)
class StoreFacts:
    """What the page needs to know before it asks for figures: the years and the data's labels."""

    years: tuple[int, ...]
    notes: frozenset[str]  # provenance catalog keys present (sample data, approximate boundaries)


def forget() -> None:
    """Drops every cached read: for a store whose stamp lags its writes (a database server's moves
    every ``DATABASE_REFRESH_S``), after a write this session made."""
    st.cache_data.clear()
    layers.clear()


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


def year_end(year: int) -> When:
    """The end of ``year`` on the ground (today for the year under way), as known now: the year
    selector is real-world time."""
    return When(min(dt.date(year, 12, 31), today_cst()))


def run_page(body: Callable[[str, Stamp, str], None], language: str) -> None:
    """``body(location, stamp, language)`` over the configured store; a missing or unreadable
    store is a message saying what to do, never a traceback."""
    location = store_location()
    stamp = store_stamp(location)
    if stamp is None:
        st.error(t("ui.store_missing", language, path=location))
        return
    try:
        body(location, stamp, language)
    except UserError as e:
        st.error(t("ui.store_error", language, message=e.message(language)))


def show_notices(facts: StoreFacts, language: str) -> None:
    """The data's labels: sample data (示例数据) or approximate boundaries (示意边界)."""
    if NOTE_SAMPLE in facts.notes:
        st.info(t("ui.sample_notice", language))
    elif NOTE_APPROXIMATE in facts.notes:
        st.info(t("ui.approximate_notice", language))


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
        first = history_start(store)
        notes = {provenance(store.features(name)) for name in all_layers()}
    this_year = today_cst().year
    start = min(first.year, this_year) if first else this_year
    return StoreFacts(tuple(range(start, this_year + 1)), frozenset(n for n in notes if n))


@st.cache_data(show_spinner=False, max_entries=32)
def rates(location: str, stamp: Stamp, when: When) -> RateReport:
    with _opened(location) as store:
        return compute_rates(store, when)


# A resource, not data: the layers are shared by all sessions as they are (nobody changes them),
# which spares unpickling thousands of features on every run and keeps each layer's browser payload,
# serialised once (MapLayer.payloads).
@st.cache_resource(show_spinner=False, max_entries=16)
def layers(location: str, stamp: Stamp, when: When, lang: str, gcj02: bool = False) -> list[MapLayer]:
    """The map's layers on the ground at ``when`` (zones then in the inventory, parcels by their
    status then), in GCJ-02 if asked."""
    with _opened(location) as store:
        frames = {name: store.features(name, known_at=when.known_at) for name in all_layers()}
    return map_layers(on_the_ground(frames, when.on), lang, gcj02)


@st.cache_data(show_spinner=False, max_entries=16)
def district_outlines(location: str, stamp: Stamp, when: When) -> gpd.GeoDataFrame:
    with _opened(location) as store:
        return store.features("districts", known_at=when.known_at)[["adcode", "name", "geometry"]]


def district_at(location: str, stamp: Stamp, when: When, lon: float, lat: float) -> str | None:
    """The adcode of the district holding the point (lon/lat on the ground), if any."""
    outlines = district_outlines(location, stamp, when)
    inside = shapely.contains_xy(outlines.geometry.to_numpy(), lon, lat)
    return str(outlines["adcode"].to_numpy()[inside][0]) if inside.any() else None


@st.cache_data(show_spinner=False, max_entries=32)
def progress(location: str, stamp: Stamp, when: When, layer: str) -> ProgressReport:
    """Quarries, river segments or buffer projects against their targets (xzsdg_geo.progress)."""
    with _opened(location) as store:
        return compute_progress(store, layer, when)


@st.cache_data(show_spinner=False, max_entries=16)
def priorities(location: str, stamp: Stamp, when: When) -> PriorityList:
    """The quarry pits not treated on ``when.on``, most urgent first."""
    with _opened(location) as store:
        return priority_list(store, when)


@st.cache_data(show_spinner=False, max_entries=4)
def restored_by_year(location: str, stamp: Stamp, years: tuple[int, ...], now: When) -> pd.DataFrame:
    """Zone and restored hectares per district at the end of each year on the ground (``now.on``
    for this year), all read at ``now.known_at``: the trend, so a store imported today shows its
    whole history. One evaluation a year, so it is the page's slowest figure; cached until the
    store changes or the day does."""
    rows = []
    with _opened(location) as store:
        for year in years:
            day = min(dt.date(year, 12, 31), now.on)
            try:
                districts, zone, restored = restored_by_district(store, now.on_day(day))
            except UserError:  # no district boundaries yet that year
                continue
            for i, (adcode, name) in enumerate(zip(districts["adcode"], districts["name"], strict=True)):
                rows.append((year, day, str(adcode), str(name), float(zone[i]), float(restored[i])))
    columns = ["year", "date", "adcode", "name", "zone_ha", "restored_ha"]
    return pd.DataFrame(rows, columns=columns)
