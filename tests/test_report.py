"""The annual report, read back as a reader gets it: poppler's pdftotext, pdffonts and pdftoppm on the
PDF (pages in order, embedded CJK fonts, pages that are not blank), and the HTML's own text."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from system import require_cjk_font, require_poppler

from xzsdg_geo import cli
from xzsdg_geo.errors import UserError
from xzsdg_geo.exports.tables import gather
from xzsdg_geo.report import build_report
from xzsdg_geo.report.content import on_the_day
from xzsdg_geo.store import open_store
from xzsdg_geo.when import When

YEAR, AS_OF = 2025, "2025-12-31"
SECTIONS = [  # headings, in the order the pages must give them
    "徐州市采煤沉陷区治理与生态修复年度监测报告",
    "一、采煤沉陷区治理和生态修复率",
    "二、空间分布（图 1）",
    "二、空间分布（图 2）",
    "三、采石宕口、幸福河湖与生态安全缓冲区建设进度",
    "四、可持续发展指标（2025 年）",
    "五、数据来源与说明",
]


def poppler(*args: object) -> str:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=True, timeout=60
    ).stdout


@pytest.fixture(scope="module")
def pdf(sample_store_file, tmp_path_factory) -> Path:
    """The report as ``python -m xzsdg_geo report`` writes it."""
    require_poppler()
    require_cjk_font()
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    code = cli.main(["report", "--year", str(YEAR), "--out", str(out), "--store", str(sample_store_file)])
    assert code == 0 and out.is_file()
    return out


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    n = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", pdf))[1])
    return [poppler("pdftotext", "-f", i, "-l", i, "-layout", pdf, "-") for i in range(1, n + 1)]


@pytest.fixture(scope="module")
def html(sample_store_file) -> str:
    require_cjk_font()
    store = open_store(str(sample_store_file))
    try:
        export = build_report(store, YEAR, "html", lang="zh")
    finally:
        store.close()
    assert export.filename == "xzsdg_report_2025.html" and export.mime == "text/html"
    return export.data.decode("utf-8")


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- the PDF ------------------------------------------------------------------------------------
def test_sections_start_pages_in_order(pages):
    starts = [
        next(i for i, page in enumerate(pages) if _flat(heading) in _flat(page)) for heading in SECTIONS
    ]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert starts[0] == 0 and starts[-1] == len(pages) - 1  # the cover first, the sources last
    assert 8 <= len(pages) <= 12


def test_every_page_carries_the_date_and_the_data_labels(pages):
    for page in pages:
        flat = _flat(page)
        assert f"统计截至{AS_OF}" in flat and "示例数据" in flat and "示意边界" in flat


def test_figures_are_dated_and_figures_match_the_tables(pages):
    text = _flat("".join(pages))
    for caption in (
        "各行政区采煤沉陷区治理和生态修复率与目标",
        "采煤沉陷区与治理修复地块",
        "采石宕口、河湖段与生态安全缓冲区",
    ):
        assert f"{caption}（截至{AS_OF}）" in text
    for district in ("鼓楼区", "沛县", "邳州市"):
        assert district in _flat(pages[1])


def test_fonts_are_embedded_cjk(pdf):
    rows = poppler("pdffonts", pdf).splitlines()[2:]
    assert rows, "the PDF uses no font"
    fonts = [(r.split()[0], r.split()[-5]) for r in rows]  # name, "emb" column
    assert all(emb == "yes" for _, emb in fonts), fonts
    assert any("CJK" in name for name, _ in fonts), fonts


def test_pages_render_and_are_not_blank(pdf, tmp_path):
    poppler("pdftoppm", "-r", 40, "-png", pdf, tmp_path / "page")
    images = sorted(tmp_path.glob("page-*.png"))
    assert images
    inked = []
    for path in images:
        inked.append(float((np.asarray(Image.open(path).convert("L")) < 200).mean()))
    assert min(inked) > 0.003, inked  # every page has text on it
    assert inked[2] > 0.03 and inked[3] > 0.02, inked  # the two map pages are mostly drawing


# -- the HTML -----------------------------------------------------------------------------------
def test_html_is_one_self_contained_file(html):
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-Hans">' in html
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert len(sources) == 4  # rate chart, two maps, progress chart
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        assert image.width > 500 and image.height > 200
    assert "http://" not in html and "https://" not in html  # nothing fetched when opened


def test_html_dates_every_figure_and_labels_the_data(html):
    for alt in re.findall(r'<img src="[^"]+" alt="([^"]+)"', html):
        assert f"截至 {AS_OF}" in alt
    assert "示例数据" in html and "示意边界" in html
    assert html.count('<tr class="sdg">') == 13  # the SDGs the plan's 40 indicators serve
    assert "采煤沉陷区治理和生态修复率" in html and "林木覆盖率" in html


def test_impossible_reports_are_refused(sample_store_file):
    store = open_store(str(sample_store_file))
    try:
        with pytest.raises(UserError) as err:
            build_report(store, YEAR, "docx")
        assert err.value.key == "report.bad_format"
        with pytest.raises(UserError) as err:
            build_report(store, 2100, "pdf")
        assert err.value.key == "export.future_year"
    finally:
        store.close()


def test_maps_colour_features_by_their_status_on_the_day(sample_store_file):
    """A segment stored as accepted with a later acceptance year is drawn as the table counts it."""
    store = open_store(str(sample_store_file))
    try:
        day = dt.date(YEAR, 12, 31)
        fig = gather(store, When(day))
        names = ("quarries", "river_segments", "buffer_projects")
        stored = {name: store.features(name) for name in names}
    finally:
        store.close()
    drawn = on_the_day(stored, fig)
    rivers, quarries = fig.progress["river_segments"].city, fig.progress["quarries"].city
    assert (
        stored["river_segments"]["happy_status"] == "accepted"
    ).sum() > rivers.accepted  # the store's word
    assert (drawn["river_segments"]["happy_status"] == "accepted").sum() == rivers.accepted  # the table's
    assert (drawn["quarries"]["status"] == "treated").sum() == quarries.treated
    assert len(drawn["buffer_projects"]) == len(stored["buffer_projects"])
