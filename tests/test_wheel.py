"""The wheel runs outside the checkout: built from a copy of the sources, installed into a fresh venv
in a temporary folder, it creates a sample store, prints the rates and serves the app (its health
endpoint and the vendored Leaflet from the package's own static folder).

The new venv has only the wheel; its dependencies come from the test interpreter's site-packages
through a ``.pth`` line, so nothing is downloaded (about 20 s in all).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "app.py", ".streamlit", "config", "layers", "data",
           "static", "xzsdg_geo"]  # fmt: skip
pytestmark = pytest.mark.wheel


def _require_build_tools() -> None:
    from importlib.metadata import version

    if importlib.util.find_spec("build") is None:
        pytest.skip("the build tool is not installed: pip install -r requirements-dev.txt -c constraints.txt")
    if int(version("setuptools").split(".")[0]) < 77:
        pytest.skip("setuptools < 77 cannot build this project: pip install -r requirements-dev.txt")


def _run(*command: object, cwd: Path, env: dict[str, str], timeout: int = 300) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """(the new venv's bin folder, an environment without the checkout on the path)."""
    _require_build_tools()
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, src / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "XZSDG_STORE", "XZSDG_CONFIG_DIR")}
    _run(
        sys.executable,
        "-m",
        "build",
        "--wheel",
        "--no-isolation",
        "--outdir",
        tmp / "dist",
        src,
        cwd=tmp,
        env=env,
    )
    (wheel,) = (tmp / "dist").glob("xzsdg_geo-*.whl")
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp, env=env)
    site = Path(_run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                     cwd=tmp, env=env).strip())  # fmt: skip
    (site / "shared_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    _run(
        venv / "bin" / "python",
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=tmp,
        env=env,
    )
    return venv / "bin", env


def test_the_package_comes_from_the_wheel(installed, tmp_path):
    bin_dir, env = installed
    where = _run(
        bin_dir / "python", "-c", "import xzsdg_geo; print(xzsdg_geo.__file__)", cwd=tmp_path, env=env
    )
    assert str(bin_dir.parent) in where and str(ROOT) not in where


def test_init_and_rates_outside_the_checkout(installed, tmp_path):
    bin_dir, env = installed
    _run(bin_dir / "xzsdg", "init", "--sample", cwd=tmp_path, env=env)
    assert (tmp_path / "var" / "xzsdg.gpkg").is_file()  # the default store is the working folder's
    table = _run(bin_dir / "xzsdg", "rates", "--year", "2026", cwd=tmp_path, env=env)
    assert "贾汪区" in table and "全市" in table


def test_the_app_starts_from_the_wheel(installed, tmp_path):
    bin_dir, env = installed
    store = tmp_path / "app.gpkg"
    _run(bin_dir / "xzsdg", "init", "--store", store, "--sample", cwd=tmp_path, env=env)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([bin_dir / "xzsdg", "serve", "--store", store, "--port", str(port),
                             "--address", "127.0.0.1"], cwd=tmp_path, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        assert _get(f"{base}/_stcore/health", proc) == b"ok"
        assert b"Leaflet" in _get(f"{base}/app/static/vendor/leaflet/leaflet.js", proc)[:2000]
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        log.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, proc: subprocess.Popen, timeout_s: float = 90) -> bytes:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "xzsdg serve exited"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {timeout_s} s")
