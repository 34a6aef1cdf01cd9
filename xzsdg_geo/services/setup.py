"""Creating a store: the bundled boundaries, and optionally the sample layers."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd

from .. import sample
from ..dates import start_of_day_utc
from ..store import NewFeature, Store, create_store

SYSTEM_USER = "system"
# Reference boundaries count as known since this date, so backfilled history can be measured.
BASELINE = dt.date(2000, 1, 1)
# When each sample layer is taken to have entered the store (parcels: on their completion date).
SAMPLE_RECORDED = {
    "subsidence_zones": dt.date(2010, 1, 1),
    "restoration_parcels": dt.date(2025, 1, 1),
    "quarries": dt.date(2012, 1, 1),
    "river_segments": dt.date(2020, 1, 1),
    "buffer_projects": dt.date(2024, 1, 1),
}


def frame_to_features(
    frame: gpd.GeoDataFrame, id_field: str, recorded: dt.date | None = None
) -> list[NewFeature]:
    """Rows as features; a ``completed_on`` date, when present, is when the row was recorded."""
    features = []
    for record, geom in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True):
        when = record.get("completed_on") or recorded
        stamp = start_of_day_utc(when) if isinstance(when, dt.date) else None
        features.append(NewFeature(str(record[id_field]), geom, record, stamp))
    return features


def init_store(location: str, *, with_sample: bool = False) -> Store:
    """A new store with the bundled district boundaries, and the sample layers if asked."""
    store = create_store(location)
    try:
        with store.transaction():
            districts = sample.load_districts()
            store.write_features(
                "districts",
                frame_to_features(districts, "adcode", BASELINE),
                by=SYSTEM_USER,
                source="bundled:districts",
            )
            if with_sample:
                data = sample.build()
                for layer, frame in data.layers.items():
                    id_field = frame.columns[0]
                    store.write_features(
                        layer,
                        frame_to_features(frame, id_field, SAMPLE_RECORDED[layer]),
                        by=SYSTEM_USER,
                        source="sample",
                    )
    except BaseException:
        store.close()
        raise
    return store
