"""GCJ-02 against the published eviltransform vectors, and the inverse by iteration."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from xzsdg_geo.gcj02 import gcj02_to_wgs84, geometries_to_wgs84, wgs84_to_gcj02
from xzsdg_geo.geo import GEOD

# (WGS84 lat, lon), (GCJ-02 lat, lon): Shanghai, Shenzhen, Beijing (eviltransform's test vectors).
KNOWN = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_forward_matches_the_published_pairs(wgs, gcj):
    lon, lat = wgs84_to_gcj02(wgs[1], wgs[0])
    assert (float(lat), float(lon)) == pytest.approx(gcj, abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_inverse_recovers_wgs84_to_a_millimetre(wgs, gcj):
    lon, lat = gcj02_to_wgs84(gcj[1], gcj[0])
    assert (float(lat), float(lon)) == pytest.approx(wgs, abs=1e-8)  # 1e-8° ≈ 1 mm


def test_inverse_is_vectorised_and_round_trips_over_xuzhou():
    lon, lat = np.meshgrid(np.linspace(116.4, 118.6, 23), np.linspace(33.7, 34.95, 13))
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert np.abs(back[0] - lon).max() < 1e-9 and np.abs(back[1] - lat).max() < 1e-9


def test_the_offset_at_xuzhou_is_hundreds_of_metres():
    glon, glat = wgs84_to_gcj02(117.18, 34.26)
    metres = GEOD.inv(117.18, 34.26, float(glon), float(glat))[2]
    assert 200 < metres < 800


def test_outside_china_nothing_moves():
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(-74.0, 40.7) == (-74.0, 40.7)


def test_geometries_move_vertex_by_vertex():
    gcj = shapely.Polygon([(117.45, 34.45), (117.46, 34.45), (117.46, 34.46)])
    wgs = geometries_to_wgs84(np.array([gcj]))[0]
    expected = np.column_stack(gcj02_to_wgs84(*np.array(gcj.exterior.coords).T))
    assert np.allclose(np.array(wgs.exterior.coords), expected)
