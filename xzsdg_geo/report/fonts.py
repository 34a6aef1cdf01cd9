"""The CJK font the report is set in: Noto Sans CJK SC (Debian ``fonts-noto-cjk``).

Fontconfig is the one authority on which fonts the system has: it is asked at every call
(``fc-list``, a few milliseconds), never remembered. The file it names is registered with
matplotlib (``font_manager.addfont``), whose own font cache is built once and never sees a font
installed later; WeasyPrint loads a fresh fontconfig configuration for every document, so it finds
the same file. A font installed while the app runs therefore works at the next report, without
deleting ``~/.cache/matplotlib`` or restarting. Without it Chinese would come out as empty boxes, so
the report refuses to render instead.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from matplotlib import font_manager

from ..errors import UserError

LOGGER = logging.getLogger(__name__)

FAMILY = "Noto Sans CJK SC"
PACKAGE = "fonts-noto-cjk"
CSS_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
_FC_TIMEOUT_S = 30


def cjk_font_files() -> list[Path]:
    """The files fontconfig holds for :data:`FAMILY` (every style), regular first; [] when none."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        LOGGER.warning("fc-list not found: fontconfig is not installed")
        return []
    listed = subprocess.run(
        [fc_list, "--format", "%{style[0]}\t%{file}\n", FAMILY],
        capture_output=True, text=True, timeout=_FC_TIMEOUT_S, check=False,
    )  # fmt: skip
    rows = [line.split("\t", 1) for line in listed.stdout.splitlines() if "\t" in line]
    files = sorted((style != "Regular", Path(file)) for style, file in rows if Path(file).is_file())
    return list(dict.fromkeys(path for _, path in files))


def _register(paths: list[Path]) -> None:
    """Tell matplotlib about each file it does not already know (its cache predates the font)."""
    known = {Path(entry.fname) for entry in font_manager.fontManager.ttflist}
    for path in paths:
        if path not in known:
            LOGGER.info("registering %s with matplotlib", path)
            font_manager.fontManager.addfont(str(path))


def require_cjk_font() -> str:
    """The family name, registered with matplotlib; a :class:`UserError` saying which package to
    install when fontconfig has no such font."""
    files = cjk_font_files()
    if not files:
        raise UserError("report.no_cjk_font", family=FAMILY, package=PACKAGE)
    _register(files)
    return FAMILY
