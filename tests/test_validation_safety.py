"""Whatever arrives, a report: size limit, crashing readers and checks, fuzzed GeoJSON."""

from __future__ import annotations

import dataclasses
import json

import corpus as c
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xzsdg_geo.layers import get_layer
from xzsdg_geo.readers import ReadOptions
from xzsdg_geo.validation import VALIDATORS, validate_upload, validation_settings
from xzsdg_geo.validation.context import Upload, UploadContext
from xzsdg_geo.validation.run import build_report, run_checks

LAYER = "restoration_parcels"


def test_an_upload_over_the_limit_is_refused_unread():
    defaults = validation_settings()
    assert defaults.upload.max_upload_bytes == 200 * 1024 * 1024  # Streamlit's server.maxUploadSize
    small = dataclasses.replace(defaults, upload=dataclasses.replace(defaults.upload, max_upload_bytes=1000))
    report = validate_upload(c.geojson(c.parcels()), "x.geojson", LAYER, ReadOptions(), settings=small)
    assert [e.code for e in report.errors] == ["upload_too_large"] and "200" not in report.errors[0].message(
        "zh"
    )


def test_a_reader_that_crashes_gives_a_blocker_naming_the_format():
    files = c.shapefile_files(c.parcels())
    files["parcels.shx"] = b"junk"  # GDAL gives up on the index
    report = validate_upload(c.zip_bytes(files), "x.zip", LAYER, ReadOptions())
    [error] = report.errors
    assert error.code == "parse_failed" and "shapefile_zip" in error.message("zh")


class _Crashes:
    code = "crashes"
    gate = False

    def check(self, ctx):
        raise RuntimeError("boom")


def test_a_check_that_crashes_refuses_the_file_and_the_others_still_run():
    upload = Upload(
        c.geojson(c.parcels(**{"状态": ["?"] * 3})),
        "x.geojson",
        get_layer(LAYER),
        ReadOptions(),
        None,
        validation_settings(),
    )
    ctx = UploadContext(upload)
    findings, placed = run_checks(ctx, [*VALIDATORS[:6], _Crashes(), *VALIDATORS[6:]])
    report = build_report(ctx, findings, placed)
    assert not report.ok and {"internal_error", "bad_enum"} <= {e.code for e in report.errors}
    assert "boom" in next(e for e in report.errors if e.code == "internal_error").message("en")


_NUMBER = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.integers(-(10**12), 10**12)
)
_POSITION = st.lists(_NUMBER, min_size=0, max_size=4)
_RING = st.lists(_POSITION, max_size=6)
_JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), _NUMBER, st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_GEOMETRY = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Polygon", "MultiPolygon", "LineString", "Point", "Nonsense"]),
            "coordinates": st.one_of(_RING, st.lists(_RING, max_size=3), _POSITION, _JSON_VALUE),
        }
    ),
    st.none(),
    _JSON_VALUE,
)
_FEATURE = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Feature", "feature", "Geometry"]),
        "geometry": _GEOMETRY,
        "properties": st.one_of(
            st.none(), st.dictionaries(st.sampled_from(["编号", "名称", "状态", "面积", "x"]), _JSON_VALUE)
        ),
    }
)
_DOCUMENT = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["FeatureCollection", "Feature", "Polygon"]),
        "features": st.lists(_FEATURE, max_size=4),
    },
    optional={"crs": _JSON_VALUE},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENT)
def test_fuzzed_geojson_always_gives_a_report(document):
    report = validate_upload(json.dumps(document).encode(), "x.geojson", LAYER, ReadOptions())
    json.dumps(report.to_dict("zh"), allow_nan=False)
    assert report.ok == (not report.errors)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["x.geojson", "x.kml", "x.dxf", "x.txt", "x.zip", "x"]))
def test_fuzzed_bytes_always_give_a_report(data, filename):
    report = validate_upload(b"{" + data, filename, LAYER, ReadOptions())
    assert not report.ok or report.features
