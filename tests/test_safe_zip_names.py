"""Archive member names: every spelling of "outside the work folder" refused, nothing written there.

Absolute names point into this test's own temporary folder (``outside``), so a failure writes
there and nowhere else.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import corpus as c
import pytest

from xzsdg_geo.errors import UserError
from xzsdg_geo.readers import read_file
from xzsdg_geo.readers.safe_zip import extract_safely, member_path, zip_names

ESCAPES = [
    "../x.shp",
    "../../x.shp",
    "a/../../x.shp",
    "a/b/../../../x.shp",
    "a/./../../x.shp",
    "..\\x.shp",
    "a\\..\\..\\x.shp",
    "..",
    "../",
    "...",
    "..../x.shp",
    ".. /x.shp",
    ". ./x.shp",
    "/{out}",
    "//{out}",
    "///{out}",
    "////{out}",
    "\\{bs_out}",
    "\\\\{bs_out}",
    "/\\{bs_out}",
    "\\/{out}",
    "\\\\server\\share\\x.shp",
    "//server/share/x.shp",
    "\\\\?\\C:\\x.shp",
    "\\\\.\\C:\\x.shp",
    "C:/x.shp",
    "C:\\x.shp",
    "c:x.shp",
    "Z:",
    "a/b:c.shp",
    "x.shp::$DATA",
    "file:///{out}",
    "x.shp\x00.txt",
    "a/\x00/../../x.shp",
    "\x00../x.shp",
    "\u200b../x.shp",
    "\u202e../x.shp",
    "a\r\n/../../x.shp",
    "\uff0e\uff0e/x.shp",  # fullwidth full stops
    "\uff0e\uff0e\uff0fx.shp",  # and a fullwidth solidus
    "..\uff0fx.shp",
    "..\uff3cx.shp",  # fullwidth reverse solidus
    "..\u2215x.shp",  # division slash
    "..\u2044x.shp",  # fraction slash
    "..\u29f8x.shp",  # big solidus
    "..\u2216x.shp",  # set minus
    "..\ufe68x.shp",  # small reverse solidus
    "\u2025/x.shp",  # two dot leader
    "\u2024\u2024/x.shp",  # one dot leaders
    "\ufe52\ufe52/x.shp",  # small full stops
    "\u2026/x.shp",  # ellipsis: three dots
    "\uff0f{out}",
    "\u2215{out}",
    "\uff23\uff1a/x.shp",  # fullwidth C:
    "a/" + "b" * 300 + ".shp",
    "a/" * 600 + "x.shp",
    "",
    "/",
    ".",
]


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in names:
            archive.writestr(zipfile.ZipInfo(name), b"written")
    return buf.getvalue()


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.parametrize("template", ESCAPES)
def test_no_spelling_of_an_escape_writes_outside(tmp_path, template):
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    out = str(outside / "x.shp").lstrip("/")
    name = template.format(out=out, bs_out=out.replace("/", "\\"))
    with pytest.raises(UserError) as err:
        member_path(work, name)
    assert err.value.key == "zip.unsafe_path"
    if not name.split("\x00")[0]:
        return  # the zip module cannot even write this name
    try:  # the zip module itself cuts names at NUL; whatever it makes of the rest stays inside
        extract_safely(_zip(["ok.txt", name]), work)
    except UserError as refused:
        assert refused.key == "zip.unsafe_path"
        assert _files(tmp_path) == []  # refused before anything was written, inside or out
    assert all(p.is_relative_to(work) for p in _files(tmp_path))
    assert not outside.exists()


@pytest.mark.parametrize(
    ("name", "inside"),
    [
        ("a/b.shp", "a/b.shp"),
        ("./a/b.shp", "a/b.shp"),
        ("a//b.shp", "a/b.shp"),
        ("a\\b.shp", "a/b.shp"),
        ("a\u2215b.shp", "a/b.shp"),
        ("\uff41.shp", "a.shp"),
        ("a/..b/c.shp", "a/..b/c.shp"),
        ("地块/宗地.shp", "地块/宗地.shp"),
    ],
)
def test_harmless_names_land_inside_under_their_plain_spelling(tmp_path, name, inside):
    written = extract_safely(_zip([name]), tmp_path)
    assert written == [tmp_path.resolve() / inside]
    assert (tmp_path / inside).read_bytes() == b"written"


def test_a_link_already_in_the_work_folder_is_not_followed(tmp_path):
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    (work / "sub").symlink_to(outside)
    with pytest.raises(UserError):
        member_path(work, "sub/x.shp")
    with pytest.raises(UserError):
        extract_safely(_zip(["sub/x.shp"]), work)
    assert _files(outside) == []


@pytest.mark.parametrize("kind", [stat.S_IFLNK, stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK])
def test_links_and_special_entries_are_refused(tmp_path, kind):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        info = zipfile.ZipInfo("parcels.shp")
        info.external_attr = (kind | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(UserError) as err:
        extract_safely(buf.getvalue(), tmp_path)
    assert err.value.key == "zip.link" and _files(tmp_path) == []


def test_a_name_given_twice_is_refused_not_overwritten(tmp_path):
    with pytest.raises(UserError) as err:
        extract_safely(_zip(["a.shp", "./a.shp"]), tmp_path)
    assert err.value.key == "secup.zip_duplicate"


def _unflagged(raw: bytes) -> bytes:
    """A zip with one entry named by ``raw`` bytes, without the UTF-8 flag (as old tools write)."""
    placeholder = b"#" * len(raw)
    return _zip([placeholder.decode()]).replace(placeholder, raw)


@pytest.mark.parametrize("codec", ["gbk", "utf-8"])
def test_entry_names_without_the_utf8_flag_are_decoded_by_their_bytes(codec):
    raw = "徐州/潘安湖地块.shp".encode(codec)
    assert zip_names(_unflagged(raw)) == ["徐州/潘安湖地块.shp"]


def test_a_gbk_named_shapefile_becomes_a_readable_layer_name():
    """ "pppp" and 地块 in GBK are both 4 bytes, so the names can be swapped in the written zip."""
    files = c.shapefile_files(c.parcels(), stem="pppp")
    data = c.zip_bytes(files).replace(b"pppp.", "地块.".encode("gbk"))
    assert [layer.name for layer in read_file(data, "gbk.zip")] == ["地块"]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"PK\x03\x04" + b"\0" * 200, "secup.zip_damaged"),
        (b"Rar!\x1a\x07\x01\x00" + b"\0" * 50, "secup.archive_other"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\0" * 50, "secup.archive_other"),
    ],
)
def test_archives_we_cannot_open_say_what_to_do(data, key):
    with pytest.raises(UserError) as err:
        read_file(data, "parcels.zip")
    assert err.value.key == key


def test_a_truncated_zip_is_called_damaged():
    whole = c.shapefile_zip(c.parcels())
    with pytest.raises(UserError) as err:
        read_file(whole[: len(whole) // 2], "cut.zip")
    assert err.value.key == "secup.zip_damaged"
    assert "重新压缩" in err.value.message("zh")
