"""Every forbidden action for every role: a clear refusal from the service layer, and no change."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from xzsdg_geo.errors import UserError
from xzsdg_geo.indicators.tracker import set_actual
from xzsdg_geo.rasters.catalog import add_raster
from xzsdg_geo.services import accounts, audit, review, submissions
from xzsdg_geo.services.auth import Permission, Principal, Role, principal_of
from xzsdg_geo.services.importing import import_file
from xzsdg_geo.services.submissions import visible_submissions
from xzsdg_geo.store import NewFeature

ROLES = {"field_team": "field_team", "district_head": "head_320305", "reviewer": "reviewer", "admin": "admin"}


def _pending(store) -> int:
    zone = store.features("subsidence_zones").iloc[0]
    props = {k: zone[k] for k in ("zone_id", "name", "severity", "mine")}
    upload = store.add_upload(b"x", "z.geojson", "subsidence_zones", "field_team", True, {})
    feature = NewFeature(zone.feature_id, zone.geometry, props)
    return store.add_submission("subsidence_zones", upload.id, [feature], by="field_team").id


def _geojson(tmp: Path) -> Path:
    frame = gpd.GeoDataFrame({"编号": ["T1"], "名称": ["测试"], "程度": ["轻度"]},
                             geometry=[box(117.45, 34.45, 117.46, 34.46)], crs="EPSG:4490")  # fmt: skip
    path = tmp / "zones.geojson"
    path.write_text(frame.to_json(), encoding="utf-8")
    return path


def _snapshot(store) -> str:
    """Everything a write could touch, as text."""
    subs = [s.__dict__ for s in store.submissions()]
    zones = store.features("subsidence_zones")[["feature_id", "version"]].to_dict("records")
    users = [u.username for u in store.users()]
    return json.dumps([subs, zones, users, len(store.audit())], default=str, sort_keys=True)


ACTIONS: dict[str, tuple[Permission, Callable[..., object]]] = {
    "submit": (Permission.SUBMIT, lambda s, p, sid, tmp: submissions.submit(
        s, p, _geojson(tmp).read_bytes(), "zones.geojson", "subsidence_zones")),
    "preview": (Permission.VIEW_ALL_SUBMISSIONS, lambda s, p, sid, tmp: review.preview(s, p, sid)),
    "approve": (Permission.REVIEW, lambda s, p, sid, tmp: review.decide(s, p, sid, "approve")),
    "reject": (Permission.REVIEW, lambda s, p, sid, tmp: review.decide(s, p, sid, "reject", "不行")),
    "needs_changes": (Permission.REVIEW,
                      lambda s, p, sid, tmp: review.decide(s, p, sid, "needs_changes", "补")),
    "undo": (Permission.UNDO, lambda s, p, sid, tmp: review.undo(s, p, sid)),
    "add_user": (Permission.MANAGE_USERS,
                 lambda s, p, sid, tmp: accounts.add_user(s, p, "intruder", "admin", "long enough pw")),
    "audit": (Permission.VIEW_AUDIT, lambda s, p, sid, tmp: audit.entries(s, p)),
    "import": (Permission.IMPORT,
               lambda s, p, sid, tmp: import_file(s, _geojson(tmp), "subsidence_zones", actor=p)),
    "raster_add": (Permission.IMPORT,
                   lambda s, p, sid, tmp: add_raster(s, tmp / "n.tif", "ndvi", dt.date(2026, 8, 1), actor=p)),
    "indicator_set": (Permission.EDIT_TARGETS, lambda s, p, sid, tmp: set_actual(s, p, 7, 2025, 95.0)),
}  # fmt: skip


FORBIDDEN = [
    (r, a) for r in ROLES for a, (perm, _) in ACTIONS.items() if not Principal("x", Role(r)).can(perm)
]


@pytest.mark.parametrize(("role", "action"), FORBIDDEN)
def test_forbidden_actions_are_refused_and_change_nothing(sample_store, tmp_path, role, action):
    principal: Principal = principal_of(sample_store, ROLES[role])
    _, run = ACTIONS[action]
    sid = _pending(sample_store)
    before = _snapshot(sample_store)
    with pytest.raises(UserError) as err:
        run(sample_store, principal, sid, tmp_path)
    assert err.value.key == "auth.forbidden"
    assert ROLES[role] in err.value.message("zh") and "不能" in err.value.message("zh")
    assert _snapshot(sample_store) == before


def test_the_grants_are_what_the_issue_describes():
    def allowed(role: str) -> set[str]:
        return {a for a, (perm, _) in ACTIONS.items() if Principal("x", Role(role)).can(perm)}

    can = {role: allowed(role) for role in ROLES}
    assert can["field_team"] == {"submit"}
    assert can["district_head"] == {"preview", "audit"}
    assert can["reviewer"] == {"preview", "approve", "reject", "needs_changes", "undo", "audit"}
    assert can["admin"] == set(ACTIONS)


def test_a_field_team_sees_only_its_own_submissions(sample_store):
    admin = principal_of(sample_store, "admin")
    accounts.add_user(sample_store, admin, "team2", "field_team", "long enough pw")
    mine = _pending(sample_store)
    upload = sample_store.add_upload(b"y", "z.geojson", "subsidence_zones", "team2", True, {})
    theirs = sample_store.add_submission("subsidence_zones", upload.id, [], by="team2").id
    seen = {s.id for s in visible_submissions(sample_store, principal_of(sample_store, "team2"))}
    assert theirs in seen and mine not in seen
    head = {s.id for s in visible_submissions(sample_store, principal_of(sample_store, "head_320305"))}
    assert {mine, theirs} <= head


@pytest.mark.parametrize("role", list(ROLES))
def test_only_the_roles_a_layer_declares_may_submit_to_it_or_approve_it(sample_store, role):
    """``districts`` declares admin only (layers/districts.toml); the other layers keep the defaults."""
    from xzsdg_geo.layers import get_layer

    principal = principal_of(sample_store, ROLES[role])
    spec = get_layer("districts")
    upload = sample_store.add_upload(b"d", "d.geojson", "districts", "admin", True, {})
    row = sample_store.features("districts").iloc[0]
    props = {k: row[k] for k in spec.field_names}
    feature = NewFeature(row.feature_id, row.geometry, props)
    sid = sample_store.add_submission("districts", upload.id, [feature], by="admin").id
    before = _snapshot(sample_store)
    for attempt, allowed in (
        (lambda: submissions.submit(sample_store, principal, b"{}", "d.geojson", "districts"),
         role in spec.submit_roles),
        (lambda: review.decide(sample_store, principal, sid, "approve"), role in spec.approve_roles),
    ):  # fmt: skip
        if allowed:
            continue
        with pytest.raises(UserError) as err:
            attempt()
        assert err.value.key.endswith("forbidden")
        assert _snapshot(sample_store) == before
    assert spec.submit_roles == ("admin",) and spec.approve_roles == ("admin",)
