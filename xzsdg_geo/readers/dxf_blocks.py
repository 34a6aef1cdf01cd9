"""How much a DXF drawing expands to, read from its text before GDAL expands it.

GDAL inlines every block reference (INSERT, with MINSERT rows and columns) recursively, so a
1.5 KB drawing of ten blocks each inserting the previous one ten times becomes 10^10 entities
and hours of work. No library answers "how big would this get" without doing the expansion, so
this module scans the group-code pairs itself, once, in linear time: per block its own entities
and the blocks it inserts; then the nesting depth and the expanded count follow by memoised
descent, stopping as soon as either exceeds the budget or a block turns out to insert itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..errors import UserError
from . import budgets

_TOP = b""  # the ENTITIES section (and anything outside a block) as one pseudo-block


@dataclass
class _Block:
    own: int = 0  # entities that are not block references
    inserts: Counter[bytes] = field(default_factory=Counter)  # block name → copies inserted


@dataclass
class _Insert:
    """The INSERT being read: its block name and MINSERT columns × rows."""

    block: bytes = b""
    columns: int = 1
    rows: int = 1

    def copies(self) -> int:
        return max(1, self.columns) * max(1, self.rows)


def _count(value: bytes) -> int:
    try:
        return int(value)
    except ValueError:
        return 1


class _Scan:
    """The state of one pass over the group-code pairs."""

    def __init__(self) -> None:
        self.blocks: dict[bytes, _Block] = {_TOP: _Block()}
        self.current = _TOP
        self.expect_block_name = False
        self.insert: _Insert | None = None

    def _close_insert(self) -> None:
        if self.insert is not None:
            self.blocks[self.current].inserts[self.insert.block] += self.insert.copies()
            self.insert = None

    def entity(self, kind: bytes) -> None:
        self._close_insert()
        if kind == b"BLOCK":
            self.expect_block_name = True
        elif kind == b"ENDBLK":
            self.current = _TOP
        elif kind == b"INSERT":
            self.insert = _Insert()
        elif kind not in (b"SECTION", b"ENDSEC", b"EOF", b"SEQEND"):
            self.blocks[self.current].own += 1

    def value(self, code: bytes, value: bytes) -> None:
        if self.expect_block_name and code == b"2":
            self.current, self.expect_block_name = value, False
            self.blocks.setdefault(value, _Block())
        elif self.insert is not None:
            if code == b"2":
                self.insert.block = value
            elif code == b"70":
                self.insert.columns = _count(value)
            elif code == b"71":
                self.insert.rows = _count(value)


def _scan(data: bytes) -> dict[bytes, _Block]:
    scan = _Scan()
    lines = iter(data.splitlines())
    for code, value in zip(lines, lines, strict=False):
        code, value = code.strip(), value.strip()
        if code == b"0":
            scan.entity(value.upper())
        else:
            scan.value(code, value)
    scan.entity(b"EOF")
    return scan.blocks


@dataclass(frozen=True)
class Expansion:
    depth: int  # deepest chain of blocks inside blocks
    entities: int  # entities once every block reference is inlined


def _expand(blocks: dict[bytes, _Block], cap_depth: int, cap_entities: int) -> Expansion:
    """Depth and size by memoised descent; ``level`` bounds the recursion by the depth budget."""
    sizes: dict[bytes, tuple[int, int]] = {}  # block → (its height, its expanded entities)
    active: set[bytes] = set()

    def visit(name: bytes, level: int) -> tuple[int, int]:
        if name in sizes:
            return sizes[name]
        if name in active:
            raise UserError("secup.dxf_block_cycle", name=name.decode("utf-8", "replace"))
        block = blocks.get(name)
        if block is None:  # a reference to a block the file does not define: GDAL skips it
            return (0, 1)
        active.add(name)
        height, total = 0, block.own
        for child, copies in block.inserts.items():
            if level + 1 > cap_depth:
                raise UserError("secup.dxf_nesting", depth=f"{level + 1}+", cap=cap_depth)
            child_height, child_total = visit(child, level + 1)
            if level + child_height > cap_depth:
                raise UserError("secup.dxf_nesting", depth=level + child_height, cap=cap_depth)
            height, total = max(height, child_height), total + copies * child_total
            if total > cap_entities:
                raise UserError("secup.dxf_entities", n=f"{total:,}", cap=f"{cap_entities:,}")
        active.discard(name)
        sizes[name] = (height + 1, total)
        return sizes[name]

    height, total = visit(_TOP, 0)
    return Expansion(height - 1, total)


def check_expansion(data: bytes) -> Expansion:
    """The drawing's nesting depth and expanded size; refused when either exceeds the budget."""
    limits = budgets.current()
    return _expand(_scan(data), limits.dxf_max_block_depth, limits.dxf_max_entities)
