"""Shared fixtures: real GeoPackage stores in temporary folders (no mocks)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xzsdg_geo.services.setup import init_store
from xzsdg_geo.store import Store, create_store


@pytest.fixture(scope="session")
def sample_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made by ``init --sample`` once per session. Copy it before writing (``sample_store``)."""
    path = tmp_path_factory.mktemp("sample") / "sample.gpkg"
    init_store(str(path), with_sample=True).close()
    return path


@pytest.fixture
def sample_store(sample_store_file: Path, tmp_path: Path) -> Store:
    """A private, writable copy of the sample store."""
    from xzsdg_geo.store import open_store

    path = tmp_path / "sample.gpkg"
    shutil.copy(sample_store_file, path)
    store = open_store(str(path))
    yield store
    store.close()


@pytest.fixture
def empty_store(tmp_path: Path) -> Store:
    """A new store with no features at all (not even districts)."""
    store = create_store(str(tmp_path / "empty.gpkg"))
    yield store
    store.close()
