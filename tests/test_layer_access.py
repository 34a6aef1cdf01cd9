"""Who may change which layer is data (``layers/*.toml``): the services enforce it on both stores."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from xzsdg_geo.dates import today_cst
from xzsdg_geo.errors import UserError
from xzsdg_geo.layers import all_layers
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.services import review, submissions
from xzsdg_geo.services.accounts import add_user
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.services.importing import import_file
from xzsdg_geo.services.layer_access import submittable_layers
from xzsdg_geo.store import NewFeature
from xzsdg_geo.when import When

JIAWANG = "320305"


def _rates(store) -> list[tuple[str, float, float | None]]:
    report = compute_rates(store, When(today_cst()))
    return [(d.adcode, round(d.zone_ha, 6), d.rate_pct) for d in report.districts]


def _shrunk_jiawang(store) -> NewFeature:
    """贾汪区 redrawn as a small square: approved, it would move the district's zone area and rate."""
    row = store.features("districts").set_index("feature_id").loc[JIAWANG]
    props = {k: row[k] for k in all_layers()["districts"].field_names}
    c = row.geometry.centroid
    return NewFeature(JIAWANG, box(c.x - 0.01, c.y - 0.01, c.x + 0.01, c.y + 0.01), props)


def _districts_submission(store, by: str) -> int:
    upload = store.add_upload(b"districts", "districts.geojson", "districts", by, True, {})
    return store.add_submission("districts", upload.id, [_shrunk_jiawang(store)], by=by).id


def test_a_field_team_cannot_submit_district_boundaries(sample_store):
    before = _rates(sample_store)
    team = principal_of(sample_store, "field_team")
    with pytest.raises(UserError) as err:
        submissions.submit(sample_store, team, b"{}", "districts.geojson", "districts")
    assert err.value.key == "layer_access.submit_forbidden"
    message = err.value.message("zh")
    assert "行政区" in message and "管理员" in message and "field_team" in message
    assert sample_store.uploads() == [] and sample_store.submissions() == []
    assert _rates(sample_store) == before


def test_a_reviewer_cannot_approve_districts_an_admin_can(sample_store):
    before = _rates(sample_store)
    sid = _districts_submission(sample_store, "admin")
    with pytest.raises(UserError) as err:
        review.decide(sample_store, principal_of(sample_store, "reviewer"), sid, "approve")
    assert err.value.key == "layer_access.approve_forbidden"
    assert "行政区" in err.value.message("zh") and "管理员" in err.value.message("zh")
    assert sample_store.get_submission(sid).status == "pending"
    assert _rates(sample_store) == before
    admin = principal_of(sample_store, "admin")
    add_user(sample_store, admin, "admin2", "admin", "another-admin-pw")  # four eyes: not the submitter
    review.decide(sample_store, principal_of(sample_store, "admin2"), sid, "approve")
    after = dict((code, zone) for code, zone, _ in _rates(sample_store))
    assert after[JIAWANG] < dict((c, z) for c, z, _ in before)[JIAWANG]  # the admin's change took effect


def test_import_into_a_layer_checks_its_approve_roles(sample_store, tmp_path, monkeypatch):
    """A layer may restrict imports further than the IMPORT permission: the declaration decides."""
    spec = all_layers()["subsidence_zones"]
    restricted = type(spec)(**{**spec.__dict__, "approve_roles": ()})
    monkeypatch.setitem(all_layers(), "subsidence_zones", restricted)
    frame = gpd.GeoDataFrame({"编号": ["T1"], "名称": ["测"], "程度": ["轻度"]},
                             geometry=[box(117.45, 34.45, 117.46, 34.46)], crs="EPSG:4490")  # fmt: skip
    path = tmp_path / "z.geojson"
    path.write_text(frame.to_json(), encoding="utf-8")
    before = _rates(sample_store)
    with pytest.raises(UserError) as err:
        import_file(sample_store, path, "subsidence_zones", actor=principal_of(sample_store, "admin"))
    assert err.value.key == "layer_access.approve_forbidden"
    assert _rates(sample_store) == before


def test_the_upload_page_offers_what_the_declaration_allows(sample_store):
    assert "districts" not in submittable_layers(principal_of(sample_store, "field_team"))
    assert "restoration_parcels" in submittable_layers(principal_of(sample_store, "field_team"))
    assert "districts" in submittable_layers(principal_of(sample_store, "admin"))
    assert submittable_layers(principal_of(sample_store, "head_320305")) == ()
