"""Shared fixtures: real stores (no mocks).

``sample_store`` and ``empty_store`` run each test on both backends: a GeoPackage file in a
temporary folder, and a fresh schema per test in the PostGIS database named by
``XZSDG_TEST_POSTGIS_URL`` (``scripts/postgis.sh start`` runs one and prints the URL). Without that
variable the PostGIS runs are skipped, with the reason in the summary; in CI (``CI=true``) they
fail instead, since a skipped backend there would go unnoticed. ``sample_store_file`` is always a
GeoPackage file (the app and CLI tests need a path).
"""

from __future__ import annotations

import itertools
import os
import shutil
from graphlib import TopologicalSorter
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import pytest
from system import require, require_chromium

from xzsdg_geo.services.setup import init_store
from xzsdg_geo.store import Store, create_store, open_store

POSTGIS_URL_ENV = "XZSDG_TEST_POSTGIS_URL"
# The tests make a schema per test, so they run as its owner, which the app refuses unless told
# (tests/test_postgis_roles.py checks the refusal and the app role's limits).
os.environ.setdefault("XZSDG_ALLOW_OWNER", "1")
BACKENDS = ("gpkg", "postgis")


class PostgisServer:
    """The PostGIS test server: each test's store is a fresh schema of the database the URL names.

    A schema is made in milliseconds and a store is copied between schemas in SQL, so a test gets its
    own sample store in about 0.3 s; copying a whole database takes seconds (PostGIS's own 15 MB too).
    """

    def __init__(self, url: str) -> None:
        import psycopg

        from xzsdg_geo.store.postgis_conn import conninfo

        self.url = url
        self.admin = psycopg.connect(conninfo(url), autocommit=True)
        self._names = (f"xzsdg_t{os.getpid()}_{n}" for n in itertools.count())
        self._made: list[str] = []
        self._drop_stale()

    def _drop_stale(self) -> None:
        """Schemas left by a test run that was killed (its process is gone) on this machine."""
        names = self.admin.execute(r"SELECT nspname FROM pg_namespace WHERE nspname ~ '^xzsdg_t\d+_\d+$'")
        for (name,) in names.fetchall():
            if not _alive(int(name[len("xzsdg_t") :].split("_")[0])):
                self.admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    def location(self, schema: str) -> str:
        """The store URL for a schema; PostGIS's types stay reachable through ``public``."""
        parts = urlsplit(self.url)
        option = f"options=-csearch_path%3D{schema},public"
        return urlunsplit(parts._replace(query=f"{parts.query}&{option}" if parts.query else option))

    def new_location(self) -> str:
        """The URL of a new, empty schema."""
        name = next(self._names)
        self.admin.execute(f'CREATE SCHEMA "{name}"')
        self._made.append(name)
        return self.location(name)

    def copy_store(self, source: str) -> str:
        """A new schema holding a copy of the store at ``source`` (one of ours)."""
        target = self.new_location()
        create_store(target).close()
        src, dst = _schema_of(source), _schema_of(target)
        with self.admin.transaction():
            for table in self._tables_parents_first(src):
                if table not in ("xzsdg_meta", "layer_styles"):  # both made by create_store
                    copy = f'SELECT * FROM "{src}"."{table}"'
                    self.admin.execute(f'INSERT INTO "{dst}"."{table}" OVERRIDING SYSTEM VALUE {copy}')
            identities = self.admin.execute(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = %s AND is_identity = 'YES'",
                (dst,),
            ).fetchall()
            for table, column in identities:  # the next id continues after the copied ones
                self.admin.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{dst}\".\"{table}\"', '{column}'),"
                    f' COALESCE(MAX("{column}"), 0) + 1, false) FROM "{dst}"."{table}"'
                )
        return target

    def _tables_parents_first(self, schema: str) -> list[str]:
        tables = self.admin.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
            " AND table_type = 'BASE TABLE'",
            (schema,),
        ).fetchall()
        graph: dict[str, set[str]] = {t: set() for (t,) in tables}
        links = self.admin.execute(
            "SELECT child.relname, parent.relname FROM pg_constraint c"
            " JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid"
            " JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = %s",
            (schema,),
        )
        for child, parent in links:
            if child != parent:  # a self-reference is checked at the end of its INSERT
                graph[child].add(parent)
        return list(TopologicalSorter(graph).static_order())

    def drop(self, location: str) -> None:
        name = _schema_of(location)
        self.admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        self._made.remove(name)

    def close(self) -> None:
        for name in reversed(self._made):
            self.admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        self.admin.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _schema_of(location: str) -> str:
    return unquote(urlsplit(location).query).split("search_path=")[1].split(",")[0]


def require_postgis() -> str:
    """The test server's URL; a skip (a failure in CI) when none is configured."""
    url = os.environ.get(POSTGIS_URL_ENV)
    require(
        None if url else f"PostGIS backend not tested: {POSTGIS_URL_ENV} is not set, so a test server is",
        "start one with scripts/postgis.sh start (it installs postgresql-15-postgis-3)",
    )
    return url


@pytest.fixture
def chromium_available() -> None:
    """Browser tests (``browser.needs_chromium``): Debian's Chromium and the CJK font."""
    require_chromium()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The store a test runs on; narrow with ``@pytest.mark.parametrize("backend", [...], indirect=True)``."""
    if request.param == "postgis":
        require_postgis()
    return request.param


@pytest.fixture(scope="session")
def postgis() -> PostgisServer:
    import psycopg

    url = require_postgis()
    try:
        server = PostgisServer(url)
    except psycopg.OperationalError as err:
        pytest.fail(f"{POSTGIS_URL_ENV} is set but its server does not answer: {err}", pytrace=False)
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgis_sample_template(postgis: PostgisServer) -> str:
    """A store made by ``init --sample`` once per session; tests get copies (``sample_store``)."""
    location = postgis.new_location()
    init_store(location, with_sample=True).close()
    return location


@pytest.fixture(scope="session")
def sample_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made by ``init --sample`` once per session. Copy it before writing (``sample_store``)."""
    path = tmp_path_factory.mktemp("sample") / "sample.gpkg"
    init_store(str(path), with_sample=True).close()
    return path


@pytest.fixture
def sample_store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A private, writable copy of the sample store."""
    if backend == "gpkg":
        location = str(tmp_path / "sample.gpkg")
        shutil.copy(request.getfixturevalue("sample_store_file"), location)
    else:
        postgis = request.getfixturevalue("postgis")
        location = postgis.copy_store(request.getfixturevalue("postgis_sample_template"))
    store = open_store(location)
    yield store
    store.close()
    if backend == "postgis":
        postgis.drop(location)


@pytest.fixture
def store_path(sample_store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the sample store that the app opens (``XZSDG_STORE``), in Chinese."""
    path = tmp_path / "app.gpkg"
    shutil.copy(sample_store_file, path)
    monkeypatch.setenv("XZSDG_STORE", str(path))
    monkeypatch.delenv("XZSDG_LANG", raising=False)
    return path


@pytest.fixture
def empty_store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A new store with no features at all (not even districts)."""
    if backend == "gpkg":
        location = str(tmp_path / "empty.gpkg")
    else:
        postgis = request.getfixturevalue("postgis")
        location = postgis.new_location()
    store = create_store(location)
    yield store
    store.close()
    if backend == "postgis":
        postgis.drop(location)


@pytest.fixture
def run(capsys):
    """The CLI in this process → (exit code, stdout, stderr)."""
    from xzsdg_geo import cli

    def go(*argv: object) -> tuple[int, str, str]:
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as stop:
            code = stop.code
        out, err = capsys.readouterr()
        return code, out, err

    return go
