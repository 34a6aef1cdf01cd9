"""One loader for every configuration file: ``XZSDG_CONFIG_DIR`` replaces the bundled files, and a
key the program does not read is refused with the file, the key and what is allowed there."""

from __future__ import annotations

import shutil
import tomllib

import pytest

from xzsdg_geo import basemaps, config
from xzsdg_geo.config import KNOWN_KEYS, load_config
from xzsdg_geo.errors import UserError
from xzsdg_geo.paths import BUNDLED_CONFIG_DIR
from xzsdg_geo.progress.settings import progress_rules
from xzsdg_geo.rasters.settings import raster_rules
from xzsdg_geo.readers import settings as reader_settings


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """An administrator's configuration folder, with the cached settings forgotten around the test."""
    cached = (config.targets, config.settings, progress_rules, raster_rules, reader_settings.config)
    for f in cached:
        f.cache_clear()
    monkeypatch.setenv("XZSDG_CONFIG_DIR", str(tmp_path))
    yield tmp_path
    for f in cached:
        f.cache_clear()


@pytest.mark.parametrize("name", sorted(KNOWN_KEYS))
def test_every_bundled_file_passes_its_own_check(name):
    assert load_config(name) == tomllib.loads((BUNDLED_CONFIG_DIR / name).read_text(encoding="utf-8"))


def test_a_file_in_the_config_dir_replaces_the_bundled_one(config_dir, run, sample_store_file):
    text = (
        (BUNDLED_CONFIG_DIR / "targets.toml")
        .read_text(encoding="utf-8")
        .replace("2026 = 77.0", "2026 = 90.0")
    )
    (config_dir / "targets.toml").write_text(text, encoding="utf-8")
    assert config.targets().for_year(2026) == 90.0
    assert config.settings().pace_years == 3  # a file the folder lacks: the bundled one
    code, out, _ = run("rates", "--store", sample_store_file, "--year", "2026", "--json")
    assert code == 0 and '"target_pct": 90.0' in out


@pytest.mark.parametrize(
    ("name", "old", "new", "key"),
    [
        ("settings.toml", "lockout_minutes", "lockout_minuts", "auth.lockout_minuts"),
        ("progress.toml", "near_city_m", "near_citym", "quarries.near_citym"),
        ("rasters.toml", "verified_at = 0.10", "verified = 0.10", "verdicts.forest.verified"),
        ("basemaps.toml", "max_zoom = 18", "maxzoom = 18", "basemaps.tianditu_vector.maxzoom"),
        ("validation.toml", "[zip]", "[zips]", "zips"),
    ],
)
def test_a_misspelt_key_is_refused_by_name(config_dir, name, old, new, key):
    (config_dir / name).write_text(
        (BUNDLED_CONFIG_DIR / name).read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8"
    )
    with pytest.raises(UserError) as refused:
        load_config(name)
    message = refused.value.message("zh")
    assert key in message and str(config_dir / name) in message and "可用的键" in message


def test_the_cli_says_which_key_in_one_line(config_dir, run, sample_store_file):
    shutil.copy(BUNDLED_CONFIG_DIR / "settings.toml", config_dir / "settings.toml")
    with (config_dir / "settings.toml").open("a", encoding="utf-8") as f:
        f.write("\n[extra]\nx = 1\n")
    code, out, err = run("rates", "--store", sample_store_file, "--year", "2026")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "extra" in err and "Traceback" not in err


def test_basemaps_read_through_the_same_loader(tmp_path):
    path = tmp_path / "basemaps.toml"
    path.write_text('default = "none"\n[basemaps.none]\ntiles = []\ncolour = "x"\n', encoding="utf-8")
    with pytest.raises(UserError) as refused:
        basemaps.load(path)
    assert "basemaps.none.colour" in refused.value.message("en")
