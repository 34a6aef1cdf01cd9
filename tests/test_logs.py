"""Internal errors reach the administrator's log with their traceback, never the user: the CLI's
internal-error path and a crashing validation check; ``--verbose`` shows the log on stderr."""

from __future__ import annotations

import corpus as c
import pytest

from xzsdg_geo import cli, logs
from xzsdg_geo.cli import rates as rates_command
from xzsdg_geo.layers import get_layer
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.validation import VALIDATORS, validation_settings
from xzsdg_geo.validation.context import Upload, UploadContext
from xzsdg_geo.validation.run import run_checks


@pytest.fixture
def log_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "LOG_DIR", tmp_path / "log")
    yield tmp_path / "log"
    logs.setup_logging(folder=tmp_path / "log")  # leave no stderr handler behind


def _explode(args):
    raise ZeroDivisionError("a bug deep inside")


def test_a_bug_in_a_command_is_one_line_for_the_user_and_a_traceback_in_the_log(run, log_dir, monkeypatch):
    monkeypatch.setattr(rates_command, "cmd_rates", _explode)
    code, out, err = run("rates", "--year", "2026")
    assert code == cli.EXIT_INTERNAL and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "ZeroDivisionError" in err and str(log_dir / "xzsdg.log") in err
    logged = (log_dir / "xzsdg.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "in _explode" in logged


def test_verbose_prints_the_log_on_stderr(run, log_dir, sample_store_file, capsys):
    code, _, err = run("--verbose", "rates", "--year", "2024", "--store", sample_store_file)
    assert code == 0 and "xzsdg_geo.cli" in err and "rates --year 2024" in err
    code, _, err = run("rates", "--year", "2024", "--store", sample_store_file)
    assert code == 0 and err == ""


class _Crashes:
    code = "crashes"
    gate = False

    def check(self, ctx):
        raise RuntimeError("boom in a check")


def test_a_crashing_check_logs_its_traceback(log_dir):
    logs.setup_logging(folder=log_dir)
    spec = get_layer("restoration_parcels")
    upload = Upload(c.geojson(c.parcels()), "x.geojson", spec, ReadOptions(), None, validation_settings())
    findings, _ = run_checks(UploadContext(upload), [*VALIDATORS[:6], _Crashes()])
    assert "internal_error" in {f.code for f in findings}
    logged = (log_dir / "xzsdg.log").read_text(encoding="utf-8")
    assert "check crashes crashed on x.geojson" in logged and "RuntimeError: boom in a check" in logged
