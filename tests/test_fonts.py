"""The report's font is looked up through fontconfig at every call: a machine without it gets the
install command, and a font installed while the process runs is used at the next call, by matplotlib
and WeasyPrint alike, with no cache deleted and no restart."""

from __future__ import annotations

import io
import logging
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from system import require_cjk_font as require_system_font

from xzsdg_geo.errors import UserError
from xzsdg_geo.i18n import t
from xzsdg_geo.report.fonts import FAMILY, cjk_font_files, require_cjk_font

_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


@dataclass(frozen=True)
class FontFolder:
    """A private fontconfig whose one folder starts empty; ``install`` puts the system's font there."""

    folder: Path
    system_files: list[Path]

    def install(self) -> list[Path]:
        for f in self.system_files:
            (self.folder / f.name).symlink_to(f)
        return [self.folder / f.name for f in self.system_files]


@pytest.fixture
def private_fontconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FontFolder:
    """The machine as it was before the font was installed (the real font is needed to install it)."""
    require_system_font()
    system_files = cjk_font_files()
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / "latin.ttf").symlink_to(_a_latin_font())  # pango needs some font; a CJK-less machine has one
    conf = tmp_path / "fonts.conf"
    conf.write_text(_FONTS_CONF.format(fonts=fonts, cache=tmp_path / "cache"), encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    return FontFolder(fonts, system_files)


def _a_latin_font() -> Path:
    listed = subprocess.run(["fc-list", "--format", "%{file}\n", ":lang=en"], capture_output=True, text=True)
    return next(Path(f) for f in sorted(listed.stdout.split()) if "CJK" not in f and f.endswith(".ttf"))


def _chinese_png() -> tuple[bytes, list[str]]:
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context({"font.sans-serif": [FAMILY]}):
        warnings.simplefilter("always")
        fig = Figure(figsize=(2, 1))
        fig.text(0.1, 0.5, "采煤沉陷区治理率")
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue(), [str(w.message) for w in caught]


def test_a_font_installed_while_running_is_used_at_the_next_call(private_fontconfig):
    with pytest.raises(UserError) as refused:
        require_cjk_font()
    assert "apt-get install -y fonts-noto-cjk" in t(refused.value.key, "zh", **refused.value.params)

    installed = private_fontconfig.install()
    assert require_cjk_font() == FAMILY
    assert cjk_font_files() == installed  # the regular style first, found in the new folder
    registered = {Path(e.fname) for e in font_manager.fontManager.ttflist if e.name == FAMILY}
    assert set(installed) <= registered
    png, complaints = _chinese_png()
    assert png.startswith(b"\x89PNG") and not [c for c in complaints if "missing from font" in c]


def _boxes_logged(caplog: pytest.LogCaptureFixture, html: str) -> list[str]:
    """The characters WeasyPrint drew as empty boxes (it logs each string no font covers)."""
    from weasyprint import HTML

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        HTML(string=html).write_pdf()
    return [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]


def test_weasyprint_finds_the_font_installed_after_its_first_document(private_fontconfig, caplog):
    html = f"<p style=\"font-family: '{FAMILY}'\">采煤沉陷区治理和生态修复率</p>"
    assert _boxes_logged(caplog, html)
    private_fontconfig.install()
    assert _boxes_logged(caplog, html) == []
