"""Hostile uploads: each class held as one clear refusal (or a bounded answer), in bounded time.

The files are built by :mod:`hostile_files`; each is small on the wire. Times are generous
(the machine is shared); what matters is that they are bounded at all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time

import corpus as c
import hostile_files as h
import pytest

from xzsdg_geo.errors import UserError
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.services import submissions
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.store import open_store
from xzsdg_geo.validation import ValidationReport, sandbox, validate_upload, validation_settings

LAYER = "restoration_parcels"
BOUND_S = 60.0


def _budgets(**changes) -> object:
    settings = validation_settings()
    return dataclasses.replace(settings, budgets=dataclasses.replace(settings.budgets, **changes))


def _validate(data: bytes, filename: str, **kwargs) -> tuple[ValidationReport, float]:
    start = time.monotonic()
    report = validate_upload(data, filename, LAYER, **kwargs)
    return report, time.monotonic() - start


def _refusal_key(report: ValidationReport) -> str:
    [error] = report.errors
    return error.detail.get("key", error.code)


# -- arbitrary file write ------------------------------------------------------------------------
def test_a_zip_naming_paths_outside_is_refused_and_writes_nothing_there(tmp_path):
    target = tmp_path / "outside" / "secrets.toml"
    report, _ = _validate(h.escape_zip(target), "parcels.zip")
    assert not report.ok and _refusal_key(report) == "zip.unsafe_path"
    assert not target.exists() and not target.parent.exists()


# -- DXF blocks -----------------------------------------------------------------------------------
def test_a_small_dxf_of_nested_blocks_is_refused_before_expansion():
    data = h.nested_dxf(levels=10, fan=10)  # 10^9 entities once expanded
    assert len(data) < 4000
    report, seconds = _validate(data, "blocks.dxf")
    assert _refusal_key(report) == "secup.dxf_nesting" and seconds < BOUND_S
    assert "炸开" in report.errors[0].message("zh")


def test_a_block_grid_expanding_to_millions_of_entities_is_refused():
    report, seconds = _validate(h.wide_dxf(copies=2000), "grid.dxf")  # MINSERT 2000 × 2000
    assert _refusal_key(report) == "secup.dxf_entities" and seconds < BOUND_S


def test_shallow_blocks_are_still_read():
    report, _ = _validate(h.nested_dxf(levels=3, fan=3), "ok.dxf")
    assert not [e for e in report.errors if str(e.detail.get("key", "")).startswith("secup.dxf")]


# -- GeoPackage views -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["recursive", "zeroblob"])
def test_a_geopackage_layer_that_is_a_view_is_refused_unread(kind):
    report, seconds = _validate(h.view_geopackage(kind), "evil.gpkg")
    assert _refusal_key(report) == "secup.gpkg_view" and seconds < BOUND_S


@pytest.mark.parametrize("kind", ["recursive", "zeroblob"])
def test_a_view_beside_a_table_is_skipped_and_refused_when_chosen(kind):
    data = h.view_geopackage(kind, only=False)
    report, seconds = _validate(data, "evil.gpkg")
    assert report.source_layers == ["parcels"] and seconds < BOUND_S
    chosen, seconds = _validate(data, "evil.gpkg", options=ReadOptions(source_layer="evil"))
    assert _refusal_key(chosen) == "secup.gpkg_view" and seconds < BOUND_S


def test_an_endless_catalog_is_stopped_by_the_sql_time_limit():
    data = h.recursive_catalog_geopackage()
    report, seconds = _validate(data, "evil.gpkg", settings=_budgets(sql_seconds=1.0))
    assert _refusal_key(report) == "secup.gpkg_slow" and seconds < BOUND_S


# -- counts from headers --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "name"),
    [(c.flatgeobuf, "x.fgb"), (c.shapefile_zip, "x.zip"), (lambda f: c.geopackage({"p": f}), "x.gpkg")],
)
def test_more_features_than_the_budget_are_refused_from_the_header(build, name):
    report, _ = _validate(build(c.parcels(n=30)), name, settings=_budgets(max_features=10))
    assert _refusal_key(report) == "secup.too_many_features"
    assert "上限 10 个" in report.errors[0].message("zh")


def test_more_vertices_than_the_budget_are_refused_from_the_shapefile_header():
    frame = c.parcels()
    frame.geometry = [g.segmentize(0.00002) for g in frame.geometry]
    report, _ = _validate(c.shapefile_zip(frame), "x.zip", settings=_budgets(max_vertices=1000))
    assert _refusal_key(report) == "secup.too_many_vertices_file"


def test_a_feature_over_the_vertex_cap_is_neither_reprojected_nor_repaired():
    report, seconds = _validate(h.dense_polygon(400_000), "dense.geojson")
    assert [e.code for e in report.errors] == ["too_many_vertices"] and seconds < BOUND_S
    assert report.features[0].geometry is None  # refused as it came, never transformed


# -- near duplicates ------------------------------------------------------------------------------
def test_thousands_of_overlapping_squares_are_checked_in_bounded_time():
    report, seconds = _validate(h.overlapping_squares(8000), "squares.geojson")
    assert seconds < BOUND_S
    near = [w for w in report.warnings if w.code == "near_duplicate"]
    assert len(near) == 7999  # each within 2 cm of the one before: all found, none missed


def test_the_near_duplicate_search_stops_at_its_pair_budget():
    report, _ = _validate(
        h.overlapping_squares(500), "squares.geojson", settings=_budgets(max_candidate_pairs=100)
    )
    assert "near_duplicate_capped" in [w.code for w in report.warnings]


def test_a_hundred_thousand_identical_placemarks_are_refused_in_bounded_time():
    report, seconds = _validate(h.identical_placemarks(100_000), "same.kml")
    # Most of it is parsing 100k placemarks: about 60-90 s, within the worker's 120 s. On a machine
    # busy enough to push it past that, the worker's deadline refuses the file instead: either way
    # one clear refusal in bounded time, never a crash.
    assert seconds < 3 * BOUND_S and not report.ok
    codes = {e.code for e in report.errors}
    if codes == {"resource_limit"}:
        return
    duplicates = [e for e in report.errors if e.code == "duplicate_geometry"]
    assert len(duplicates) == 99_999
    assert not [w for w in report.warnings if w.code == "near_duplicate"]


# -- the worker -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("job", "outcome"),
    [
        (h.crash, sandbox.Outcome.CRASH),
        (h.hang, sandbox.Outcome.TIMEOUT),
        (h.spin, sandbox.Outcome.TIMEOUT),
        (h.hog, sandbox.Outcome.MEMORY),
    ],
)
def test_a_crash_a_hang_or_a_hog_in_the_worker_is_one_outcome(job, outcome):
    start = time.monotonic()
    result = sandbox.run_limited(job, (), sandbox.Limits(seconds=3, memory_mb=1500))
    assert result.outcome is outcome and time.monotonic() - start < BOUND_S


def test_a_check_running_past_its_time_is_one_clear_refusal():
    report, seconds = _validate(
        h.overlapping_squares(8000), "squares.geojson", settings=_budgets(seconds=0.5)
    )
    assert [e.code for e in report.errors] == ["resource_limit"] and seconds < 10
    assert "文件处理超出资源限制/超时" in report.errors[0].message("zh")
    assert "0.5 秒" in report.errors[0].message("zh")


def test_a_small_file_still_validates_quickly():
    validate_upload(c.geojson(c.parcels()), "warm.geojson", LAYER)  # the worker's server is up
    report, seconds = _validate(c.geojson(c.parcels()), "x.geojson")
    assert report.ok and seconds < 2.0


# -- the size gate and what is kept ---------------------------------------------------------------
def _kept_bytes(store) -> int:
    return int(store._conn.execute("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM xzsdg_files").fetchone()[0])


def test_a_file_over_the_size_limit_is_refused_unread_and_not_kept(sample_store, tmp_path):
    path = h.sparse_file(tmp_path / "huge.geojson", 250 * 1024 * 1024)
    data = path.read_bytes()
    before = _kept_bytes(sample_store)
    start = time.monotonic()
    result = submissions.submit(
        sample_store, principal_of(sample_store, "field_team"), data, path.name, LAYER
    )
    assert time.monotonic() - start < BOUND_S
    assert [e.code for e in result.report.errors] == ["upload_too_large"] and result.submission is None
    assert _kept_bytes(sample_store) == before  # the store did not grow by the file
    upload = sample_store.get_upload(result.upload.id)
    assert upload.sha256 == hashlib.sha256(data).hexdigest() and upload.uploaded_by == "field_team"
    assert sample_store.file_size(upload.sha256) == (len(data), False)
    with pytest.raises(UserError) as err:
        sample_store.file_bytes(upload.sha256)
    assert err.value.key == "secup.bytes_not_kept"


def test_kept_bytes_cannot_be_changed_below_the_service(sample_store):
    upload = sample_store.add_upload(b"kept", "k.geojson", LAYER, "field_team", False, {})
    with pytest.raises(Exception, match="kept for ever"), sample_store.transaction():
        sample_store._conn.execute("UPDATE xzsdg_files SET data = ? WHERE sha256 = ?", (b"x", upload.sha256))
    assert sample_store.file_bytes(upload.sha256) == b"kept"


def test_content_first_refused_by_size_is_kept_when_it_arrives_within_the_limit(sample_store):
    first = sample_store.add_upload(b"later small", "a.geojson", LAYER, "field_team", False, {}, keep=False)
    second = sample_store.add_upload(b"later small", "a.geojson", LAYER, "field_team", False, {})
    assert first.sha256 == second.sha256 and sample_store.file_bytes(second.sha256) == b"later small"


def test_an_older_store_gains_the_kept_flag_when_opened(sample_store):
    location, conn = sample_store.location, sample_store._conn
    with sample_store.transaction():
        conn.execute("DROP TRIGGER xzsdg_files_fill_only" + (" ON xzsdg_files" if "://" in location else ""))
        conn.execute("ALTER TABLE xzsdg_files DROP COLUMN kept")
        conn.execute("UPDATE xzsdg_meta SET value = '4' WHERE key = 'schema_version'")
    sample_store.close()
    store = open_store(location)
    try:
        upload = store.add_upload(b"big", "b.geojson", LAYER, "field_team", False, {}, keep=False)
        assert store.file_size(upload.sha256) == (3, False)
    finally:
        store.close()


def test_the_worker_answers_with_the_report_callers_use():
    report = validate_upload(c.shapefile_zip(c.parcels()), "p.zip", LAYER)
    assert isinstance(report, ValidationReport) and report.ok and len(report.features) == 3
    assert all(f.geometry is not None and f.geometry.is_valid for f in report.features)


def test_a_file_on_disk_over_the_limit_is_refused_before_it_is_read(run, sample_store, tmp_path):
    """The command line stats the file first: a 2 GB sparse file costs nothing and changes nothing."""
    big = tmp_path / "big.geojson"
    with big.open("wb") as f:
        f.truncate(2 * 1024**3)
    uploads, loc = len(sample_store.uploads()), sample_store.location
    for argv in (
        ("validate", big, "--layer", LAYER, "--store", loc),
        ("submit", big, "--layer", LAYER, "--by", "field_team", "--store", loc),
        ("import", big, "--layer", LAYER, "--store", loc),
    ):
        started = time.perf_counter()
        code, _, err = run(*argv)
        assert code == 2 and "过大" in err and "未读取" in err and "Traceback" not in err
        assert time.perf_counter() - started < 5
    assert len(sample_store.uploads()) == uploads
