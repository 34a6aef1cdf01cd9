"""``serve``: the app, from wherever the package is installed (a checkout runs ``make run``).

Streamlit runs the bundled entry script (``_data/app.py``), which serves the ``static/`` folder
beside it, with the settings of the bundled ``.streamlit/config.toml`` passed as options, since an
installed package has no ``.streamlit/`` folder in the user's working directory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib

from ..config import store_location
from ..paths import APP_SCRIPT, STREAMLIT_CONFIG
from .common import add_command


def streamlit_options() -> list[str]:
    """``--section.key value`` for each setting of the bundled Streamlit configuration."""
    raw = tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8"))
    options: list[str] = []
    for section, values in raw.items():
        for key, value in values.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            options += [f"--{section}.{key}", text]
    return options


def cmd_serve(args: argparse.Namespace) -> int:
    env = {**os.environ, "XZSDG_STORE": store_location(args.store)}
    command = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT), *streamlit_options(),
               "--server.port", str(args.port), "--server.address", args.address]  # fmt: skip
    return subprocess.call(command, env=env)


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "serve", cmd_serve)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="0.0.0.0")
