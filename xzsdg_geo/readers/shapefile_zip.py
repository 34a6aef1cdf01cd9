"""Zipped Shapefiles: each ``.shp`` in the archive, in any sub-folder, is one layer.

Text encoding, in order: the uploader's choice; the ``.cpg`` file, unless it claims UTF-8 over
bytes that are not (a common export fault); else guessed from the ``.dbf`` bytes themselves, since
the typical legacy file is GBK with no ``.cpg`` and a blank code-page byte. Without a ``.prj``
the CRS is inferred only when the coordinates allow one reading (see :mod:`xzsdg_geo.crs`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..errors import UserError
from . import dbf
from . import encoding as enc
from .base import Note, ReadOptions, SourceLayer, make_layer
from .ogr import crs_code, read_frame
from .safe_zip import extract_safely, zip_names
from .shp_header import check_declared


class ShapefileZipReader:
    name = "shapefile_zip"

    def sniff(self, data: bytes, filename: str) -> bool:
        return any(n.lower().endswith(".shp") for n in zip_names(data))

    def read(self, data: bytes, filename: str, options: ReadOptions) -> list[SourceLayer]:
        with tempfile.TemporaryDirectory(prefix="xzsdg-upload-", ignore_cleanup_errors=True) as tmp:
            root = Path(tmp)
            extract_safely(data, root)
            shps = sorted(
                (p for p in root.rglob("*") if p.suffix.lower() == ".shp"), key=lambda p: str(p).lower()
            )
            return [_read_shapefile(shp, root, options) for shp in shps]


def _sidecar(shp: Path, suffix: str) -> Path | None:
    """The file next to ``shp`` with the same stem and ``suffix``, in any letter case."""
    for candidate in shp.parent.iterdir():
        if candidate.stem == shp.stem and candidate.suffix.lower() == suffix:
            return candidate
    return None


def _read_shapefile(shp: Path, root: Path, options: ReadOptions) -> SourceLayer:
    name = str(shp.relative_to(root).with_suffix(""))
    table = _sidecar(shp, ".dbf")
    if table is None:
        raise UserError("read.shp_no_dbf", name=name)
    check_declared(shp, _sidecar(shp, ".shx"), table)
    codec, notes = _encoding(table, _sidecar(shp, ".cpg"), options.encoding)
    if codec:
        dbf.trim_cut_characters(table, codec)
    frame = read_frame(str(shp), encoding=codec)
    return make_layer(
        name,
        frame,
        options,
        declared=crs_code(frame.crs),
        encoding=codec or "ascii",
        notes=notes,
        max_name_bytes=dbf.MAX_NAME_BYTES,
    )


def _encoding(table: Path, cpg: Path | None, chosen: str | None) -> tuple[str | None, list[Note]]:
    """The codec to decode the attribute table with (None: plain ASCII), and what to tell about it."""
    if chosen:
        return enc.chosen_codec(chosen), []
    detected = enc.detect(dbf.text_values(dbf.sample(table)))
    declared = enc.codec_name(cpg.read_text(errors="replace").strip()) if cpg else None
    if declared and detected and declared != detected and "utf-8" in (declared, detected):
        # The bytes settle it: they are UTF-8 or they are not, whatever the .cpg claims.
        return detected, [Note("cpg_overruled", {"declared": declared, "used": detected})]
    return declared or detected, []
