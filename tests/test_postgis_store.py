"""What only the PostGIS store has to prove: its schema, SRID and indexes, database-enforced history,
row locks, clear connection errors, and frames identical to the GeoPackage store's.

The shared behaviour (versions, transactions, review, accounts) is tested on both backends by the
other test files through the ``sample_store`` and ``empty_store`` fixtures.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import threading
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import psycopg
import pytest
import shapely
from shapely.geometry import Polygon

from xzsdg_geo.errors import UserError
from xzsdg_geo.layers import all_layers
from xzsdg_geo.services import review
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.store import NewFeature, create_store, open_store, postgis
from xzsdg_geo.store.base import SCHEMA_VERSION
from xzsdg_geo.store.gpkg_migrations import MIGRATIONS as GPKG_MIGRATIONS
from xzsdg_geo.store.postgis_conn import conninfo
from xzsdg_geo.store.postgis_migrations import MIGRATIONS as POSTGIS_MIGRATIONS
from xzsdg_geo.when import end_of_day

ON_POSTGIS = pytest.mark.parametrize("backend", ["postgis"], indirect=True)
PARCELS = "restoration_parcels"


def _sql(location: str) -> psycopg.Connection:
    """A plain connection to the store's database and schema, as a DBA or QGIS would have."""
    return psycopg.connect(conninfo(location), autocommit=True)


def _pending(store) -> int:
    parcel = store.features(PARCELS).iloc[0]
    props = {k: parcel[k] for k in all_layers()[PARCELS].field_names}
    upload = store.add_upload(b"p", "p.geojson", PARCELS, "field_team", True, {})
    feature = NewFeature(parcel.feature_id, parcel.geometry, {**props, "name": "改名"})
    return store.add_submission(PARCELS, upload.id, [feature], by="field_team").id


@ON_POSTGIS
def test_the_schema_has_every_layer_at_the_current_version(sample_store):
    with _sql(sample_store.location) as conn:
        tables = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables"
                                             " WHERE table_schema = current_schema()")}  # fmt: skip
    for layer in all_layers():
        assert {layer, f"{layer}_current"} <= tables
    assert {"xzsdg_meta", "xzsdg_submissions", "xzsdg_audit", "xzsdg_users"} <= tables
    assert sample_store.schema_version() == SCHEMA_VERSION
    assert sorted(POSTGIS_MIGRATIONS) == sorted(GPKG_MIGRATIONS)  # the same numbered steps


@ON_POSTGIS
def test_geometry_is_cgcs2000_with_a_gist_index_per_layer(sample_store):
    with _sql(sample_store.location) as conn:
        for layer in all_layers():
            for relation in (layer, f"{layer}_current"):
                srid = conn.execute(
                    "SELECT postgis_typmod_srid(atttypmod) FROM pg_attribute"
                    " WHERE attrelid = %s::regclass AND attname = 'geom'",
                    (f'"{relation}"',),
                ).fetchone()
                assert srid == (4490,), relation
            index = conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s"
                " AND indexdef LIKE '%%USING gist (geom)%%'",
                (layer,),
            ).fetchone()
            assert index is not None, layer
        assert conn.execute(f"SELECT DISTINCT ST_SRID(geom) FROM {PARCELS}").fetchall() == [(4490,)]
        kind = conn.execute(
            "SELECT postgis_typmod_type(atttypmod) FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attname = 'geom'",
            (PARCELS,),
        ).fetchone()
    assert kind == ("MultiPolygon",)


@ON_POSTGIS
def test_the_database_refuses_to_rewrite_or_delete_history(sample_store):
    fid = sample_store.features("quarries")["feature_id"].iloc[0]
    refusals = [
        f"DELETE FROM quarries WHERE feature_id = '{fid}'",
        f"UPDATE quarries SET name = '改写' WHERE feature_id = '{fid}'",
        "TRUNCATE quarries",
        "UPDATE xzsdg_audit SET actor = 'someone else'",
        "DELETE FROM xzsdg_audit",
        "TRUNCATE xzsdg_audit",
    ]
    with _sql(sample_store.location) as conn:
        for statement in refusals:
            with pytest.raises(
                psycopg.errors.IntegrityConstraintViolation, match=r"append-only|only be closed"
            ):
                conn.execute(statement)
        conn.execute(
            f"UPDATE quarries SET valid_to = '2030-01-01' WHERE feature_id = '{fid}'"
        )  # closing: once
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="only be closed"):
            conn.execute(f"UPDATE quarries SET valid_to = '2031-01-01' WHERE feature_id = '{fid}'")
    assert len(sample_store.audit()) > 0


