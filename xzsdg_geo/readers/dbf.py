"""The dBASE table of a shapefile, at the byte level: what encoding detection and repair need.

Field names are at most 10 bytes and text cells fixed width, so writers cut multi-byte Chinese
text mid-character (a UTF-8 name like 治理方式 is 12 bytes). GDAL passes such bytes on and a strict
decoder then fails on the whole file; :func:`trim_cut_characters` blanks the cut-off bytes in the
extracted (temporary) file, so the table reads with at most the broken character missing.

The table can be hundreds of megabytes that zip to a few (blank padding compresses well), so it
is never read whole: detection looks at a sample from the start, and the repair works in place
on a memory map, one column at a time, judging each *distinct* cell value once (columns repeat
their values: statuses, measures, district names) and writing back with one vectorised step.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_SAMPLE = 8 * 1024 * 1024  # bytes of records looked at to guess the encoding
MAX_NAME_BYTES = 10  # dBASE field names


@dataclass(frozen=True)
class Field:
    name_at: int  # byte offset of the name in the header
    kind: bytes  # dBASE type: C text, N number, D date...
    start: int  # offset within a record
    length: int


@dataclass(frozen=True)
class Layout:
    fields: list[Field]
    header_len: int
    record_len: int

    def text_cells(self) -> list[tuple[int, int]]:
        return [(f.start, f.start + f.length) for f in self.fields if f.kind == b"C"]


def head(path: Path, extra: int = 0) -> bytes:
    """The header of the table at ``path`` and up to ``extra`` bytes of records after it."""
    with path.open("rb") as fh:
        start = fh.read(32)
        header_len = int.from_bytes(start[8:10], "little") if len(start) >= 10 else 0
        return start + fh.read(max(0, header_len - 32) + extra)


def record_count(data: bytes) -> int:
    """The number of records the header declares."""
    return int.from_bytes(data[4:8], "little") if len(data) >= 8 else 0


def sample(path: Path) -> bytes:
    """The header and the first :data:`MAX_SAMPLE` bytes of records: enough to guess an encoding."""
    return head(path, MAX_SAMPLE)


def layout(data: bytes) -> Layout | None:
    if len(data) < 33:
        return None
    header_len = int.from_bytes(data[8:10], "little")
    record_len = int.from_bytes(data[10:12], "little")
    fields, start, pos = [], 1, 32
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        fields.append(Field(pos, data[pos + 11 : pos + 12], start, data[pos + 16]))
        start, pos = start + data[pos + 16], pos + 32
    return Layout(fields, header_len, record_len)


def _name(data: bytes, f: Field) -> bytes:
    return data[f.name_at : f.name_at + 11].split(b"\0")[0]


def _records(data: bytes, table: Layout, limit: int | None = None) -> range:
    if table.record_len <= 0:
        return range(0)
    available = len(data) - table.header_len
    count = max(0, min(available, limit or available) // table.record_len)
    return range(table.header_len, table.header_len + count * table.record_len, table.record_len)


def text_values(data: bytes) -> list[bytes]:
    """The field names and text cells, raw, for guessing their encoding."""
    table = layout(data)
    if table is None:
        return []
    values = [_name(data, f) for f in table.fields]
    cells = table.text_cells()
    for at in _records(data, table, MAX_SAMPLE):
        values.extend(data[at + a : at + b].rstrip(b" \0") for a, b in cells)
    return values


def _cut_bytes(value: bytes, codec: str) -> int:
    """How many bytes at the end of ``value`` are an incomplete character in ``codec``."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    decoder.decode(value, final=False)
    return len(decoder.getstate()[0])


def _trimmed(value: bytes, width: int, codec: str) -> bytes:
    """The cell ``value`` (NUL-stripped, as numpy keeps it) with a cut last character blanked."""
    full = value.ljust(width, b"\0")
    text = full.rstrip(b" \0")
    if not text or text.isascii() or not (cut := _cut_bytes(text, codec)):
        return full
    end = len(text)
    return full[: end - cut] + b" " * cut + full[end:]


def _maybe_cut(block: np.ndarray) -> np.ndarray:
    """Rows of a column block whose last non-blank byte is not ASCII: only these can end cut."""
    text = (block != 0x20) & (block != 0)
    last = block.shape[1] - 1 - np.argmax(text[:, ::-1], axis=1)
    return np.flatnonzero(text.any(axis=1) & (block[np.arange(len(block)), last] >= 0x80))


def _trim_column(records: np.ndarray, a: int, b: int, codec: str) -> None:
    """Blank cut characters in one text column of the mapped records, each distinct value once."""
    width = b - a
    block = np.asarray(records[:, a:b])
    rows = _maybe_cut(block)
    if not len(rows):
        return
    cells = np.ascontiguousarray(block[rows]).view(f"S{width}").ravel()
    distinct, inverse = np.unique(cells, return_inverse=True)
    fixed = np.array([_trimmed(bytes(v), width, codec) for v in distinct], dtype=f"S{width}")
    changed = np.flatnonzero(fixed[inverse] != cells)
    if len(changed):
        records[rows[changed], a:b] = fixed[inverse[changed]].view(np.uint8).reshape(-1, width)


def trim_cut_characters(path: Path, codec: str) -> None:
    """Blank, in place, the incomplete last character of every field name and text cell."""
    start = head(path)
    table = layout(start)
    if table is None or table.record_len <= 0:
        return
    with path.open("r+b") as fh:
        for f in table.fields:
            name = _name(start, f)
            if cut := _cut_bytes(name, codec):
                fh.seek(f.name_at + len(name) - cut)
                fh.write(b"\0" * cut)
    count = max(0, (path.stat().st_size - table.header_len) // table.record_len)
    cells = table.text_cells()
    if not count or not cells:
        return
    shape = (count, table.record_len)
    records = np.memmap(path, dtype=np.uint8, mode="r+", offset=table.header_len, shape=shape)
    for a, b in cells:
        if b <= table.record_len:  # a header may declare fields beyond its records
            _trim_column(records, a, b, codec)
    records.flush()
