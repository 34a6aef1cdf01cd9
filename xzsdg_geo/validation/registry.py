"""The checks, in the order they run, behind one small interface.

A *gate* is a check whose refusal makes the later ones meaningless (an unreadable file, no CRS,
swapped axes): the run stops after a gate that refused. Adding a check is adding a module under
``checks/`` and one line below; its finding codes go in :mod:`severity`.
"""

from __future__ import annotations

from typing import Protocol

from .checks.area_bounds import AreaBounds
from .checks.attributes import Attributes
from .checks.closed_line import ClosedLine
from .checks.crs_known import CrsKnown
from .checks.declared_area import DeclaredArea
from .checks.duplicates import Duplicates
from .checks.geometry_type import GeometryType
from .checks.inside_xuzhou import InsideXuzhou
from .checks.not_empty import NotEmpty
from .checks.outside_zones import OutsideZones
from .checks.overlap import Overlap
from .checks.parses import Parses
from .checks.reader_notes import ReaderNotes
from .checks.spikes import Spikes
from .checks.swapped_axes import SwappedAxes
from .checks.unstable_ground import UnstableGround
from .checks.upload_size import UploadSize
from .checks.validity import Validity
from .checks.vertex_cap import VertexCap
from .context import UploadContext
from .findings import Finding


class Validator(Protocol):
    code: str  # the check's name (and its main finding code)
    gate: bool

    def check(self, ctx: UploadContext) -> list[Finding]: ...


VALIDATORS: tuple[Validator, ...] = (
    UploadSize(),
    Parses(),
    NotEmpty(),
    CrsKnown(),
    ReaderNotes(),
    SwappedAxes(),
    GeometryType(),
    ClosedLine(),
    Validity(),
    Spikes(),
    InsideXuzhou(),
    AreaBounds(),
    VertexCap(),
    Duplicates(),
    Overlap(),
    Attributes(),
    DeclaredArea(),
    OutsideZones(),
    UnstableGround(),
)
