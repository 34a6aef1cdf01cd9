"""How much work one upload may cost: ``config/validation.toml`` [budgets], decided before heavy work.

The readers look at what a file declares (a shapefile's record count, a FlatGeobuf header, a
bounded SQL count in a GeoPackage, a scan of a DXF's blocks) and refuse before GDAL loads it; the
checking worker (:mod:`xzsdg_geo.validation.sandbox`) enforces the seconds and megabytes on
whatever is left. The worker installs the run's budgets with :func:`activate`, so a test or an
administrator's override reaches the readers without threading it through every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import UserError
from .settings import config, upload_settings

MB = 1024 * 1024


@dataclass(frozen=True)
class Budgets:
    max_features: int  # per file, all layers read
    max_vertices: int  # per file, all features
    dxf_max_block_depth: int  # blocks inside blocks
    dxf_max_entities: int  # entities once every INSERT is expanded
    seconds: float  # wall clock for reading and checking one upload
    memory_mb: int  # address space of the checking worker
    sql_seconds: float  # any one SQLite statement on an uploaded GeoPackage
    max_candidate_pairs: int  # envelope pairs the near-duplicate search looks at


@cache
def configured() -> Budgets:
    return Budgets(**config()["budgets"])


_active: list[Budgets] = []


def activate(budgets: Budgets) -> None:
    """Make ``budgets`` the ones :func:`current` answers (the worker does this once per job)."""
    _active[:] = [budgets]


def current() -> Budgets:
    return _active[0] if _active else configured()


def check_features(n: int, *, counted_to: int | None = None) -> None:
    """Refuse more than the budget's features; ``counted_to``: the count stopped there (so "more")."""
    cap = current().max_features
    if n > cap:
        shown = f"{cap:,}+" if counted_to is not None and n >= counted_to else f"{n:,}"
        raise UserError("secup.too_many_features", n=shown, cap=f"{cap:,}")


def check_vertices(n: int) -> None:
    cap = current().max_vertices
    if n > cap:
        raise UserError("secup.too_many_vertices_file", n=n, cap=cap)


def read_file_within_limit(path: str | Path) -> bytes:
    """A file's bytes for checking, refused by its size on disk before a byte is read into memory
    (the app's uploads are bounded by Streamlit; a file named on the command line is not)."""
    limit = upload_settings().max_upload_bytes
    try:
        size = Path(path).stat().st_size
        if size > limit:
            mb = {"size_mb": f"{size / MB:.1f}", "max_mb": f"{limit / MB:.0f}"}
            raise UserError("file.too_large", path=str(path), **mb)
        return Path(path).read_bytes()
    except OSError:
        raise UserError("file.unreadable", path=str(path)) from None
