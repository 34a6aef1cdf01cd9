"""CRS handling shared by all readers: GK tables, inference from coordinates, legacy datums."""

from __future__ import annotations

import pytest
from pyproj import CRS, Transformer

from xzsdg_geo import crs
from xzsdg_geo.crs import Guess, gk_epsg, infer_crs
from xzsdg_geo.geo import GEOD

DATUM_NAMES = {"cgcs2000": "CGCS2000", "xian1980": "Xian 1980", "beijing1954": "Beijing 1954"}


@pytest.mark.parametrize("datum", crs.DATUMS)
@pytest.mark.parametrize("width", [3, 6])
def test_every_gk_code_is_the_system_it_claims(datum, width):
    zones = crs.ZONES_3 if width == 3 else crs.ZONES_6
    for zone in zones:
        for prefixed in (True, False):
            system = CRS.from_user_input(gk_epsg(datum, width, zone=zone, prefixed=prefixed))
            assert system.name.startswith(DATUM_NAMES[datum])
            params = {p.name: p.value for p in system.coordinate_operation.params}
            assert params["Longitude of natural origin"] == crs.central_meridian(zone, width)
            false_easting = params["False easting"]
            assert false_easting == (zone * 1e6 + 5e5 if prefixed else 5e5)


def test_zones_39_and_40_are_epsg_4527_and_4528():
    assert gk_epsg("cgcs2000", 3, zone=39, prefixed=True) == "EPSG:4527"
    assert gk_epsg("cgcs2000", 3, zone=40, prefixed=True) == "EPSG:4528"
    assert gk_epsg("cgcs2000", 3, zone=39, prefixed=False) == "EPSG:4548"
    assert gk_epsg("cgcs2000", 3, zone=99, prefixed=True) is None


def _bounds(system: str, lon: float, lat: float) -> tuple[float, float, float, float]:
    x, y = Transformer.from_crs("EPSG:4490", system, always_xy=True).transform(lon, lat)
    return (x, y, x + 300, y + 300)


@pytest.mark.parametrize(
    ("system", "lon", "lat"),
    [("EPSG:4527", 117.45, 34.45), ("EPSG:4528", 118.52, 34.30), ("EPSG:4498", 117.2, 34.3)],
)
def test_zone_prefixed_eastings_give_their_zone(system, lon, lat):
    assert infer_crs(_bounds(system, lon, lat)) == Guess(system, "gk_zone")


def test_swapped_gk_axes_are_recognised_and_flagged():
    x0, y0, x1, y1 = _bounds("EPSG:4527", 117.45, 34.45)
    assert infer_crs((y0, x0, y1, x1)) == Guess("EPSG:4527", "gk_zone", swapped=True)


def test_lonlat_in_china_is_cgcs2000_either_way_round():
    assert infer_crs((117.4, 34.4, 117.5, 34.5)) == Guess("EPSG:4490", "lonlat")
    assert infer_crs((34.4, 117.4, 34.5, 117.5)) == Guess("EPSG:4490", "lonlat", swapped=True)


@pytest.mark.parametrize(
    ("bounds", "reason"),
    [
        ((512_000, 3_812_000, 513_000, 3_813_000), "gk_no_zone"),  # central meridian unknown
        ((0, 0, 300, 200), "unknown"),  # a local CAD grid
        ((2.3, 48.8, 2.4, 48.9), "unknown"),  # lon/lat, but not in China
        ((39_512_000, 3_812_000, 40_100_000, 3_813_000), "unknown"),  # two zone prefixes
        ((float("nan"),) * 4, "unknown"),
    ],
)
def test_ambiguous_coordinates_give_no_guess(bounds, reason):
    assert infer_crs(bounds) == Guess(None, reason)


@pytest.mark.parametrize(
    ("code", "datum"),
    [("EPSG:2415", "beijing1954"), ("EPSG:2363", "xian1980"), ("EPSG:4527", None), ("EPSG:4326", None)],
)
def test_legacy_datums_are_recognised_by_their_datum(code, datum):
    assert crs.legacy_datum(code) == datum
    assert crs.legacy_datum(CRS.from_user_input(code).to_wkt("WKT1_ESRI")) == datum


def test_configured_parameters_move_a_legacy_system_by_what_they_say():
    """A 100 m geocentric X shift moves a Xi'an 1980 point by ~92 m on the ground at Xuzhou."""
    x, y = Transformer.from_crs("EPSG:4490", "EPSG:2363", always_xy=True).transform(117.45, 34.45)
    points = []
    for shift in (0.0, 100.0):
        source = crs.with_towgs84("EPSG:2363", (shift, 0.0, 0.0))
        points.append(Transformer.from_crs(source, crs.BOUND_LONLAT, always_xy=True).transform(x, y))
    (lon0, lat0), (lon1, lat1) = points
    assert lon0 == pytest.approx(117.45, abs=1e-6) and lat0 == pytest.approx(34.45, abs=1e-5)
    assert 85 < GEOD.inv(lon0, lat0, lon1, lat1)[2] < 100


@pytest.mark.parametrize(
    ("text", "datum"),
    [
        ("2000国家大地坐标系", "cgcs2000"),
        ("CGCS2000", "cgcs2000"),
        ("80国家大地坐标系", "xian1980"),
        ("1980西安坐标系", "xian1980"),
        ("北京54", "beijing1954"),
        ("1954年北京坐标系", "beijing1954"),
        ("WGS84", None),
        ("", None),
    ],
)
def test_survey_datum_names(text, datum):
    assert crs.datum_from_text(text) == datum


def test_labels_and_user_input():
    assert crs.normalize(" 4527 ") == "EPSG:4527"
    assert crs.label(CRS.from_epsg(4527).to_wkt()) == "EPSG:4527"
    assert crs.parse("not a crs") is None
    assert crs.is_geographic("EPSG:4490") and not crs.is_geographic("EPSG:4527")
