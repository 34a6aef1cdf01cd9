"""Stores: pick a backend by location.

``postgresql://user:password@host:port/db`` (or ``postgresql+psycopg://...``) is a PostGIS database;
a path is the embedded GeoPackage store.
"""

from __future__ import annotations

from ..errors import UserError
from .base import ImportRecord, NewFeature, Store, WriteResult
from .gpkg import GeoPackageStore
from .postgis_conn import is_postgres_url, redact

__all__ = ["ImportRecord", "NewFeature", "Store", "WriteResult", "create_store", "open_store"]


def _backend(location: str) -> type:
    if is_postgres_url(location):
        from .postgis import PostGISStore  # psycopg and libpq load only for a database server

        return PostGISStore
    if "://" in location:
        raise UserError("store.unsupported_url", location=redact(location))
    return GeoPackageStore


def open_store(location: str, *, as_owner: bool = False) -> Store:
    """An existing store; a clear error if it is missing or not one of ours. ``as_owner``: the
    schema's owner migrating it (a database server's app role owns nothing)."""
    return _backend(location).open(location, as_owner=as_owner)


def create_store(location: str) -> Store:
    """A new, empty store; refuses to touch an existing one (a file, or our schema in a database)."""
    return _backend(location).create(location)
