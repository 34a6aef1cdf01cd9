"""PostGIS: the app's role reads and writes rows but cannot touch the guards; the app refuses to run
as the tables' owner unless told to. Needs the two roles of ``scripts/postgis.sh start``."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from xzsdg_geo.errors import UserError
from xzsdg_geo.store import open_store
from xzsdg_geo.store.postgis_conn import conninfo

SCRIPT = Path(__file__).parents[1] / "scripts" / "postgis.sh"


def _app_location(owner_location: str) -> str:
    """The same schema, reached as the app role that ``scripts/postgis.sh app-url`` names."""
    app = urlsplit(subprocess.run(["bash", str(SCRIPT), "app-url"], capture_output=True, text=True,
                                  check=True).stdout.strip())  # fmt: skip
    owner = urlsplit(owner_location)
    return urlunsplit(owner._replace(netloc=f"{app.username}:{app.password}@{owner.hostname}:{owner.port}"))


@pytest.fixture
def stores(postgis, postgis_sample_template):
    """(owner's location, app's location) of a fresh copy of the sample store."""
    owner = postgis.copy_store(postgis_sample_template)
    app = _app_location(owner)
    try:
        psycopg.connect(conninfo(app)).close()
    except psycopg.OperationalError as err:
        pytest.skip(f"the app role is missing (run scripts/postgis.sh start): {err}")
    yield owner, app
    postgis.drop(owner)


def test_the_app_role_works_the_store(stores):
    _, app = stores
    store = open_store(app)
    try:
        assert len(store.features("districts")) == 10
        upload = store.add_upload(b"bytes", "f.geojson", "quarries", "field_team", True, {})
        assert store.get_upload(upload.id).filename == "f.geojson"
    finally:
        store.close()


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TRIGGER xzsdg_audit_no_delete ON xzsdg_audit",
        "ALTER TABLE xzsdg_audit DISABLE TRIGGER ALL",
        "ALTER TABLE subsidence_zones DISABLE TRIGGER subsidence_zones_close_only",
        "DELETE FROM xzsdg_audit",
        "DELETE FROM subsidence_zones",
        "TRUNCATE xzsdg_audit",
        "TRUNCATE xzsdg_files CASCADE",
        "DROP TABLE xzsdg_submissions CASCADE",
        "CREATE TABLE intruder (x int)",
    ],
)
def test_the_app_role_cannot_touch_the_guards(stores, sql):
    owner, app = stores
    with (
        psycopg.connect(conninfo(app), autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(sql)
    with psycopg.connect(conninfo(owner), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM xzsdg_audit").fetchone()[0] > 0
        disabled = conn.execute("SELECT count(*) FROM pg_trigger WHERE tgenabled = 'D'").fetchone()[0]
        assert disabled == 0


def test_the_app_refuses_to_run_as_the_owner_unless_told(stores, monkeypatch):
    owner, _ = stores
    monkeypatch.delenv("XZSDG_ALLOW_OWNER", raising=False)
    with pytest.raises(UserError) as err:
        open_store(owner)
    assert err.value.key == "store.owner_role" and "XZSDG_ALLOW_OWNER" in err.value.message("zh")
    open_store(owner, as_owner=True).close()  # xzsdg migrate
    monkeypatch.setenv("XZSDG_ALLOW_OWNER", "1")
    open_store(owner).close()


def test_migrate_grants_the_app_role_and_only_the_owner_migrates(stores, run):
    owner, app = stores
    with psycopg.connect(conninfo(owner), autocommit=True) as conn:
        conn.execute("UPDATE xzsdg_meta SET value = '4' WHERE key = 'schema_version'")
    with pytest.raises(UserError) as err:
        open_store(app)
    assert err.value.key == "store.needs_migration"
    code, out, err_text = run("migrate", "--store", owner, "--grant-to", "xzsdg_app")
    assert code == 0, err_text
    assert "xzsdg_app" in out and "xzsdg_test:***" in out
    open_store(app).close()
