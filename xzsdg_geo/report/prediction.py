"""The report's prediction section: what the working faces will do to the ground and the rate.

Read as the report's record time (``store.recorded``), so ``report --as-recorded <instant>``
regenerates the same section later. Absent when the store holds no working faces.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ..config import targets
from ..prediction.stability import Verdict
from ..services import prediction as svc
from ..store import Store
from ..store.recorded import as_recorded
from ..when import When


@dataclass(frozen=True)
class PredictionSection:
    on: dt.date  # the basin's date: the end of the plan's final year
    predicted_ha: float
    new_ha: float
    max_mm: float
    effects: list[svc.DistrictEffect]  # districts with zones or new subsidence
    stable_zones: int
    moving_zones: int
    under_faces: int
    planned_on_unstable: int
    restored_over_faces: int


def prediction_section(store: Store, when: When) -> PredictionSection | None:
    view = as_recorded(store, when.known_at)
    if view.features("working_faces", fields=()).empty:
        return None
    year = targets().final_year
    on = dt.date(year, 12, 31)
    prediction = svc.predict(view, on, cell_m=20.0)
    effects = [e for e in svc.rate_consequence(view, prediction, year) if e.zone_ha > 0 or e.new_ha > 0]
    ground = svc.stability(view, when.on)
    verdicts = Counter(z.verdict for z in ground.zones)
    c = prediction.comparison
    return PredictionSection(
        on=on,
        predicted_ha=c.predicted_ha if c else 0.0,
        new_ha=c.new_ha if c else 0.0,
        max_mm=prediction.max_mm,
        effects=effects,
        stable_zones=verdicts[Verdict.STABLE],
        moving_zones=verdicts[Verdict.MOVING],
        under_faces=sum(z.under_faces for z in ground.zones),
        planned_on_unstable=len(ground.planned_on_unstable),
        restored_over_faces=len(ground.restored_over_faces),
    )
