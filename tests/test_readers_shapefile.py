"""Zipped shapefiles: sub-folders, several layers, .cpg, encoding detection, missing .prj."""

from __future__ import annotations

import tempfile
from pathlib import Path

import corpus as c
import pytest

from xzsdg_geo.errors import UserError
from xzsdg_geo.readers import ReadOptions, dbf, read_file

NAMES = ["潘安湖1号地块", "潘安湖2号地块", "潘安湖3号地块"]


def _read(data: bytes, **options) -> list:
    return read_file(data, "upload.zip", ReadOptions(**options))


def test_a_shapefile_deep_in_the_zip_is_found_with_its_crs():
    [layer] = _read(c.shapefile_zip(c.parcels().to_crs(c.ZONE39), folder="成果/2026/"))
    assert layer.name == "成果/2026/parcels"
    assert layer.crs == c.ZONE39 and not layer.crs_inferred and layer.crs_reason == "declared"
    assert list(layer.frame["名称"]) == NAMES


def test_several_shapefiles_are_offered_as_separate_layers():
    first = c.shapefile_files(c.parcels(), "a")
    second = c.shapefile_files(c.parcels(n=1), "b")
    data = c.zip_bytes(
        {**{f"x/{k}": v for k, v in first.items()}, **{f"y/{k}": v for k, v in second.items()}}
    )
    assert [(x.name, len(x.frame)) for x in _read(data)] == [("x/a", 3), ("y/b", 1)]


@pytest.mark.parametrize("encoding", ["UTF-8", "GBK"])
def test_the_cpg_is_respected(encoding):
    [layer] = _read(c.shapefile_zip(c.parcels(), encoding=encoding))
    assert list(layer.frame["名称"]) == NAMES
    assert layer.encoding == encoding.lower() and not layer.notes


@pytest.mark.parametrize(
    ("written", "detected"), [("GBK", "gbk"), ("UTF-8", "utf-8"), ("GB18030", "gb18030")]
)
def test_without_a_cpg_the_encoding_is_detected_from_the_bytes(written, detected):
    names = [*NAMES[:2], "𠀀字地块"] if written == "GB18030" else NAMES  # a character outside GBK
    [layer] = _read(c.shapefile_zip(c.parcels(**{"名称": names}), encoding=written, cpg=False))
    assert list(layer.frame["名称"]) == names  # no mojibake
    assert "名称" in layer.frame.columns  # Chinese column names too
    assert layer.encoding == detected


def test_a_cpg_claiming_utf8_over_gbk_bytes_is_overruled_and_said():
    [layer] = _read(c.shapefile_zip(c.parcels(), encoding="GBK", cpg="UTF-8"))
    assert list(layer.frame["名称"]) == NAMES
    assert [(n.code, n.params) for n in layer.notes] == [
        ("cpg_overruled", {"declared": "utf-8", "used": "gbk"})
    ]


def test_the_uploaders_encoding_wins():
    [layer] = _read(c.shapefile_zip(c.parcels(), encoding="GBK", cpg=False), encoding="GB18030")
    assert list(layer.frame["名称"]) == NAMES and layer.encoding == "gb18030"
    with pytest.raises(UserError) as err:
        _read(c.shapefile_zip(c.parcels(), cpg=False), encoding="klingon")
    assert err.value.key == "read.bad_encoding"


def test_ascii_only_tables_need_no_guess():
    [layer] = _read(c.shapefile_zip(c.parcels(**{"名称": ["a", "b", "c"]}).rename(columns=str), cpg=False))
    assert layer.encoding in ("ascii", "utf-8")


@pytest.mark.parametrize(
    ("system", "expected"),
    [(c.ZONE39, c.ZONE39), ("EPSG:4490", "EPSG:4490")],
)
def test_without_a_prj_an_unambiguous_crs_is_inferred_and_said(system, expected):
    [layer] = _read(c.shapefile_zip(c.parcels().to_crs(system), prj=False))
    assert layer.crs == expected and layer.crs_inferred


def test_without_a_prj_ambiguous_coordinates_leave_the_crs_open_unless_given():
    data = c.shapefile_zip(c.parcels().to_crs(c.CM117), prj=False)
    [layer] = _read(data)
    assert layer.crs is None and layer.crs_reason == "gk_no_zone"
    [layer] = _read(data, crs="4548")
    assert layer.crs == "EPSG:4548" and not layer.crs_inferred and layer.crs_reason == "uploader"


def test_a_shp_without_its_dbf_is_refused_by_name():
    files = c.shapefile_files(c.parcels())
    del files["parcels.dbf"]
    with pytest.raises(UserError) as err:
        _read(c.zip_bytes(files))
    assert err.value.key == "read.shp_no_dbf"


def test_the_temporary_folder_is_removed_even_when_reading_fails():
    before = set(Path(tempfile.gettempdir()).glob("xzsdg-upload-*"))
    files = c.shapefile_files(c.parcels())
    files["parcels.shp"] = b"not a shapefile"
    with pytest.raises(UserError):
        _read(c.zip_bytes(files))
    _read(c.shapefile_zip(c.parcels()))
    assert set(Path(tempfile.gettempdir()).glob("xzsdg-upload-*")) == before


def test_dbf_text_values_are_the_raw_names_and_text_cells():
    files = c.shapefile_files(c.parcels(), encoding="GBK")
    values = dbf.text_values(files["parcels.dbf"])
    assert "名称".encode("gbk") in values and "潘安湖1号地块".encode("gbk") in values
    assert dbf.text_values(b"") == [] and dbf.text_values(b"\x03" * 40) == []
