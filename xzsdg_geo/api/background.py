"""``serve-api`` in a child process, for the tests and the benchmark (and any script that needs a
live server): started on a free port, waited for until it answers, stopped on exit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from ..paths import ROOT

START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"serve-api exited with {proc.returncode}: {log.read_text(encoding='utf-8')}")
        try:
            if requests.get(f"{url}/conformance", timeout=5).ok:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"serve-api did not answer within {START_TIMEOUT_S} s")
        time.sleep(0.3)


@dataclass(frozen=True)
class Running:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (Linux: from /proc), for the benchmark's figures."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(location: str, workdir: Path, *extra: str) -> Iterator[Running]:
    """``xzsdg serve-api --store location`` running until the block ends; its output goes to
    ``workdir/server.log``."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "server.log"
    url = f"http://127.0.0.1:{(port := free_port())}"
    argv = [sys.executable, "-m", "xzsdg_geo", "serve-api", "--store", location, "--port", str(port),
            "--workdir", str(workdir), *extra]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            _wait_ready(proc, url, log)
            yield Running(url, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
