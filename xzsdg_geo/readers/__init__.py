"""The reader registry: the upload and import services walk it to find a file's reader.

Adding a format is adding a module with a reader class and one line below.
"""

from __future__ import annotations

from ..errors import UserError
from .base import Note, Reader, ReadOptions, SourceLayer
from .coordinate_table import CoordinateTableReader
from .dxf import DxfReader
from .file_geodatabase import FileGeodatabaseReader
from .flatgeobuf import FlatGeobufReader
from .geojson import GeoJSONReader
from .geopackage import GeoPackageReader
from .gpx import GpxReader
from .kml import KmlReader
from .safe_zip import archive_problem
from .shapefile_zip import ShapefileZipReader
from .survey_txt import SurveyTxtReader

__all__ = ["READERS", "Note", "ReadOptions", "Reader", "SourceLayer", "find_reader", "read_file"]

# Most specific first: magic bytes and archive contents before sniffs that trust the file name;
# GeoJSON's sniff ("starts with {") is the loosest, so it comes last.
READERS: list[Reader] = [
    ShapefileZipReader(),
    FileGeodatabaseReader(),
    GeoPackageReader(),
    FlatGeobufReader(),
    SurveyTxtReader(),
    CoordinateTableReader(),
    DxfReader(),
    KmlReader(),
    GpxReader(),
    GeoJSONReader(),
]


def find_reader(data: bytes, filename: str) -> Reader:
    for reader in READERS:
        if reader.sniff(data, filename):
            return reader
    raise archive_problem(data) or UserError("read.unknown_format", filename=filename)


def read_file(data: bytes, filename: str, options: ReadOptions | None = None) -> list[SourceLayer]:
    """The layers of a file; a :class:`UserError` (never a traceback) when it cannot be read."""
    if not data:
        raise UserError("read.empty", filename=filename)
    reader = find_reader(data, filename)
    try:
        layers = reader.read(data, filename, options or ReadOptions())
    except (UserError, MemoryError):
        raise
    except Exception as err:  # a reader that crashes must still give a clear refusal
        raise UserError("read.failed", filename=filename, format=reader.name, detail=str(err)[:200]) from err
    if not layers:
        raise UserError("read.no_layers", filename=filename)
    return layers
