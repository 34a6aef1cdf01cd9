"""``make test`` on a fresh Debian machine with only Python 3.11 and ``venv``: the tests that need a
system package skip, each naming the command that installs it; under ``CI=true`` they fail.

The machine is simulated for a pytest run in a subprocess: ``PATH`` holds only ``fc-list`` (no
Chromium, no poppler), fontconfig knows one Latin font and no CJK one, GDAL's interpreter is absent
and no PostGIS server is named.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from system import GDAL_PYTHON_ENV

HERE = Path(__file__).resolve().parent
NEEDING_SYSTEM = [
    "tests/test_report.py",
    "tests/test_browser.py",
    "tests/test_gpkg_qgis.py::test_the_store_passes_gdals_validator",
    "tests/test_postgis_store.py",
]
INSTALLS = [
    "apt-get install -y poppler-utils",
    "apt-get install -y fonts-noto-cjk fontconfig",
    "apt-get install -y chromium",
    "apt-get install -y python3-gdal",
    "scripts/postgis.sh start",
]
_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def _bare_machine(tmp: Path) -> dict[str, str]:
    bin_dir, fonts = tmp / "bin", tmp / "fonts"
    bin_dir.mkdir()
    fonts.mkdir()
    fc_list = Path("/usr/bin/fc-list")
    if not fc_list.exists():
        pytest.skip("fc-list not found: apt-get install -y fontconfig")
    (bin_dir / "fc-list").symlink_to(fc_list)
    latin = next(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"), None)
    if latin is not None:
        (fonts / latin.name).symlink_to(latin)
    conf = tmp / "fonts.conf"
    conf.write_text(_FONTS_CONF.format(fonts=fonts, cache=tmp / "cache"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "XZSDG_TEST_POSTGIS_URL")}
    return {**env, "PATH": str(bin_dir), "FONTCONFIG_FILE": str(conf), GDAL_PYTHON_ENV: str(tmp / "none")}


def _pytest(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-rsf", "-p", "no:cacheprovider", *NEEDING_SYSTEM]
    return subprocess.run(command, cwd=HERE.parent, env=env, capture_output=True, text=True, timeout=600)


def test_a_bare_machine_skips_with_the_install_commands(tmp_path):
    done = _pytest(_bare_machine(tmp_path))
    summary = done.stdout.splitlines()[-1]
    assert done.returncode == 0, done.stdout[-3000:]
    assert "skipped" in summary and not re.search(r"failed|error", summary), summary
    for install in INSTALLS:
        assert install in done.stdout, (install, done.stdout[-3000:])


def test_under_ci_a_missing_system_package_fails(tmp_path):
    done = _pytest({**_bare_machine(tmp_path), "CI": "true"})
    assert done.returncode == 1 and "CI requires it" in done.stdout, done.stdout[-3000:]
    assert "failed" in done.stdout.splitlines()[-1]
