"""The dBASE table of a shapefile, at the byte level: what encoding detection and repair need.

Field names are at most 10 bytes and text cells fixed width, so writers cut multi-byte Chinese
text mid-character (a UTF-8 name like 治理方式 is 12 bytes). GDAL passes such bytes on and a strict
decoder then fails on the whole file; :func:`trim_cut_characters` blanks the cut-off bytes in a
(temporary) copy, so the table reads with at most the broken character missing.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

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


def trim_cut_characters(path: Path, codec: str) -> None:
    """Blank, in place, the incomplete last character of every field name and text cell."""
    data = bytearray(path.read_bytes())
    table = layout(bytes(data))
    if table is None:
        return
    for f in table.fields:
        name = _name(bytes(data), f)
        if cut := _cut_bytes(name, codec):
            data[f.name_at + len(name) - cut : f.name_at + len(name)] = b"\0" * cut
    cells = table.text_cells()
    for at in _records(bytes(data), table):
        for a, b in cells:
            value = bytes(data[at + a : at + b]).rstrip(b" \0")
            if value and not value.isascii() and (cut := _cut_bytes(value, codec)):
                end = at + a + len(value)
                data[end - cut : end] = b" " * cut
    path.write_bytes(bytes(data))
