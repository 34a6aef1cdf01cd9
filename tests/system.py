"""What the tests need from the machine beyond Python, and the one way a test asks for it.

A fresh Debian machine with only Python 3.11 and ``venv`` runs ``make test``: every test that needs a
system package skips, naming the exact command that installs it. Under ``CI=true`` (``.ci/run``
installs everything) a missing package is a failure instead, since a skip there would go unnoticed.
Each lookup goes through ``PATH``, fontconfig or an overridable interpreter path, so a test can
simulate a machine without them (``tests/test_fresh_machine.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from xzsdg_geo.report.fonts import FAMILY, PACKAGE, cjk_font_files

APT = "apt-get install -y"
POPPLER = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo")
# Debian's python3-gdal ships the OGC GeoPackage validator as a module of the system interpreter.
GDAL_PYTHON_ENV = "XZSDG_GDAL_PYTHON"
VALIDATE_GPKG = "osgeo_utils.samples.validate_gpkg"


def require(missing: str | None, install: str) -> None:
    """Skip (fail under ``CI=true``) when ``missing`` names something absent, saying how to install it."""
    if missing is None:
        return
    reason = f"{missing} not found: {install}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI requires it", pytrace=False)
    pytest.skip(reason)


def require_tools(*tools: str, package: str) -> None:
    """Programs looked up on ``PATH``."""
    absent = [tool for tool in tools if shutil.which(tool) is None]
    require(", ".join(absent) or None, f"{APT} {package}")


def require_chromium() -> Path:
    """Debian's Chromium (never one downloaded by ``playwright install``), with the CJK font its
    screenshots show Chinese in."""
    require_tools("chromium", package="chromium")
    require_cjk_font()
    return Path(shutil.which("chromium") or "")


def require_poppler() -> None:
    require_tools(*POPPLER, package="poppler-utils")


def require_cjk_font() -> None:
    """The report's font, found through fontconfig as the report finds it."""
    require(None if cjk_font_files() else f"font {FAMILY}", f"{APT} {PACKAGE} fontconfig")


def gdal_python() -> str:
    return os.environ.get(GDAL_PYTHON_ENV, "/usr/bin/python3")


@cache
def _has_validator(python: str) -> bool:
    if not Path(python).is_file():
        return False
    probe = subprocess.run([python, "-c", f"import {VALIDATE_GPKG}"], capture_output=True, timeout=60)
    return probe.returncode == 0


def require_validate_gpkg() -> list[str]:
    """The command that runs GDAL's ``validate_gpkg.py`` (append the file to check)."""
    python = gdal_python()
    require(None if _has_validator(python) else "GDAL's validate_gpkg.py", f"{APT} python3-gdal")
    return [python, "-m", VALIDATE_GPKG]


def validate_gpkg(path: Path) -> None:
    """GDAL's validator on ``path``; a test failure quoting its complaint when it finds one."""
    command = [*require_validate_gpkg(), str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    complaint = (done.stdout + done.stderr).strip()
    assert done.returncode == 0 and not complaint, f"validate_gpkg.py {path.name}:\n{complaint}"
