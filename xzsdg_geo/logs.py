"""Where the program's own log goes: ``var/log/xzsdg.log`` (rotated), for the administrator.

Users see one clear sentence when something fails; the traceback of an internal error is written
here instead, with the time and the module that logged it, so it can be reported and fixed. Each
module logs through ``logging.getLogger(__name__)``; :func:`setup_logging` is called once by the
entry points (the CLI, the app). ``--verbose`` also prints the log on stderr.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from .paths import LOG_DIR

LOG_FILE_NAME = "xzsdg.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"
_MAX_BYTES, _BACKUPS = 5 * 2**20, 5
_OURS = "xzsdg_geo"


def log_file(folder: Path | None = None) -> Path:
    return (folder or LOG_DIR) / LOG_FILE_NAME


def _file_handler(path: Path) -> logging.Handler | None:
    """A rotating file handler, or None when the folder cannot be written (a read-only install):
    logging must never be the reason a command fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS,
                                                       encoding="utf-8")  # fmt: skip
    except OSError:
        return None
    handler.setLevel(logging.INFO)
    return handler


def setup_logging(verbose: bool = False, folder: Path | None = None) -> Path | None:
    """Send our loggers to the log file (INFO and up) and, when ``verbose``, to stderr (DEBUG and up).
    Idempotent: a second call replaces the handlers of the first. Returns the log file, if any."""
    logger = logging.getLogger(_OURS)
    for old in [h for h in logger.handlers if getattr(h, "_xzsdg", False)]:
        logger.removeHandler(old)
        old.close()
    handlers: list[logging.Handler] = []
    path = log_file(folder)
    if (to_file := _file_handler(path)) is not None:
        handlers.append(to_file)
    if verbose:
        to_stderr = logging.StreamHandler()
        to_stderr.setLevel(logging.DEBUG)
        handlers.append(to_stderr)
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._xzsdg = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    return path if to_file is not None else None
