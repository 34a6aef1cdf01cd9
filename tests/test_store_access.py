"""Reads never wait for writers; a read-only store reads; a damaged store says so (real stores)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from shapely.geometry import box

from xzsdg_geo.store import NewFeature, open_store

N_HELD = 10_000
READ_BUDGET_S = 2.0
GPKG_ONLY = pytest.mark.parametrize("backend", ["gpkg"], indirect=True)


def _parcels(n: int) -> list[NewFeature]:
    """``n`` small planned parcels on a grid inside 铜山区."""
    props = {"name": "批量", "status": "planned", "measure": "wetland", "investment_wan": 1.0}
    step = 0.0004
    corners = [(117.20 + (i % 100) * step, 34.20 + (i // 100) * step) for i in range(n)]
    return [
        NewFeature(
            f"HOLD-{i:05d}", box(x, y, x + step / 2, y + step / 2), {**props, "parcel_id": f"HOLD-{i:05d}"}
        )
        for i, (x, y) in enumerate(corners)
    ]


class HeldWrite(threading.Thread):
    """A big write transaction kept open (as a long approval is) until told to let go."""

    def __init__(self, location: str) -> None:
        super().__init__(daemon=True)
        self.location, self.holding, self.release = location, threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        store = open_store(self.location)
        try:
            with store.transaction():
                store.write_features("restoration_parcels", _parcels(N_HELD), by="bench", source="held")
                self.holding.set()
                self.release.wait(120)
        except BaseException as err:  # reported to the test
            self.error = err
        finally:
            self.holding.set()
            store.close()


def _timed(run, *argv: str) -> float:
    started = time.perf_counter()
    code, _out, err = run(*argv)
    assert code == 0, err
    return time.perf_counter() - started


def test_reads_answer_while_a_big_write_transaction_is_open(sample_store, run):
    """``rates`` itself takes 1-3 s on a shared machine: it must not take longer for the writer."""
    location = sample_store.location
    alone = _timed(run, "rates", "--store", location)
    writer = HeldWrite(location)
    writer.start()
    try:
        assert writer.holding.wait(300) and writer.error is None
        started = time.perf_counter()
        store = open_store(location)
        try:
            parcels = store.features("restoration_parcels")
        finally:
            store.close()
        opened = time.perf_counter() - started
        rates = _timed(run, "rates", "--store", location)
    finally:
        writer.release.set()
        writer.join(120)
    assert writer.error is None
    assert not parcels["feature_id"].str.startswith("HOLD-").any()  # the open transaction is not seen
    assert opened < READ_BUDGET_S and rates < alone + READ_BUDGET_S, (opened, rates, alone)
    figures = f"open+read {opened:.2f} s, rates {rates:.2f} s ({alone:.2f} s alone)"
    print(f"during a held {N_HELD}-feature write: {figures}")


def _unprivileged(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
    """The CLI as a user without write access; as root (who may write anything) run as nobody."""
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.getuid() == 0 else []
    env = {**os.environ, "XZSDG_LANG": "zh", "HOME": "/tmp"}
    return subprocess.run([*prefix, sys.executable, "-m", "xzsdg_geo", *argv], capture_output=True, text=True,
                          input=stdin, env=env, check=False, timeout=300, cwd="/")  # fmt: skip


def _read_only_copy(source: str, folder_writable: bool) -> Path:
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"xzsdg-ro-{os.getpid()}-{int(folder_writable)}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o755)
    path = folder / "store.gpkg"
    shutil.copy(source, path)
    path.chmod(0o444)
    folder.chmod(0o777 if folder_writable else 0o555)
    return path


@GPKG_ONLY
@pytest.mark.parametrize("folder_writable", [True, False])
def test_a_read_only_store_reads_and_refuses_writes_saying_why(sample_store, tmp_path, folder_writable):
    sample_store.close()
    path = _read_only_copy(sample_store.location, folder_writable)
    try:
        rates = _unprivileged("rates", "--store", str(path))
        assert rates.returncode == 0, rates.stderr
        assert "贾汪区" in rates.stdout
        add = ("user", "add", "someone", "--role", "reviewer", "--as", "admin", "--store", str(path))
        users = _unprivileged(*add, stdin="a long enough password\n")
        assert users.returncode == 2
        assert "只读" in users.stderr and "损坏" not in users.stderr and "内部错误" not in users.stderr
    finally:
        path.parent.chmod(0o755)
        shutil.rmtree(path.parent)


def _damage(path: Path, table: str) -> None:
    """Overwrite one page of ``table``'s b-tree with garbage (another page than its root)."""
    import sqlite3

    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'",
                                        (table,))]  # fmt: skip
    conn.close()
    with path.open("r+b") as fh:
        fh.seek((pages[len(pages) // 2] - 1) * page_size)
        fh.write(b"\xde\xad\xbe\xef" * (page_size // 4))


@GPKG_ONLY
def test_a_damaged_page_is_told_as_a_damaged_store_with_what_to_do(sample_store, tmp_path, run):
    sample_store.close()
    path = tmp_path / "damaged.gpkg"
    shutil.copy(sample_store.location, path)
    _damage(path, "restoration_parcels")
    code, _out, err = run("rates", "--store", path)
    assert code == 2, err
    assert "已损坏" in err and "备份" in err and "内部错误" not in err
