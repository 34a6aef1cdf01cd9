"""Unpacking archives from strangers: no zip bombs, no paths outside the folder, no links."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import UserError

MAX_TOTAL_BYTES = 2 * 1024**3
MAX_RATIO = 200
MAX_ENTRIES = 10_000


def extract_safely(data: bytes, dest: Path) -> list[Path]:
    """Every regular file of the zip written under ``dest``; refuses bombs, escapes and links."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UserError("zip.broken") from None
    with archive:
        entries = [e for e in archive.infolist() if not e.is_dir()]
        if len(entries) > MAX_ENTRIES:
            raise UserError("zip.too_many", n=len(entries))
        total = sum(e.file_size for e in entries)
        packed = max(1, sum(e.compress_size for e in entries))
        if total > MAX_TOTAL_BYTES or total / packed > MAX_RATIO:
            raise UserError("zip.bomb", size_mb=round(total / 1024**2, 1), ratio=round(total / packed))
        written = []
        for entry in entries:
            if stat.S_ISLNK(entry.external_attr >> 16):
                raise UserError("zip.link", name=entry.filename)
            target = _confined(dest, entry.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(entry))
            written.append(target)
        return written


def _confined(dest: Path, name: str) -> Path:
    """The entry's path inside ``dest``, normalised; refuses absolute paths and ``..``."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or parts[0] == "/" or ".." in parts or ":" in parts[0]:
        raise UserError("zip.unsafe_path", name=name)
    return dest.joinpath(*parts)
