"""The printed map (xzsdg_geo/map_print.py, ``xzsdg map-print``): real sample store, real PDF/PNG,
checked with poppler's pdftotext/pdfinfo/pdftoppm."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from xzsdg_geo.mapping import map_settings

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)"
)
# A4 and A3 in PDF points (1/72 inch), long side first.
A4_PT = (841.89, 595.28)
A3_PT = (1190.55, 841.89)


def _pdf_size(path: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    line = next(x for x in info.splitlines() if x.startswith("Page size:"))
    w, h = line.split(":")[1].split("pts")[0].split("x")
    return float(w), float(h)


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@needs_poppler
def test_a4_landscape_pdf_has_legend_north_arrow_labels_and_review_line(
    run, sample_store_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "map.pdf"
    code, stdout, err = run("map-print", "--store", sample_store_file, "--size", "A4", "--orientation",
                            "landscape", "--as-of", "2026-06-30", "--out", out)  # fmt: skip
    assert code == 0, err
    assert str(out) in stdout
    w, h = _pdf_size(out)
    assert (round(w), round(h)) == (round(A4_PT[0]), round(A4_PT[1]))
    text = _text(out)
    expected = ["图例", "N", "示例数据", "示意边界", "数据截至 2026-06-30", "公里", "治理修复地块：已完成"]
    expected += ["采煤沉陷区：重度", "丰县", map_settings().review_line("zh")]
    for word in expected:
        assert word in text, word
    assert not list(tmp_path.glob("*.part"))


@needs_poppler
def test_a3_portrait_pdf_of_a_view_and_its_picture(run, sample_store_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "view.pdf"
    view = ["--bbox", "117.1,34.2,117.4,34.45", "--size", "a3", "--orientation", "portrait"]
    code, _, err = run("map-print", "--store", sample_store_file, *view, "--out", out)
    assert code == 0, err
    w, h = _pdf_size(out)
    assert (round(w), round(h)) == (round(A3_PT[1]), round(A3_PT[0]))
    text = _text(out)
    assert "鼓楼区" in text and "丰县" not in text  # the view, not the whole city
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    pw, ph = _png_size(pages[0])
    assert ph > pw  # portrait


def test_png_in_english(
    run, sample_store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XZSDG_LANG", "en")  # restored afterwards (--lang sets it for the process)
    out = tmp_path / "map.png"
    code, _, err = run("--lang", "en", "map-print", "--store", sample_store_file, "--out", out)
    assert code == 0, err
    w, h = _png_size(out)
    assert w > h  # landscape by default


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bbox", "117.4,34.2,117.1"], "--bbox 应为 4 个数字"),
        (["--bbox", "117.4,34.2,117.1,34.4"], "西 < 东"),
        (["--bbox", "a,b,c,d"], "--bbox 应为 4 个数字"),
        (["--bbox", "10,10,11,11"], "位于徐州附近"),
        (["--size", "A5"], "纸张 A5 不可用"),
        (["--orientation", "sideways"], "方向 sideways 不可用"),
    ],
)
def test_bad_options_give_one_chinese_line(
    run, sample_store_file: Path, tmp_path: Path, args, message
) -> None:
    out = tmp_path / "map.pdf"
    code, _, err = run("map-print", "--store", sample_store_file, *args, "--out", out)
    assert code != 0
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_an_unknown_output_type_is_refused(run, sample_store_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    code, _, err = run("map-print", "--store", sample_store_file, "--out", out)
    assert code != 0 and ".pdf 或 .png" in err
    assert not out.exists()
