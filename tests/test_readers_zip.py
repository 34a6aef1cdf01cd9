"""Archives from strangers: bombs, escapes and links are refused before anything is written."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import corpus as c
import numpy as np
import pytest

from xzsdg_geo.errors import UserError
from xzsdg_geo.readers import read_file
from xzsdg_geo.readers.safe_zip import extract_safely, read_members
from xzsdg_geo.readers.settings import ZipLimits

SMALL = ZipLimits(max_unpacked_bytes=100_000, max_ratio=200, max_entries=10)


def _key(data: bytes, tmp_path: Path, limits: ZipLimits | None = SMALL) -> str:
    with pytest.raises(UserError) as err:
        extract_safely(data, tmp_path, limits)
    return err.value.key


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path):
    assert _key(c.zip_bytes({"a.shp": b"\0" * 5_000_000}), tmp_path, None) == "zip.bomb"
    assert not any(tmp_path.iterdir())


def test_too_much_unpacked_data_is_refused(tmp_path):
    noise = np.random.default_rng(1).bytes(30_000)  # incompressible: the ratio is ~1
    assert _key(c.zip_bytes({f"{k}.bin": noise for k in range(5)}), tmp_path) == "zip.bomb"


def test_too_many_entries_are_refused(tmp_path):
    assert _key(c.zip_bytes({f"{k}.txt": b"x" for k in range(11)}), tmp_path) == "zip.too_many"


@pytest.mark.parametrize(
    "name", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp", "C:/evil.shp", "..\\evil.shp"]
)
def test_entries_cannot_escape_the_folder(tmp_path, name):
    assert _key(c.zip_bytes({name: b"x"}), tmp_path / "in") == "zip.unsafe_path"
    assert not (tmp_path / "evil.shp").exists()


def test_links_are_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        info = zipfile.ZipInfo("parcels.shp")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    assert _key(buf.getvalue(), tmp_path) == "zip.link"


def test_an_archive_lying_about_its_sizes_gains_nothing(tmp_path):
    """Declared sizes patched down: the unpacked bytes are cut at the declared size and the CRC fails."""
    data = bytearray(c.zip_bytes({"a.bin": b"\0" * 50_000}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    assert _key(bytes(data), tmp_path) in ("zip.broken", "zip.bomb_actual")


def test_broken_archives_are_named_as_such(tmp_path):
    assert _key(b"PK\x03\x04 not really a zip", tmp_path) == "zip.broken"


def test_members_are_read_in_memory_with_the_same_caps():
    data = c.zip_bytes({"doc.kml": b"<kml/>", "files/x.png": b"png"})
    assert read_members(data, (".kml",)) == {"doc.kml": b"<kml/>"}
    with pytest.raises(UserError):
        read_members(c.zip_bytes({"../doc.kml": b"<kml/>"}), (".kml",))


def test_a_zip_bomb_upload_is_refused_through_the_reader():
    with pytest.raises(UserError) as err:
        read_file(c.zip_bytes({"a.shp": b"\0" * 5_000_000, "a.dbf": b"x"}), "bomb.zip")
    assert err.value.key == "zip.bomb"
