"""Creating a store: the bundled boundaries, and optionally the sample layers."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd

from .. import sample
from ..config import settings
from ..dates import start_of_day_utc
from ..prediction.sample import add_sample_prediction
from ..rasters.sample import add_sample_rasters
from ..store import NewFeature, Store, create_store
from .accounts import add_demo_accounts

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
    frame: gpd.GeoDataFrame, id_field: str, recorded: dt.date, *, at_completion: bool = False
) -> list[NewFeature]:
    """Rows as features recorded on ``recorded``; with ``at_completion``, a row's ``completed_on``
    (when it has one) is when it was recorded instead, as a parcel enters the books when done."""
    features = []
    for record, geom in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True):
        when = (at_completion and record.get("completed_on")) or recorded
        stamp = start_of_day_utc(when)
        features.append(NewFeature(str(record[id_field]), geom, record, stamp))
    return features


def init_store(location: str, *, with_sample: bool = False, demo_password: str | None = None) -> Store:
    """A new store with the bundled district boundaries; with ``with_sample`` also the sample
    layers and the demo accounts (all with ``demo_password``, default from settings)."""
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
                    recorded, parcels = SAMPLE_RECORDED[layer], layer == "restoration_parcels"
                    features = frame_to_features(frame, frame.columns[0], recorded, at_completion=parcels)
                    store.write_features(layer, features, by=SYSTEM_USER, source="sample")
                add_sample_prediction(store, data.layers["subsidence_zones"], by=SYSTEM_USER)
                add_sample_rasters(store, by=SYSTEM_USER)
                add_demo_accounts(store, demo_password or settings().auth.demo_password)
    except BaseException:
        store.close()
        raise
    return store
