"""The app's sign-in and workflow pages through ``AppTest``, on a copy of the sample store.

Every role signs in with the demo password; uploads are real zipped shapefiles (GBK attributes)
built from the sample's own parcels; decisions go through the pages' forms and are checked in
the store afterwards. ``st_folium`` renders nothing in AppTest: its arguments (the map script and
the asset links) are what is checked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import corpus as c
import pytest
from field_files import JIAWANG, completed_parcels, parcels_zip
from streamlit.testing.v1 import AppTest

from xzsdg_geo.dates import today_cst
from xzsdg_geo.errors import UserError
from xzsdg_geo.i18n import t
from xzsdg_geo.paths import ROOT
from xzsdg_geo.preview_map import review_map
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.services import review, submissions
from xzsdg_geo.services.auth import principal_of, resume_session
from xzsdg_geo.store import NewFeature, open_store
from xzsdg_geo.ui import auth
from xzsdg_geo.when import When

APP = str(ROOT / "app.py")
PASSWORD = "xzsdg-demo"
PAGES = {"upload", "review", "history", "settings"}
VISIBLE = {
    "field_team": {"upload"},
    f"head_{JIAWANG}": {"history"},
    "reviewer": {"review", "history"},
    "admin": PAGES,
}


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _app() -> AppTest:
    return _run(AppTest.from_file(APP, default_timeout=90))


def _login(user: str, password: str = PASSWORD, at: AppTest | None = None) -> AppTest:
    at = at or _app()
    username, secret = at.text_input
    username.input(user)
    secret.input(password)
    _button(at, "登录").click()
    return _run(at)


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _open(at: AppTest, page: str) -> AppTest:
    return _run(at.switch_page(f"xzsdg_geo/ui/pages/{page}.py"))


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def _map_args(at: AppTest) -> list[dict]:
    """What each st_folium on the page hands its frontend."""
    return [
        json.loads(e.proto.json_args)
        for e in at.main
        if getattr(e, "type", None) == "component_instance" and e.proto.component_name.endswith("st_folium")
    ]


def _pending(store_path: Path) -> int:
    """A submission of the two parcels, as the upload page leaves it."""
    store = open_store(str(store_path))
    team = principal_of(store, "field_team")
    result = submissions.submit(store, team, parcels_zip(store_path), "parcels.zip", "restoration_parcels")
    store.close()
    assert result.submission is not None, result.report.errors
    return result.submission.id


def _district_rate(store_path: Path, adcode: str = JIAWANG) -> float:
    store = open_store(str(store_path))
    report = compute_rates(store, When(today_cst()))
    store.close()
    return next(d.rate_pct for d in report.districts if d.adcode == adcode)


# -- signing in -----------------------------------------------------------------------------------
def test_the_login_page_comes_first_and_a_wrong_password_is_refused(store_path: Path) -> None:
    at = _app()
    assert _texts(at.subheader) == ["登录"]
    with pytest.raises(ValueError):  # no page but the login is registered
        at.switch_page("xzsdg_geo/ui/pages/upload.py")
    _login("field_team", "wrong password", at)
    assert _texts(at.error)[0].startswith("用户名或密码不正确，或账号已暂时锁定")
    _login("nobody", PASSWORD, at)
    assert _texts(at.error)[0].startswith("用户名或密码不正确，或账号已暂时锁定")


def test_without_a_store_the_login_page_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XZSDG_STORE", str(tmp_path / "none.gpkg"))
    (message,) = _texts(_app().error)
    assert "找不到数据库文件" in message and "python -m xzsdg_geo init --sample" in message


def test_an_unreadable_store_is_a_message_at_sign_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("XZSDG_STORE", str(broken))
    (message,) = _texts(_login("admin").error)
    assert message.startswith("无法读取数据库") and "已损坏" in message


def test_repeated_failures_lock_the_account(store_path: Path) -> None:
    at = _app()
    for _ in range(5):
        _login("reviewer", "not the password", at)
    _login("reviewer", PASSWORD, at)
    (message,) = _texts(at.error)  # the same answer as a wrong password, saying a lock is possible
    assert message.startswith("用户名或密码不正确，或账号已暂时锁定（连续 5 次失败后锁定 15 分钟）")
    assert _texts(at.subheader) == ["登录"]


@pytest.mark.parametrize("user", sorted(VISIBLE))
def test_each_role_sees_only_its_pages(store_path: Path, user: str) -> None:
    at = _login(user)
    assert "当前用户" in at.sidebar.markdown[0].value
    for page in PAGES:
        if page in VISIBLE[user]:
            _open(at, page)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"xzsdg_geo/ui/pages/{page}.py")


def test_each_role_lands_on_its_question(store_path: Path) -> None:
    assert _texts(_login("field_team").title) == ["上传"]
    assert _texts(_login("reviewer").title) == ["审核"]
    head = _login(f"head_{JIAWANG}")
    assert head.session_state[auth.DISTRICT_KEY] == JIAWANG
    assert "贾汪区" in head.sidebar.caption[0].value
    assert _texts(head.title) == [t("ui.progress_title")]  # 进度, opened on the head's district
    assert JIAWANG in [s.value for s in head.selectbox]


def test_logout_ends_the_store_session(store_path: Path) -> None:
    at = _login("reviewer")
    token = at.session_state[auth.TOKEN_KEY]
    _button(at, "退出登录").click()
    _run(at)
    assert _texts(at.subheader) == ["登录"]
    store = open_store(str(store_path))
    with pytest.raises(UserError) as err:
        resume_session(store, token)
    assert err.value.key == "auth.session_expired"
    store.close()


def test_a_disabled_account_is_signed_out_with_the_reason(store_path: Path) -> None:
    at = _login("field_team")
    store = open_store(str(store_path))
    store.update_user("field_team", disabled=1)
    store.close()
    _run(at)
    assert _texts(at.subheader) == ["登录"]
    assert _texts(at.warning) == ["用户 field_team 已停用"]


OIDC = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32,
             "client_id": "xzsdg", "client_secret": "secret",
             "server_metadata_url": "http://idp.invalid/.well-known/openid-configuration"},
    "xzsdg_accounts": {"Li.Si@example.gov.cn": "reviewer"},
}  # fmt: skip


def test_an_identity_provider_sign_in_maps_to_a_store_account(store_path: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets.update(OIDC)
    at.user = {"is_logged_in": False}
    _run(at)
    assert "使用单位统一身份认证登录" in [b.label for b in at.button]
    at.user = {"is_logged_in": True, "email": "li.si@example.gov.cn"}
    _run(at)
    assert _texts(at.title) == ["审核"]
    assert "reviewer" in at.sidebar.markdown[0].value


def test_an_identity_without_an_account_is_told_so(store_path: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets.update(OIDC)
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    _run(at)
    assert _texts(at.subheader) == ["登录"]
    assert "stranger@example.com 没有对应的本系统用户" in at.warning[0].value
    assert "退出统一身份认证" in [b.label for b in at.button]


# -- upload ---------------------------------------------------------------------------------------
def _check(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    _run(at)
    _button(at, "检查文件").click()
    return _run(at)


def test_a_field_team_checks_a_shapefile_and_submits_it(store_path: Path) -> None:
    at = _check(_login("field_team"), "parcels.zip", parcels_zip(store_path))
    assert _texts(at.success) == ["结论：可以提交"]
    summary = at.markdown[1].value
    assert "治理修复地块" in summary and "gbk" in summary and "要素 2 个" in summary
    (preview,) = _map_args(at)
    assert preview["js_links"][0] == "/app/static/vendor/leaflet/leaflet.js"
    assert all(link.startswith("/app/static/") for link in preview["js_links"])
    assert preview["returned_objects"] == []
    assert re.findall(r"https?://", preview["script"] + preview["html"]) == []
    at.text_area(key="up_note").input("两个计划地块已完工")
    _button(at, "提交审核").click()
    _run(at)
    assert _texts(at.success) == ["已提交，编号 1（2 个要素，0 条提示），等待审核"]
    mine = at.dataframe[-1].value
    assert (
        mine.iloc[0]["编号"] == 1
        and mine.iloc[0]["状态"] == "待审核"
        and mine.iloc[0]["说明"] == "两个计划地块已完工"
    )
    store = open_store(str(store_path))
    (sub,) = store.submissions()
    assert (sub.status, sub.submitted_by, len(store.submission_features(sub.id))) == (
        "pending",
        "field_team",
        2,
    )
    store.close()


def test_a_refused_file_lists_its_blockers_and_places_them_on_the_map(store_path: Path) -> None:
    parcels = completed_parcels(store_path)
    parcels.loc[0, "名称"] = '<img src=x onerror="alert(1)">'
    parcels.loc[1, "状态"] = "差不多了"  # not one of the layer's statuses
    at = _check(_login("field_team"), "parcels.geojson", c.geojson(parcels))
    assert _texts(at.error) == ["结论：不能提交，请修正上述错误后重新上传"]
    table = at.dataframe[0].value
    blockers = table[table["类别"] == "须修正"]
    assert list(blockers["要素序号"]) == ["2"] and "差不多了" in blockers["说明"].iloc[0]
    (preview,) = _map_args(at)
    script = preview["script"]
    assert "<img" not in script and "lt;img src=x" in script  # HTML-escaped for the popup
    assert "#d62728" in script  # the blocked feature drawn red, with its numbered pin
    assert "提交审核" not in [b.label for b in at.button]


def test_an_unreadable_file_is_a_message_not_a_traceback(store_path: Path) -> None:
    at = _check(_login("field_team"), "notes.txt", "这不是坐标文件".encode())
    assert _texts(at.error) == ["结论：不能提交，请修正上述错误后重新上传"]
    assert at.dataframe[0].value.iloc[0]["要素序号"] == "整个文件"
    assert _map_args(at) == []


# -- review ---------------------------------------------------------------------------------------
def test_a_reviewer_sees_the_change_and_its_effect_then_approves(store_path: Path) -> None:
    sub_id = _pending(store_path)
    before = _district_rate(store_path)
    at = _login("reviewer")
    effect, city = _texts(at.info)
    year = today_cst().year
    assert effect.startswith(f"通过后 贾汪区 {year} 年治理率由 {before:,.2f}% 变为 ")
    assert city.startswith(f"通过后全市 {year} 年治理率由 ")
    assert {m.label: m.value for m in at.metric}["修改"] == "2"
    diffs = at.dataframe[1].value
    assert list(diffs["变化"]) == ["修改", "修改"] and list(diffs["面积变化(公顷)"]) == ["0.00", "0.00"]
    assert all("→" in what for what in diffs["变化内容"])  # each says which field changed, old → new
    (before_after,) = _map_args(at)
    assert "修改前" in before_after["script"] and "现有要素" in before_after["script"]
    assert "结论：可以提交" in _texts(at.success)  # the report kept with the upload
    at.radio[0].set_value("approve")
    _button(at, "提交审核结论").click()
    _run(at)
    assert f"提交 {sub_id} 已处理：已通过" in _texts(at.success)
    assert _button(at, "撤销通过")  # the decided one stays listed, its undo at hand
    after = _district_rate(store_path)
    assert after > before
    assert effect.endswith(f"变为 {after:,.2f}%")


def test_asking_for_changes_needs_a_comment_and_the_team_sees_it(store_path: Path) -> None:
    sub_id = _pending(store_path)
    at = _login("reviewer")
    at.radio[0].set_value("needs_changes")
    _button(at, "提交审核结论").click()
    _run(at)
    assert _texts(at.error) == ["驳回或要求补正时必须填写意见"]
    at.text_area[0].input("请补充<b>投资额</b>")
    _button(at, "提交审核结论").click()
    _run(at)
    assert f"提交 {sub_id} 已处理：需补正" in _texts(at.success)
    team = _login("field_team")
    (notice,) = _texts(team.warning)
    assert notice.startswith(f"提交 {sub_id} 需补正（审核人 reviewer）") and r"\<b\>" in notice
    assert team.dataframe[-1].value.iloc[0]["审核意见"] == "请补充<b>投资额</b>"


def test_a_decision_someone_else_made_first_is_refused_with_who(store_path: Path) -> None:
    sub_id = _pending(store_path)
    at = _login("reviewer")
    store = open_store(str(store_path))
    review.decide(store, principal_of(store, "admin"), sub_id, "reject", "重复提交")
    store.close()
    at.radio[0].set_value("approve")
    _button(at, "提交审核结论").click()
    _run(at)
    assert _texts(at.error) == [f"提交 {sub_id} 已被处理（当前状态：已驳回，处理人：admin），请刷新后再操作"]
    store = open_store(str(store_path))
    assert store.get_submission(sub_id).status == "rejected"
    store.close()


def test_an_approval_can_be_undone(store_path: Path) -> None:
    sub_id = _pending(store_path)
    before = _district_rate(store_path)
    store = open_store(str(store_path))
    review.decide(store, principal_of(store, "reviewer"), sub_id, "approve")
    store.close()
    at = _login("reviewer")
    at.selectbox[0].set_value("approved")
    _run(at)
    undo = _button(at, "撤销通过")
    assert undo.disabled
    at.checkbox[0].check()
    _run(at)
    _button(at, "撤销通过").click()
    _run(at)
    assert f"提交 {sub_id} 已撤销，要素已恢复到通过前的状态" in _texts(at.success)
    assert _district_rate(store_path) == pytest.approx(before)


# -- history --------------------------------------------------------------------------------------
def test_history_shows_the_audit_log_with_csv_and_a_features_versions(store_path: Path) -> None:
    fid = completed_parcels(store_path, n=1).iloc[0]["编号"]
    sub_id = _pending(store_path)
    store = open_store(str(store_path))
    review.decide(store, principal_of(store, "reviewer"), sub_id, "approve")
    store.close()
    at = _open(_login("reviewer"), "history")
    log = at.dataframe[0].value
    assert list(log["操作"][:2]) == ["通过", "提交"] and log["提交"].iloc[0] == sub_id
    (download,) = at.get("download_button")
    assert download.proto.label == "下载审计日志（CSV）"
    at.radio[0].set_value("feature")
    _run(at)
    at.text_input[0].input(fid)
    _run(at)
    versions = at.dataframe[0].value
    assert list(versions["版本"]) == [1, 2]
    assert list(versions["状态"]) == ["计划", "已完成"]
    assert versions["来源"].iloc[1] == f"submission:{sub_id}"


def test_a_districts_rate_by_year(store_path: Path) -> None:
    at = _open(_login(f"head_{JIAWANG}"), "history")
    at.radio[0].set_value("district")
    _run(at)
    assert at.selectbox[0].value == JIAWANG  # the head's own district first
    table = at.dataframe[0].value
    store = open_store(str(store_path))
    expected = compute_rates(store, When(dt.date(2020, 12, 31)))
    store.close()
    row = table.set_index("年份").loc["2020"]
    rate = next(d.rate_pct for d in expected.districts if d.adcode == JIAWANG)
    assert row["治理率(%)"] == f"{rate:,.2f}" and row["目标(%)"] == "—"  # no target before 2024
    assert table["年份"].iloc[-1] == str(today_cst().year)


# -- settings -------------------------------------------------------------------------------------
def _add_user(at: AppTest, name: str, role: str, password: str, again: str, district: str | None = None):
    inputs = {w.label: w for w in at.text_input}
    inputs["用户名"].input(name)
    inputs["密码"].input(password)
    inputs["再次输入密码"].input(again)
    selects = {s.label: s for s in at.selectbox}
    selects["角色"].set_value(role)
    selects["所属行政区（区县负责人）"].set_value(district)
    _button(at, "创建用户").click()
    return _run(at)


def test_an_administrator_adds_an_account_and_sees_the_targets(store_path: Path) -> None:
    at = _open(_login("admin"), "settings")
    assert "head_320305" in list(at.dataframe[0].value["用户名"])
    targets = at.dataframe[1].value
    assert targets.set_index("年份").loc["2027", "全市目标(%)"] == 78.0
    _add_user(at, "wang.wu", "district_head", "long enough", "different", JIAWANG)
    assert _texts(at.error) == ["两次输入的密码不一致"]
    _add_user(at, "wang.wu", "district_head", "short", "short", JIAWANG)
    assert _texts(at.error) == ["密码太短：至少 8 个字符"]
    _add_user(at, "wang.wu", "district_head", "long enough", "long enough", JIAWANG)
    assert "已创建用户 wang.wu（区县负责人）" in _texts(at.success)
    store = open_store(str(store_path))
    assert principal_of(store, "wang.wu").district == JIAWANG
    store.close()


def test_an_administrator_replaces_the_district_boundaries(store_path: Path) -> None:
    store = open_store(str(store_path))
    districts = store.features("districts")[["adcode", "name", "geometry"]]
    store.close()
    districts.loc[districts["adcode"] == JIAWANG, "name"] = "贾汪区（新）"
    upload = districts.rename(columns={"adcode": "行政区代码", "name": "名称"})
    at = _open(_login("admin"), "settings")
    at.file_uploader[0].set_value(("districts.geojson", c.geojson(upload), "application/geo+json"))
    _run(at)
    _button(at, "导入行政区边界").click()
    _run(at)
    (done,) = [m for m in _texts(at.success) if m.startswith("已导入行政区边界")]
    assert "10 个" in done and "修改 1" in done
    store = open_store(str(store_path))
    current = store.features("districts").set_index("adcode")
    assert current.loc[JIAWANG, "name"] == "贾汪区（新）"
    assert len(store.history("districts", JIAWANG)) == 2
    store.close()


# -- language -------------------------------------------------------------------------------------
def test_the_workflow_pages_switch_to_english(store_path: Path) -> None:
    _pending(store_path)
    at = _login("reviewer")
    at.sidebar.radio[0].set_value("en")
    _run(at)
    assert _texts(at.title) == ["Review"]
    assert at.info[0].value.startswith("Approving moves 贾汪区's")
    assert at.sidebar.markdown[0].value.startswith("Signed in as")


# -- the workflow maps (no streamlit) -------------------------------------------------------------
def test_the_review_map_colours_each_kind_of_change(store_path: Path) -> None:
    """New, changed and (with ``replace_district``) removed features each get their class."""
    store = open_store(str(store_path))
    changed = completed_parcels(store_path, n=1)
    existing = store.features("restoration_parcels").set_index("feature_id")
    fid = changed.iloc[0]["编号"]
    props = {k: existing.loc[fid, k] for k in ("parcel_id", "name", "measure")}
    shape = changed.geometry.iloc[0]
    new = {"parcel_id": "XF-NEW-1", "name": "<script>x</script>", "status": "planned", "measure": "forest"}
    features = [
        NewFeature(fid, shape, {**props, "status": "completed", "completed_on": "2026-01-05"}),
        NewFeature("XF-NEW-1", shape.buffer(0.003).difference(shape), new),  # a ring around it
    ]
    upload = store.add_upload(b"x", "p.geojson", "restoration_parcels", "field_team", True, {})
    sub = store.add_submission("restoration_parcels", upload.id, features, by="field_team",
                               replace_district=JIAWANG)  # fmt: skip
    preview = review.preview(store, principal_of(store, "reviewer"), sub.id)
    drawn = review_map(store, preview, "zh")
    store.close()
    layers = {layer.name: layer for layer in drawn.layers}
    proposed = {c.label: len(c.features) for c in layers["submitted"].classes}
    assert proposed == {"新增": 1, "修改": 1}
    existing_classes = {c.label: len(c.features) for c in layers["existing"].classes}
    assert existing_classes["将关闭"] == preview.count("removed") > 0
    assert existing_classes["修改前"] == 1
    names = [f["properties"]["name"] for c in layers["submitted"].classes for f in c.features]
    assert "&lt;script&gt;x&lt;/script&gt;" in names  # escaped for the popup
    html = drawn.build("zh").get_root().render()
    assert "<script>x</script>" not in html