@ON_POSTGIS
def test_frames_are_the_geopackage_stores_column_for_column(sample_store, sample_store_file, tmp_path):
    gpkg = open_store(str(shutil.copy(sample_store_file, tmp_path / "s.gpkg")))
    try:
        for layer in all_layers():
            for at in (None, end_of_day(dt.date(2015, 6, 30)), dt.datetime(1900, 1, 1, tzinfo=dt.UTC)):
                _assert_same_frame(
                    gpkg.features(layer, known_at=at), sample_store.features(layer, known_at=at)
                )
        _assert_same_frame(
            gpkg.features(PARCELS, fields=["status"]), sample_store.features(PARCELS, fields=["status"])
        )
        fid = gpkg.features(PARCELS)["feature_id"].iloc[0]
        _assert_same_frame(gpkg.history(PARCELS, fid), sample_store.history(PARCELS, fid))
        assert gpkg.earliest_valid_from(PARCELS) == sample_store.earliest_valid_from(PARCELS)
    finally:
        gpkg.close()


def _assert_same_frame(expected, got) -> None:
    assert list(got.columns) == list(expected.columns)
    assert got.dtypes.to_dict() == expected.dtypes.to_dict()
    assert got.crs == expected.crs
    pd.testing.assert_frame_equal(got.drop(columns="geometry"), expected.drop(columns="geometry"))
    assert (
        shapely.to_wkb(got.geometry.to_numpy()).tolist()
        == shapely.to_wkb(expected.geometry.to_numpy()).tolist()
    )


@ON_POSTGIS
def test_a_locked_submission_row_holds_a_second_reviewer_until_the_first_commits(sample_store):
    sid = _pending(sample_store)
    other = open_store(sample_store.location)
    outcome: list[object] = []

    def second_reviewer() -> None:
        try:
            review.decide(other, principal_of(other, "admin"), sid, "reject", "不同意")
        except UserError as err:
            outcome.append(err)

    with sample_store.transaction(), _sql(sample_store.location) as probe:
        sample_store.set_submission_status(sid, "pending", "approved", by="reviewer")
        with pytest.raises(psycopg.errors.LockNotAvailable):  # the row is locked (FOR UPDATE)
            probe.execute("SELECT 1 FROM xzsdg_submissions WHERE id = %s FOR UPDATE NOWAIT", (sid,))
        thread = threading.Thread(target=second_reviewer)
        thread.start()
        _wait_until_waiting_on_a_lock(probe)
    thread.join()
    other.close()
    assert [getattr(e, "key", e) for e in outcome] == ["submission.state_changed"]
    assert sample_store.get_submission(sid).status == "approved"


@ON_POSTGIS
def test_a_writer_kept_waiting_too_long_is_told_the_store_is_busy(sample_store, monkeypatch):
    monkeypatch.setattr(postgis, "BUSY_TIMEOUT_S", 1)
    with _sql(sample_store.location) as other:  # e.g. a DBA's session holding the write lock
        other.execute("SELECT pg_advisory_lock(%s)", (postgis.WRITE_LOCK,))
        with pytest.raises(UserError) as err:
            sample_store.add_upload(b"x", "x.geojson", PARCELS, "field_team", True, {})
    assert err.value.key == "store.busy" and "1 秒" in err.value.message("zh")
    assert sample_store.add_upload(b"x", "x.geojson", PARCELS, "field_team", True, {}).id  # released


def _wait_until_waiting_on_a_lock(conn: psycopg.Connection) -> None:
    """Block until another session of ours waits on a lock (the second reviewer has reached it)."""
    while not conn.execute(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = 'xzsdg' AND wait_event_type = 'Lock'"
    ).fetchone():
        conn.execute("SELECT pg_sleep(0.05)")


@ON_POSTGIS
def test_surveyed_heights_are_dropped_and_the_same_feature_stays_unchanged(empty_store):
    flat = Polygon([(117.0, 34.0), (117.01, 34.0), (117.01, 34.01)])
    raised = shapely.force_3d(flat, 31.5)
    props = {"quarry_id": "Q1", "name": "宕口", "hazard_type": "collapse", "status": "untreated"}
    empty_store.write_features("quarries", [NewFeature("Q1", raised, props)], by="t", source="t")
    stored = empty_store.features("quarries").geometry.iloc[0]
    assert not stored.has_z and stored.equals(flat)
    again = empty_store.write_features("quarries", [NewFeature("Q1", raised, props)], by="t", source="t")
    assert again.unchanged == ["Q1"]


