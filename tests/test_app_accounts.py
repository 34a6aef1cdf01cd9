"""The app's account actions and review choices, through Streamlit's AppTest on a real store."""

from __future__ import annotations

from pathlib import Path

from test_app_pages import _button, _login, _open, _run, _texts

from xzsdg_geo.services import review
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.store import NewFeature, open_store


def _settings_action(at, user: str, label: str):
    at = _open(at, "settings")
    at.selectbox(key="acct_pick").set_value(user)
    _run(at)
    _button(at, label).click()
    return _run(at)


def test_an_admin_resets_a_password_and_the_user_must_change_it(store_path: Path) -> None:
    at = _settings_action(_login("admin"), "field_team", "重置密码（生成临时密码）")
    (message,) = [m for m in _texts(at.success) if "临时密码" in m]
    temporary = message.split("：")[1].split("（")[0]
    team = _login("field_team", temporary)
    assert _texts(team.title) == ["修改密码"] and "临时密码" in _texts(team.warning)[0]
    current, new, again = team.text_input
    current.input(temporary)
    new.input("a brand new password")
    again.input("a brand new password")
    _button(team, "修改密码").click()
    _run(team)
    assert "密码已修改" in _texts(team.success)
    assert _texts(_login("field_team", "a brand new password").title) == ["上传"]


def test_an_admin_disables_enables_and_unlocks(store_path: Path) -> None:
    at = _settings_action(_login("admin"), "reviewer", "停用")
    assert "已停用用户 reviewer，其登录已全部失效" in _texts(at.success)
    refused = _login("reviewer")
    assert _texts(refused.error) == ["用户 reviewer 已停用"]
    at = _settings_action(at, "reviewer", "启用")
    assert "已启用用户 reviewer" in _texts(at.success)
    for _ in range(5):
        _login("reviewer", "wrong password")
    assert _login("reviewer").error  # locked
    at = _settings_action(at, "reviewer", "解除锁定")
    assert "已解除用户 reviewer 的登录锁定" in _texts(at.success)
    assert _texts(_login("reviewer").title) == ["审核"]


def _covering_submission(path: Path) -> tuple[int, str]:
    """A completed parcel under a new ID over a planned parcel."""
    store = open_store(str(path))
    try:
        parcels = store.features("restoration_parcels")
        planned = parcels[parcels["status"] == "planned"].iloc[0]
        props = {"parcel_id": "XF-DONE-9", "name": "已完成", "status": "completed",
                 "completed_on": "2026-01-05", "measure": planned["measure"]}  # fmt: skip
        report = {"ok": True, "layer": "restoration_parcels"}
        upload = store.add_upload(
            b"original bytes", "done.geojson", "restoration_parcels", "field_team", True, report
        )
        # drawn 1 m inside the planned parcel: it covers it (> 90 %) without reaching ground its
        # neighbours already count (the approval re-checks that, issue 12)
        feature = NewFeature("XF-DONE-9", planned.geometry.buffer(-0.00001), props)
        sub = store.add_submission("restoration_parcels", upload.id, [feature], by="field_team")
        return sub.id, planned.feature_id
    finally:
        store.close()


def test_the_reviewer_closes_what_an_approval_replaces_and_must_choose_a_decision(store_path: Path) -> None:
    sub_id, planned = _covering_submission(store_path)
    at = _login("reviewer")
    closes = at.multiselect(key=f"rv_closes_{sub_id}")
    assert closes.value == [planned]  # suggested: covered by the new parcel
    assert {m.label: m.value for m in at.metric}["将关闭"] == "1"
    closes.set_value([])
    _run(at)
    assert {m.label: m.value for m in at.metric}["将关闭"] == "0"  # the preview follows the ticks
    at.multiselect(key=f"rv_closes_{sub_id}").set_value([planned])
    _run(at)
    assert {m.label: m.value for m in at.metric}["将关闭"] == "1"
    assert [b.label for b in at.get("download_button")] == ["下载原始文件（done.geojson）"]
    _button(at, "提交审核结论").click()
    _run(at)
    assert _texts(at.error) == ["请先选择审核结论（通过、需补正或驳回）"]
    at.radio[0].set_value("approve")
    _button(at, "提交审核结论").click()
    _run(at)
    assert f"提交 {sub_id} 已处理：已通过" in _texts(at.success), (_texts(at.error), _texts(at.success))
    store = open_store(str(store_path))
    try:
        ids = set(store.features("restoration_parcels")["feature_id"])
        assert "XF-DONE-9" in ids and planned not in ids
        assert review.preview(store, principal_of(store, "reviewer"), sub_id).count("removed") == 1
    finally:
        store.close()
