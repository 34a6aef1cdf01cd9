"""Progress of the plan's other geographic goals, one module per layer: quarry pits greened
(:mod:`.quarries`), the 125 river segments made 幸福河湖 (:mod:`.rivers`) and the ecological buffer
projects finished (:mod:`.buffers`). Each returns a :class:`~.report.ProgressReport` read from the
store as known at the record time asked, judged at the real-world day asked (a
:class:`~xzsdg_geo.when.When`), in the shape of the rate engine's report.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import UserError
from ..store import Store
from ..when import When
from .buffers import buffer_progress
from .quarries import priority_list, quarry_progress
from .report import ProgressReport
from .rivers import river_progress
from .settings import ProgressRules, progress_rules

METRICS: dict[str, Callable[..., ProgressReport]] = {
    "quarries": quarry_progress,
    "river_segments": river_progress,
    "buffer_projects": buffer_progress,
}

__all__ = [
    "METRICS",
    "ProgressReport",
    "ProgressRules",
    "compute_progress",
    "priority_list",
    "progress_rules",
]


def compute_progress(
    store: Store, layer: str, when: When, rules: ProgressRules | None = None
) -> ProgressReport:
    """The progress report of ``layer`` at ``when``."""
    if layer not in METRICS:
        raise UserError("progress.unknown_layer", layer=layer, known="、".join(METRICS))
    return METRICS[layer](store, when, rules)
