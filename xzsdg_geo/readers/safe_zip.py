"""Unpacking archives from strangers: no zip bombs, no paths outside the folder, no links.

The caps (``config/validation.toml`` [zip]) are checked on the sizes the archive declares, and
again on the bytes actually unpacked, so an archive that lies about its sizes gains nothing.
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from ..errors import UserError
from .settings import ZipLimits, upload_settings

_CHUNK = 1024 * 1024


def zip_names(data: bytes) -> list[str]:
    """The entry names of a zip, or [] when the bytes are not one (for sniffing)."""
    if not data.startswith(b"PK"):
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return []


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise UserError("zip.broken") from None


def _checked_entries(archive: zipfile.ZipFile, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    """The archive's files, refused as a whole if it declares too much or contains a link."""
    entries = [e for e in archive.infolist() if not e.is_dir()]
    if len(entries) > limits.max_entries:
        raise UserError("zip.too_many", n=len(entries))
    total = sum(e.file_size for e in entries)
    packed = max(1, sum(e.compress_size for e in entries))
    if total > limits.max_unpacked_bytes or total / packed > limits.max_ratio:
        raise UserError("zip.bomb", size_mb=round(total / 1024**2, 1), ratio=round(total / packed))
    for entry in entries:
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise UserError("zip.link", name=entry.filename)
    return entries


def _chunks(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: list[int]) -> Iterator[bytes]:
    """An entry's bytes, counted against what is left of the unpacking budget."""
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise UserError("zip.bomb_actual")
                yield chunk
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError):
        raise UserError("zip.broken") from None


def extract_safely(data: bytes, dest: Path, limits: ZipLimits | None = None) -> list[Path]:
    """Every regular file of the zip written under ``dest``; refuses bombs, escapes and links."""
    limits = limits or upload_settings().zip
    with _open(data) as archive:
        budget = [limits.max_unpacked_bytes]
        written = []
        for entry in _checked_entries(archive, limits):
            target = _confined(dest, entry.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                for chunk in _chunks(archive, entry, budget):
                    out.write(chunk)
            written.append(target)
        return written


def read_members(data: bytes, suffixes: tuple[str, ...], limits: ZipLimits | None = None) -> dict[str, bytes]:
    """The entries whose names end with one of ``suffixes`` (lower case), in memory, by name."""
    limits = limits or upload_settings().zip
    with _open(data) as archive:
        budget = [limits.max_unpacked_bytes]
        found = {}
        for entry in _checked_entries(archive, limits):
            if entry.filename.lower().endswith(suffixes):
                _confined(Path("/"), entry.filename)
                found[entry.filename] = b"".join(_chunks(archive, entry, budget))
        return found


def _confined(dest: Path, name: str) -> Path:
    """The entry's path inside ``dest``, normalised; refuses absolute paths and ``..``."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or parts[0] == "/" or ".." in parts or ":" in parts[0] or "\x00" in name:
        raise UserError("zip.unsafe_path", name=name)
    return dest.joinpath(*parts)