# -- opening and creating: clear errors, never a traceback ---------------------------------------------
def _with(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(**changes))


def _netloc(url: str, password: str | None = None, port: int | None = None) -> str:
    parts = urlsplit(url)
    user = f"{parts.username}:{password or parts.password}"
    return f"{user}@{parts.hostname}:{port or parts.port}"


def test_opening_what_is_not_a_store_gives_a_clear_error(postgis):
    empty = postgis.new_location()
    url = postgis.url
    cases = [
        (empty, "store.unreadable"),
        (_with(url, path="/no_such_database"), "store.missing"),
        (_with(url, netloc=_netloc(url, password="wrong-password")), "store.access_denied"),
        (_with(url, netloc=_netloc(url, port=1)), "store.unreachable"),
        (_with(url, netloc="user:pw@127.0.0.1:notaport"), "store.bad_url"),
    ]
    for location, key in cases:
        with pytest.raises(UserError) as err:
            open_store(location)
        assert err.value.key == key, location
        message = err.value.message("zh")
        assert "wrong-password" not in message and f":{urlsplit(url).password}@" not in message
    postgis.drop(empty)


def test_creating_refuses_a_database_that_holds_a_store(postgis):
    location = postgis.new_location()
    create_store(location).close()
    with pytest.raises(UserError) as err:
        create_store(location)
    assert err.value.key == "store.exists"
    open_store(location).close()  # and the store is still whole
    postgis.drop(location)


def test_creating_without_postgis_says_how_to_get_it(postgis):
    name = "xzsdg_t_no_postgis"
    postgis.admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    postgis.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        with pytest.raises(UserError) as err:
            create_store(_with(postgis.url, path=f"/{name}"))
        assert err.value.key == "store.no_postgis" and "CREATE EXTENSION postgis" in err.value.message("zh")
    finally:
        postgis.admin.execute(f'DROP DATABASE "{name}"')


# -- evolving the schema: additive layer sync and numbered migrations ----------------------------------
@ON_POSTGIS
def test_a_field_missing_from_an_older_store_is_added_on_open(sample_store):
    location = sample_store.location
    with _sql(location) as conn:
        conn.execute('ALTER TABLE quarries DROP COLUMN "status" CASCADE')  # as if made before the field
    open_store(location).close()
    with _sql(location) as conn:
        assert conn.execute("SELECT count(status) FROM quarries_current").fetchone() == (0,)
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation):  # the guard covers it again
            conn.execute("UPDATE quarries SET status = 'treated'")


@ON_POSTGIS
def test_an_older_store_is_migrated_step_by_step_on_open(sample_store):
    location = sample_store.location
    with _sql(location) as conn:
        conn.execute("DROP TABLE xzsdg_rasters")
        conn.execute("DROP TABLE xzsdg_observations")  # version 10
        conn.execute("DROP TRIGGER xzsdg_files_fill_only ON xzsdg_files")
        conn.execute("ALTER TABLE xzsdg_files DROP COLUMN kept")
        conn.execute("DROP TABLE xzsdg_login_clients")  # and what migration 8 added
        conn.execute("ALTER TABLE xzsdg_users DROP COLUMN name_key, DROP COLUMN must_change_password")
        conn.execute("UPDATE xzsdg_meta SET value = '3' WHERE key = 'schema_version'")
    store = open_store(location)
    try:
        assert store.schema_version() == SCHEMA_VERSION and store.rasters() == []
        assert store.observations() == []
    finally:
        store.close()


# -- the command line on a database -------------------------------------------------------------------
def test_init_and_rates_run_on_a_database_from_the_command_line(postgis):
    location = postgis.new_location()
    run = [sys.executable, "-m", "xzsdg_geo", "--lang", "en"]
    done = subprocess.run([*run, "init", "--store", location], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    rates = subprocess.run([*run, "rates", "--store", location], capture_output=True, text=True, check=False)
    assert rates.returncode == 0 and "Traceback" not in rates.stderr, rates.stderr
    postgis.drop(location)
