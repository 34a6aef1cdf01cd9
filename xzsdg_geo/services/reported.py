""" "As reported on …": a year's figures as the store held them at an instant, beside the same
figures as known now, with the recorded changes since that explain the difference.

The audit log is the list of changes (approvals, corrections, undos, imports); only the entries
that wrote features (a rejection names none, a submission only proposes) of a layer the rate reads
are kept. Reading the log is for those allowed to (``VIEW_AUDIT``), checked
here like every role.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..rates import RateReport, compute_rates
from ..store import Store
from ..store.base import AuditEntry
from ..when import When, recorded_day, store_stamp
from . import audit
from .auth import Principal

RATE_LAYERS = frozenset({"districts", "subsidence_zones", "restoration_parcels"})
PROPOSALS = frozenset({"submit"})  # names features but writes none: only its approval does


@dataclass(frozen=True)
class Comparison:
    then: RateReport  # as the store held it at ``then.when.known_at``
    now: RateReport  # the same real-world day, as known now
    changes: list[AuditEntry]  # recorded after that instant, on a layer the rate reads, oldest first

    def district_rows(self) -> list[tuple[str, float | None, float | None]]:
        """(district name, rate then, rate now) per district, then the city (name ``None``)."""
        now = {d.adcode: d for d in self.now.districts}
        rows = [(d.name, d.rate_pct, now[d.adcode].rate_pct if d.adcode in now else None)
                for d in self.then.districts]  # fmt: skip
        return [*rows, (None, self.then.city.rate_pct, self.now.city.rate_pct)]


def compare(store: Store, principal: Principal, day: dt.date, known_at: dt.datetime) -> Comparison:
    """The figures of ``day`` as recorded at ``known_at`` and as known now, and the changes between."""
    since = recorded_day(known_at)
    stamp = store_stamp(known_at)
    changes = [
        e
        for e in audit.entries(store, principal, since)
        if e.at > stamp and e.layer in RATE_LAYERS and e.feature_ids and e.action not in PROPOSALS
    ]
    then = compute_rates(store, When(day, known_at))
    return Comparison(then, compute_rates(store, When(day)), changes)
