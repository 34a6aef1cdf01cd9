"""Where the project's bundled files live, resolved from the package so any working directory works.

The configuration, layer specs, reference data and static assets are package data under
``xzsdg_geo/_data`` (in a checkout, links to the top-level ``config/``, ``layers/``, ``data/``,
``static/`` and ``app.py`` that people edit; in a wheel, the files themselves), so an installed
package finds them without its checkout. ``XZSDG_CONFIG_DIR`` names a folder whose TOML files take
the place of the bundled ones (a file it lacks falls back to the bundled one).

Writable things (the default store, logs) go under ``var/``: the checkout's when the package runs
from one, else the current directory's.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED = PACKAGE_DIR / "_data"
LAYERS_DIR = BUNDLED / "layers"
BUNDLED_CONFIG_DIR = BUNDLED / "config"
DATA_DIR = BUNDLED / "data"
STATIC_DIR = BUNDLED / "static"
APP_SCRIPT = BUNDLED / "app.py"  # the Streamlit entry; static/ beside it is served at /app/static
STREAMLIT_CONFIG = BUNDLED / "streamlit.toml"
LOCALES_DIR = PACKAGE_DIR / "locales"
CONFIG_DIR_ENV = "XZSDG_CONFIG_DIR"

# The checkout the package runs from, if any (tests, bench and `make run` live there).
ROOT = PACKAGE_DIR.parent
IN_CHECKOUT = (ROOT / "pyproject.toml").is_file() and (ROOT / "xzsdg_geo").is_dir()
WORK_DIR = ROOT if IN_CHECKOUT else Path.cwd()
VAR_DIR = WORK_DIR / "var"
LOG_DIR = VAR_DIR / "log"
DEFAULT_STORE = VAR_DIR / "xzsdg.gpkg"


def config_path(name: str) -> Path:
    """The configuration file ``name``: from ``XZSDG_CONFIG_DIR`` when set and it has one, else bundled."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override and (Path(override) / name).is_file():
        return Path(override) / name
    return BUNDLED_CONFIG_DIR / name


CONFIG_DIR = BUNDLED_CONFIG_DIR  # the bundled defaults (read through config_path)
