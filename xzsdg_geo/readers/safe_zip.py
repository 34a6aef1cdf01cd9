"""Unpacking archives from strangers: no zip bombs, no paths outside the folder, no links.

The caps (``config/validation.toml`` [zip]) are checked on the sizes the archive declares, and
again on the bytes actually unpacked, so an archive that lies about its sizes gains nothing.

Confinement is by construction: :func:`member_path` is the only way from an entry name to a place
on disk. It normalises the name the way any consumer might read it (Unicode compatibility forms,
look-alike slashes, backslashes, drive letters, UNC prefixes, Windows' trailing dots) and answers
a path under the work folder or refuses; files are then created with ``O_EXCL | O_NOFOLLOW``, so
even a link planted by some other means is never followed.

Entry names without the zip UTF-8 flag are decoded by what their bytes are (UTF-8 or GBK, the two
encodings Chinese zip tools write), not as the CP437 the format nominally assumes.
"""

from __future__ import annotations

import io
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import UserError
from . import encoding as enc
from .settings import ZipLimits, upload_settings

_CHUNK = 1024 * 1024
_UTF8_FLAG = 0x800
MAX_PART_BYTES = 255  # a file-name component on every common file system
MAX_NAME_CHARS = 1024
# Characters that read as a slash somewhere (NFKC folds fullwidth forms; these it leaves alone).
_SLASHES = str.maketrans(dict.fromkeys("\u2215\u2044\u29f8\u29f9\u2216\u2571\u2572\u3033\u2afd", "/"))
_DRIVE = re.compile(r"^[A-Za-z]:")
_OTHER_ARCHIVES = {
    b"Rar!\x1a\x07": "RAR",
    b"7z\xbc\xaf\x27\x1c": "7z",
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
}


def _refuse(name: str) -> UserError:
    return UserError("zip.unsafe_path", name=name.encode("unicode_escape").decode("ascii")[:200])


def _clean_parts(name: str) -> list[str]:
    """The path components of ``name`` as any reader of it would see them, or refusal."""
    text = unicodedata.normalize("NFKC", name).translate(_SLASHES).replace("\\", "/")
    if len(text) > MAX_NAME_CHARS or any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in text):
        raise _refuse(name)  # NUL, control and invisible format characters
    if text.startswith("/") or _DRIVE.match(text):  # absolute, //UNC, \\?\, C:, C:x
        raise _refuse(name)
    parts = [p for p in text.split("/") if p not in ("", ".")]
    for part in parts:
        # Windows drops trailing dots and spaces, so "...", ".. " and ". ." all climb like "..".
        if not part.rstrip(". ") or ":" in part or len(part.encode("utf-8")) > MAX_PART_BYTES:
            raise _refuse(name)
    return parts


def member_path(root: Path, name: str) -> Path:
    """Where the entry ``name`` goes under ``root``: the one place a name becomes a path.

    Refuses (``zip.unsafe_path``) every name that is absolute, names a drive or server, contains
    control characters, climbs with ``..`` in any spelling, or resolves outside ``root``.
    """
    parts = _clean_parts(name)
    if not parts:
        raise _refuse(name)
    base = root.resolve()
    target = base.joinpath(*parts)
    if not target.resolve().is_relative_to(base):  # a link already under root pointing out
        raise _refuse(name)
    return target


def entry_name(entry: zipfile.ZipInfo) -> str:
    """The entry's name as its writer meant it: GBK or UTF-8 bytes without the flag decoded right."""
    if entry.flag_bits & _UTF8_FLAG:
        return entry.filename
    try:
        raw = entry.filename.encode("cp437")
    except UnicodeEncodeError:
        return entry.filename
    if raw.isascii():
        return entry.filename
    try:
        codec = enc.detect([raw]) or "utf-8"
    except UserError:
        return entry.filename
    return raw.decode(codec, errors="replace")


def zip_names(data: bytes) -> list[str]:
    """The entry names of a zip, decoded, or [] when the bytes are not one (for sniffing)."""
    if not data.startswith(b"PK"):
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [entry_name(e) for e in archive.infolist()]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return []


def archive_problem(data: bytes) -> UserError | None:
    """Why bytes no reader took are an archive we cannot open: a damaged zip, or RAR/7z/gzip."""
    for magic, kind in _OTHER_ARCHIVES.items():
        if data.startswith(magic):
            return UserError("secup.archive_other", kind=kind)
    if data.startswith(b"PK") and not zip_names(data):
        return UserError("secup.zip_damaged")
    return None


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise UserError("zip.broken") from None


def _special(entry: zipfile.ZipInfo) -> bool:
    """A link, device, pipe or socket (Unix mode bits); plain files and folders have none of these."""
    kind = stat.S_IFMT(entry.external_attr >> 16)
    return kind not in (0, stat.S_IFREG, stat.S_IFDIR)


def _checked_entries(archive: zipfile.ZipFile, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    """The archive's files, refused as a whole if it declares too much or contains a link."""
    entries = [e for e in archive.infolist() if not e.is_dir()]
    if len(entries) > limits.max_entries:
        raise UserError("zip.too_many", n=len(entries))
    total = sum(e.file_size for e in entries)
    packed = max(1, sum(e.compress_size for e in entries))
    if total > limits.max_unpacked_bytes or total / packed > limits.max_ratio:
        raise UserError("zip.bomb", size_mb=round(total / 1024**2, 1), ratio=round(total / packed))
    for entry in archive.infolist():
        if _special(entry):
            raise UserError("zip.link", name=entry_name(entry))
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


def _create(target: Path, name: str) -> int:
    """A new file descriptor for ``target``: never an existing file, never through a link."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise UserError("secup.zip_duplicate", name=name) from None
    except OSError:  # a folder where a file is, or the reverse
        raise _refuse(name) from None


def extract_safely(data: bytes, dest: Path, limits: ZipLimits | None = None) -> list[Path]:
    """Every regular file of the zip written under ``dest``; refuses bombs, escapes and links."""
    limits = limits or upload_settings().zip
    with _open(data) as archive:
        entries = _checked_entries(archive, limits)
        for folder in (e for e in archive.infolist() if e.is_dir()):
            member_path(dest, entry_name(folder))  # folders are judged too, though not created
        targets = [member_path(dest, entry_name(e)) for e in entries]  # all names judged first
        budget = [limits.max_unpacked_bytes]
        for entry, target in zip(entries, targets, strict=True):
            with os.fdopen(_create(target, entry_name(entry)), "wb") as out:
                for chunk in _chunks(archive, entry, budget):
                    out.write(chunk)
        return targets


def read_members(data: bytes, suffixes: tuple[str, ...], limits: ZipLimits | None = None) -> dict[str, bytes]:
    """The entries whose names end with one of ``suffixes`` (lower case), in memory, by name."""
    limits = limits or upload_settings().zip
    with _open(data) as archive:
        budget = [limits.max_unpacked_bytes]
        found = {}
        for entry in _checked_entries(archive, limits):
            name = entry_name(entry)
            if name.lower().endswith(suffixes):
                member_path(Path("/nonexistent-root"), name)  # same judgement as for extraction
                found[name] = b"".join(_chunks(archive, entry, budget))
        return found
