"""The checking worker: one upload's reading and checks in a process of its own, under limits.

GDAL and GEOS are C and C++: a hostile file can make them run for hours, allocate gigabytes or
crash the process outright. Run inside the Streamlit server, that takes every user down; so the
work happens in a child process with an address-space limit (``RLIMIT_AS``), a CPU-time limit
(``RLIMIT_CPU``) and a wall-clock deadline, and whatever goes wrong there comes back as an
:class:`Outcome` the caller turns into one refusal.

Children are forked from a *forkserver* that has already imported the readers and checks, so a
job starts in about 10 ms instead of the ~1.5 s a fresh interpreter needs to import GDAL; the
server itself is a clean single-threaded process, so forking it is safe even when the caller
(Streamlit) runs threads. :func:`warm_up` starts it ahead of the first upload.
"""

from __future__ import annotations

import enum
import math
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

MB = 1024 * 1024
_PRELOAD = ["xzsdg_geo.validation.warm"]
_GRACE_S = 5.0  # after the deadline, how long a result still being sent may take to arrive


@dataclass(frozen=True)
class Limits:
    seconds: float
    memory_mb: int


class Outcome(enum.Enum):
    DONE = "done"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CRASH = "crash"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    value: object = None
    exit_code: int | None = None


_lock = threading.Lock()


@cache
def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def warm_up() -> None:
    """Start the forkserver now and wait until it has imported GDAL and warmed its caches (a
    couple of seconds), so the first upload does not wait for it. One trivial job proves it."""
    run_limited(os.getpid, (), Limits(seconds=120, memory_mb=4096))


def _apply(limits: Limits) -> None:
    address = limits.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (address, address))
    cpu = max(1, math.ceil(limits.seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))


def _child(sender: multiprocessing.connection.Connection, fn: Callable, args: tuple, limits: Limits) -> None:
    _apply(limits)
    try:
        message: tuple[str, object] = ("done", fn(*args))
    except MemoryError:
        message = ("memory", None)
    try:
        sender.send(message)
    except MemoryError:  # the answer itself did not fit
        sender.send(("memory", None))
    finally:
        sender.close()


_BY_SIGNAL = {signal.SIGXCPU: Outcome.TIMEOUT, signal.SIGKILL: Outcome.MEMORY}


def _died(exit_code: int | None) -> Outcome:
    """What a child that sent nothing died of: CPU limit, the kernel's OOM killer, or a crash."""
    if exit_code is not None and exit_code < 0:
        return _BY_SIGNAL.get(-exit_code, Outcome.CRASH)
    return Outcome.CRASH


def run_limited(fn: Callable, args: tuple, limits: Limits) -> Result:
    """``fn(*args)`` in a limited child process; its return value, or what stopped it.

    ``fn`` and ``args`` must pickle, and so must the value; exceptions other than
    :class:`MemoryError` are the caller's to catch inside ``fn``.
    """
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    with _lock:  # one thread at a time asks the forkserver for a child
        proc = ctx.Process(target=_child, args=(sender, fn, args, limits), daemon=True)
        proc.start()
    sender.close()
    try:
        return _wait(proc, receiver, limits)
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join()


def _wait(proc, receiver: multiprocessing.connection.Connection, limits: Limits) -> Result:
    deadline = time.monotonic() + limits.seconds
    if not receiver.poll(limits.seconds):
        proc.kill()
        proc.join()
        return Result(Outcome.TIMEOUT, exit_code=proc.exitcode)
    try:
        kind, value = receiver.recv()  # a large report may still be arriving: bounded by the grace
    except (EOFError, OSError):
        proc.join(max(0.0, deadline - time.monotonic()) + _GRACE_S)
        return Result(_died(proc.exitcode), exit_code=proc.exitcode)
    return Result(Outcome(kind), value if kind == "done" else None)
