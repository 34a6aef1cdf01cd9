"""Where the project's bundled files live, resolved from the package so any working directory works."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS_DIR = ROOT / "layers"
CONFIG_DIR = ROOT / "config"
DATA_DIR = ROOT / "data"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_STORE = ROOT / "var" / "xzsdg.gpkg"
