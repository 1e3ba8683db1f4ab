"""Who may change what (issue 8), through the service layer and through the pages.

The policy is `ntm.auth.PERMISSIONS`; here each write of the app is tried by each role
(anonymous, viewer, staff, admin) and must succeed exactly where the table below says, with the
audit log naming the user; a refused write shows a clear Vietnamese refusal (pages) or raises
PermissionDenied (services) and leaves every row of the database as it was. Then: the login
form (same answer for a wrong name and a wrong password, throttling, logout), the session
timeout, `NTM_REQUIRE_LOGIN` (every page is the login form alone), settings from the
environment or the secrets file, and the upload limits as the page applies them.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from ntm import auth, config, demo
from ntm.auth import Action, PermissionDenied, Role, User, add_user
from ntm.storage import Store, engine
from ntm.storage import schema as S
from ntm.ui import auth_ui, services, state

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
PAGES = sorted(p.name for p in (ROOT / "screens").glob("*.py"))
XLSX = services.XLSX_MIME
LAGGING = "Nà Cưởm"
PASSWORD = "mat-khau-rat-dai-2025"
STAFF_NAME, ADMIN_NAME = "lan.canbo", "hung.quantri"

USERS: dict[str, User | None] = {
    "anonymous": None,
    "viewer": User("minh.xem", Role.VIEWER),
    "staff": User(STAFF_NAME, Role.STAFF),
    "admin": User(ADMIN_NAME, Role.ADMIN),
}
ROLES = list(USERS)

# write -> the roles that may do it (everything else is refused)
MAY = {
    "upload": {"staff", "admin"},
    "confirm_upload": {"staff", "admin"},
    "restore": {"admin"},
    "delete_revision": {"admin"},
    "edit_commune": {"admin"},
}


# --- databases ---------------------------------------------------------------------------------


def workbook(year: int, edit: dict[tuple[str, str], dict[str, Any]]) -> bytes:
    """A demo return with some cells changed: {(sheet, code): {column letter: value}}."""
    wb = openpyxl.load_workbook(DEMO / f"duong-quang-{year}.xlsx")
    for (sheet, code), cells in edit.items():
        ws = wb[sheet]
        row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == code)
        for column, value in cells.items():
            ws[f"{column}{row}"] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def new_return(value: float) -> bytes:
    return workbook(2025, {(LAGGING, "2.2"): {"F": value, "G": None, "H": None}})


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2025 uploaded twice (Nà Cưởm has revisions 1 and 2); a viewer, staff and admin account."""
    path = tmp_path_factory.mktemp("base") / "ntm.db"
    store = Store(f"sqlite:///{path}").migrate()
    store.import_file(DEMO / "duong-quang-2025.xlsx", user="setup")
    store.import_bytes(new_return(94.6), "sua.xlsx", user="setup")
    add_user(store, "minh.xem", Role.VIEWER, PASSWORD, by="setup")
    add_user(store, STAFF_NAME, Role.STAFF, PASSWORD, by="setup")
    add_user(store, ADMIN_NAME, Role.ADMIN, PASSWORD, by="setup")
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


def _clear() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def db(base_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A copy of the base database for this test, used by the app (NTM_DATABASE_URL)."""
    for path in base_db.parent.glob(base_db.name + "*"):
        shutil.copy(path, tmp_path / path.name)
    url = f"sqlite:///{tmp_path / base_db.name}"
    (tmp_path / "no-demo").mkdir()
    monkeypatch.setattr(demo, "folder", lambda: tmp_path / "no-demo")
    monkeypatch.setenv("NTM_DATABASE_URL", url)
    for name in ("NTM_REQUIRE_LOGIN", "NTM_SECRETS_FILE", "NTM_SESSION_TIMEOUT_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NTM_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    _clear()
    yield url
    _clear()


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the database is small)."""
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            return {
                t.name: sorted((tuple(r) for r in conn.execute(sa.select(t))), key=repr)
                for t in S.metadata.sorted_tables
            }
    finally:
        store.close()


def new_audit(url: str, before: dict[str, list[tuple[Any, ...]]]) -> set[tuple[str, str]]:
    """(user, action) of the audit rows written since `before` (a snapshot)."""
    ids = {row[0] for row in before["audit_log"]}
    store = Store(url)
    try:
        rows = store.audit(limit=None)
    finally:
        store.close()
    new = rows[~rows["id"].isin(ids)]
    return {(str(u), str(a)) for u, a in zip(new["user"], new["action"], strict=True)}


def lagging_revisions(url: str) -> Any:
    store = Store(url)
    try:
        return store.revisions(commune="Dương Quang", village=LAGGING, period=2025)
    finally:
        store.close()


def run_page(name: str, user: User | None = None, /, **seed: Any) -> AppTest:
    at = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=30)
    for key, value in {**seed, **(auth_ui.session_for(user) if user else {})}.items():
        at.session_state[key] = value
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, "\n".join(str(e.value) for e in at.exception)


def warnings(at: AppTest) -> list[str]:
    return [str(w.value) for w in at.warning]


def refused_text(role: str) -> str:
    """The words the refusal must contain for this role."""
    return "Cần đăng nhập" if USERS[role] is None else "không có quyền"


# --- the service layer -------------------------------------------------------------------------


def _save(url: str, user: User | None) -> None:
    data = new_return(55.5)
    services.save_upload("moi.xlsx", data, services.read_upload("moi.xlsx", data), user)


def _restore(url: str, user: User | None) -> None:
    revs = lagging_revisions(url)
    services.restore(int(revs[~revs["current"]].iloc[0]["revision_id"]), user)


def _delete(url: str, user: User | None) -> None:
    revs = lagging_revisions(url)
    services.delete_revision(int(revs[revs["current"]].iloc[0]["revision_id"]), user, "thử")


def _edit_commune(url: str, user: User | None) -> None:
    profile = services.profile("Dương Quang")
    assert profile is not None
    services.save_profile(
        dataclasses.replace(profile, villages=[*profile.villages, "Thôn Mới"]), user
    )


SERVICE_WRITES: dict[str, tuple[Callable[[str, User | None], None], str]] = {
    "confirm_upload": (_save, "upload.accepted"),
    "restore": (_restore, "revision.restored"),
    "delete_revision": (_delete, "revision.deleted"),
    "edit_commune": (_edit_commune, "commune.updated"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", list(SERVICE_WRITES))
def test_service_layer_allows_each_write_to_exactly_its_roles(
    db: str, write: str, role: str
) -> None:
    do, action = SERVICE_WRITES[write]
    user = USERS[role]
    before = snapshot(db)
    if role in MAY[write]:
        do(db, user)
        assert snapshot(db) != before
        assert user is not None
        written = new_audit(db, before)
        assert (user.name, action) in written
        assert {who for who, _ in written} == {user.name}  # the audit log names the user
    else:
        with pytest.raises(PermissionDenied):
            do(db, user)
        assert snapshot(db) == before


def test_the_tables_match_the_policy() -> None:
    """MAY above is the lead's PERMISSIONS table, spelled out for these writes."""
    actions = {
        "upload": Action.UPLOAD,
        "confirm_upload": Action.CONFIRM_UPLOAD,
        "restore": Action.RESTORE_REVISION,
        "delete_revision": Action.DELETE_REVISION,
        "edit_commune": Action.EDIT_COMMUNE,
    }
    for write, roles in MAY.items():
        assert {r for r, u in USERS.items() if u is not None and u.can(actions[write])} == roles


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_upload_section_is_open_to_exactly_its_roles(db: str, role: str) -> None:
    at = run_page("nhap_lieu.py", USERS[role], **{state.UPLOADER_ROUND: 0})
    no_exception(at)
    assert at.get("download_button"), "the template is open to every reader"
    uploaders = at.get("file_uploader")
    if role in MAY["upload"]:
        assert uploaders
        assert not warnings(at)
    else:
        assert not uploaders
        assert any(refused_text(role) in w and "tải báo cáo lên" in w for w in warnings(at))


@pytest.mark.parametrize("role", ROLES)
def test_confirm_upload_stores_only_for_its_roles(db: str, role: str) -> None:
    """Staff preview a file; the confirmation is clicked by `role` (for anonymous and viewer:
    the login ended or changed between preview and confirmation)."""
    at = run_page("nhap_lieu.py", USERS["staff"], **{state.UPLOADER_ROUND: 0})
    at.file_uploader(key=f"{state.UPLOADER}_0").set_value(
        ("moi.xlsx", new_return(55.5), XLSX)
    ).run()
    no_exception(at)
    assert not at.button(key="confirm_upload").disabled
    user = USERS[role]
    if user is None:
        for key in (auth_ui.USER, auth_ui.SEEN):
            del at.session_state[key]
    else:
        at.session_state[auth_ui.USER] = user
    before = snapshot(db)
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    if role in MAY["confirm_upload"]:
        assert user is not None
        assert any("Đã lưu moi.xlsx" in str(s.value).replace("\\", "") for s in at.success)
        assert (user.name, "upload.accepted") in new_audit(db, before)
        store = Store(db)
        try:
            assert store.uploads().iloc[0]["user"] == user.name
        finally:
            store.close()
    else:
        assert any(refused_text(role) in w for w in warnings(at)), warnings(at)
        assert snapshot(db) == before


def _to_restore(at: AppTest) -> None:
    at.selectbox(key="rev_unit").set_value(LAGGING).run()


@pytest.mark.parametrize("role", ROLES)
def test_restore_is_open_to_exactly_its_roles(db: str, role: str) -> None:
    at = run_page("du_lieu.py", USERS[role], **{state.YEAR: 2025})
    no_exception(at)
    _to_restore(at)
    before = snapshot(db)
    at.button(key="restore").click().run()
    no_exception(at)
    if role not in MAY["restore"]:
        assert any(refused_text(role) in w and "khôi phục phiên bản" in w for w in warnings(at)), (
            warnings(at)
        )
        assert state.RESTORE not in at.session_state or not at.session_state[state.RESTORE]
        assert snapshot(db) == before
        return
    user = USERS[role]
    assert user is not None
    assert any("Khôi phục" in w for w in warnings(at))  # asks first
    at.button(key="restore_yes").click().run()
    no_exception(at)
    assert list(lagging_revisions(db)["number"]) == [1, 2, 3]
    assert {who for who, _ in new_audit(db, before)} == {user.name}


@pytest.mark.parametrize("role", ["anonymous", "viewer", "staff"])
def test_a_pending_restore_confirmation_is_refused_too(db: str, role: str) -> None:
    """Even with a confirmation on screen (e.g. an admin's login that ended), "Có" refuses."""
    revs = lagging_revisions(db)
    older = int(revs[~revs["current"]].iloc[0]["revision_id"])
    at = run_page("du_lieu.py", USERS[role], **{state.YEAR: 2025, state.RESTORE: older})
    _to_restore(at)
    before = snapshot(db)
    at.button(key="restore_yes").click().run()
    no_exception(at)
    assert any(refused_text(role) in w for w in warnings(at)), warnings(at)
    assert snapshot(db) == before


@pytest.mark.parametrize("role", ROLES)
def test_delete_on_the_page_is_open_to_exactly_its_roles(db: str, role: str) -> None:
    """Dữ liệu: delete the current revision with a reason; the earlier one becomes current."""
    at = run_page("du_lieu.py", USERS[role], **{state.YEAR: 2025})
    _to_restore(at)
    current = lagging_revisions(db)
    current_id = int(current[current["current"]].iloc[0]["revision_id"])
    at.selectbox(key=f"delete_pick_{LAGGING}_2025").set_value(current_id)
    at.text_input(key=f"delete_reason_{LAGGING}_2025").input("nhập nhầm tệp của thôn khác")
    before = snapshot(db)
    at.button(key="delete").click().run()
    no_exception(at)
    if role not in MAY["delete_revision"]:
        assert any(refused_text(role) in w for w in warnings(at)), warnings(at)
        assert snapshot(db) == before
        return
    assert any("Xóa Phiên bản 2" in w.replace("\\", "") for w in warnings(at)), warnings(at)
    assert snapshot(db) == before  # asks first
    at.button(key="delete_yes").click().run()
    no_exception(at)
    after = lagging_revisions(db)
    assert after[after["deleted"]]["revision_id"].tolist() == [current_id]
    assert after[after["current"]]["number"].tolist() == [1]
    user = USERS[role]
    assert user is not None and (user.name, "revision.deleted") in new_audit(db, before)


def test_delete_needs_a_reason(db: str) -> None:
    at = run_page("du_lieu.py", USERS["admin"], **{state.YEAR: 2025})
    _to_restore(at)
    before = snapshot(db)
    at.button(key="delete").click().run()
    assert any("lý do" in e.value for e in at.error)
    assert not at.session_state[state.DELETE] if state.DELETE in at.session_state else True
    assert snapshot(db) == before


# --- login, logout, throttling, timeout --------------------------------------------------------


def test_a_deleted_account_loses_its_writes_at_once(db: str) -> None:
    """A session keeps its login while active, but every write looks the account up again."""
    store = Store(db)
    try:
        store.delete_user(STAFF_NAME, user="setup")
    finally:
        store.close()
    at = run_page("nhap_lieu.py", USERS["staff"], **{state.UPLOADER_ROUND: 0})
    no_exception(at)
    assert not at.get("file_uploader")
    assert any("Cần đăng nhập" in w for w in warnings(at)), warnings(at)
    assert auth_ui.USER not in at.session_state


def test_a_changed_role_applies_at_once(db: str) -> None:
    store = Store(db)
    try:
        store.save_user(STAFF_NAME, "viewer", store.user(STAFF_NAME)["password_hash"], "setup")  # type: ignore[index]
    finally:
        store.close()
    at = run_page("nhap_lieu.py", USERS["staff"], **{state.UPLOADER_ROUND: 0})
    assert any("không có quyền" in w and "Người xem" in w for w in warnings(at)), warnings(at)
    assert at.session_state[auth_ui.USER].role is Role.VIEWER


def log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.sidebar.text_input(key=auth_ui.NAME).input(name)
    at.sidebar.text_input(key=auth_ui.PASSWORD).input(password)
    return at.sidebar.button(key=auth_ui.SUBMIT).click().run()


def test_login_form_logs_in_staff_and_logout_ends_it(db: str) -> None:
    at = run_page("nhap_lieu.py", None, **{state.UPLOADER_ROUND: 0})
    labels = [w.label for w in at.sidebar.text_input]
    assert labels == ["Tên đăng nhập", "Mật khẩu"]
    assert [b.label for b in at.sidebar.button if b.key == auth_ui.SUBMIT] == ["Đăng nhập"]
    assert not at.get("file_uploader")
    log_in(at, STAFF_NAME, PASSWORD)
    no_exception(at)
    assert at.session_state[auth_ui.USER] == USERS["staff"]
    assert at.get("file_uploader")
    assert any("lan\\.canbo" in str(m.value) for m in at.sidebar.markdown)
    assert PASSWORD not in [str(v) for v in at.session_state.values()], "the password is gone"
    at.sidebar.button(key=auth_ui.LOGOUT).click().run()
    no_exception(at)
    assert auth_ui.USER not in at.session_state
    assert not at.get("file_uploader")


@pytest.mark.parametrize(
    ("name", "password"),
    [(STAFF_NAME, "sai-mat-khau-123"), ("khong.co.ai", PASSWORD), ("", PASSWORD)],
    ids=["wrong password", "unknown name", "empty name"],
)
def test_a_failed_login_does_not_say_which_part_was_wrong(
    db: str, name: str, password: str
) -> None:
    at = log_in(run_page("nhap_lieu.py"), name, password)
    no_exception(at)
    errors = [str(e.value) for e in at.sidebar.error]
    expected = "Hãy nhập" if not name else "Tên đăng nhập hoặc mật khẩu không đúng."
    assert len(errors) == 1 and errors[0].startswith(expected), errors
    assert auth_ui.USER not in at.session_state
    assert not at.session_state[auth_ui.PASSWORD], "the form is emptied on every submit"


def test_repeated_failures_throttle_the_account(db: str) -> None:
    """Counted in the database (each test has its own copy): nothing to reset in memory."""
    at = run_page("du_lieu.py")
    for _ in range(5):
        log_in(at, ADMIN_NAME, "sai-mat-khau-123")
    log_in(at, ADMIN_NAME, PASSWORD)  # right password, but too late
    errors = [str(e.value) for e in at.sidebar.error]
    assert errors and "quá nhiều lần" in errors[0] and "5 phút" in errors[0], errors
    assert auth_ui.USER not in at.session_state


@pytest.mark.parametrize(
    ("idle_s", "still_in"),
    [(0, True), (60, True), (61, False)],
    ids=["active", "idle exactly the timeout", "timed out"],
)
def test_session_times_out_after_the_configured_idle_time(
    db: str, monkeypatch: pytest.MonkeyPatch, idle_s: float, still_in: bool
) -> None:
    """The session's clock is injected (`auth_ui.clock`): the page runs at a fixed moment."""
    now = 1_800_000_000.0
    monkeypatch.setattr(auth_ui, "clock", lambda: now)
    monkeypatch.setenv("NTM_SESSION_TIMEOUT_MINUTES", "1")
    at = AppTest.from_file(str(ROOT / "screens" / "nhap_lieu.py"), default_timeout=30)
    staff = USERS["staff"]
    assert staff is not None
    for key, value in auth_ui.session_for(staff, seen=now - idle_s).items():
        at.session_state[key] = value
    at.session_state[state.UPLOADER_ROUND] = 0
    at.run()
    no_exception(at)
    if still_in:
        assert at.get("file_uploader")
        assert at.session_state[auth_ui.SEEN] == now  # activity moves it on
    else:
        assert not at.get("file_uploader")
        assert auth_ui.USER not in at.session_state
        assert any("hết hạn sau 1 phút" in str(i.value) for i in at.sidebar.info)


def test_default_session_timeout_is_the_auth_modules(db: str) -> None:
    from ntm.auth import SESSION_TIMEOUT

    assert config.settings().session_timeout == SESSION_TIMEOUT


# --- records behind the results: a login (or NTM_OPEN_RECORDS) -------------------------------


@pytest.mark.parametrize(
    ("who", "opened", "shown"),
    [
        ("anonymous", False, False),
        ("viewer", False, True),
        ("staff", False, True),
        ("anonymous", True, True),
    ],
    ids=["anonymous", "viewer", "staff", "anonymous, NTM_OPEN_RECORDS=1"],
)
def test_original_files_uploaders_audit_and_database_need_a_login(
    db: str, monkeypatch: pytest.MonkeyPatch, who: str, opened: bool, shown: bool
) -> None:
    """Results are public; the files as uploaded (refused ones may hold household data), who
    uploaded them, the audit log and the database's details are not, unless opened."""
    if opened:
        monkeypatch.setenv("NTM_OPEN_RECORDS", "1")
    user = USERS[who]
    data = run_page("du_lieu.py", user)
    no_exception(data)
    assert bool(data.get("download_button")) is shown
    uploads = data.dataframe[0].value
    assert ("Người tải" in uploads.columns) is shown
    assert ("setup" in uploads.to_string()) is shown  # the uploader of the base database
    assert ("Người tải" in data.dataframe[1].value.columns) is shown  # revisions
    notice = "chỉ hiện khi đã đăng nhập"
    assert any(notice in str(c.value) for c in data.caption) is not shown
    settings = run_page("cai_dat.py", user)
    no_exception(settings)
    captions = [str(c.value).replace("\\", "") for c in settings.caption]
    assert any(c.startswith("Cơ sở dữ liệu:") for c in captions) is shown
    assert any(notice in c for c in captions) is not shown  # in place of the audit log
    if shown:
        assert services.original(1, user)[1]
    else:
        with pytest.raises(PermissionDenied):
            services.original(1, user)
        with pytest.raises(PermissionDenied):
            services.safe_db_url(user)


# --- NTM_REQUIRE_LOGIN -------------------------------------------------------------------------


def _only_login_form(at: AppTest) -> None:
    no_exception(at)
    assert [t.value for t in at.title] == ["Đăng nhập"]
    assert [w.label for w in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    assert not at.sidebar.children
    for kind in ("metric", "dataframe", "table", "plotly_chart", "download_button", "selectbox"):
        assert not at.get(kind), kind


@pytest.mark.parametrize("page", PAGES)
def test_require_login_makes_every_page_the_login_form(
    db: str, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setenv("NTM_REQUIRE_LOGIN", "1")
    _only_login_form(run_page(page))


def test_require_login_from_the_secrets_file_then_a_viewer_reads(
    db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[ntm]\nrequire_login = true\n", encoding="utf-8")
    monkeypatch.setenv("NTM_SECRETS_FILE", str(secrets))
    at = run_page("tong_quan.py")
    _only_login_form(at)
    at = log_in_main(at, STAFF_NAME, PASSWORD)
    no_exception(at)
    assert [t.value for t in at.title] == ["Tổng quan"]
    assert at.metric
    viewer = run_page("tong_quan.py", USERS["viewer"])
    assert [t.value for t in viewer.title] == ["Tổng quan"]


def log_in_main(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key=auth_ui.NAME).input(name)
    at.text_input(key=auth_ui.PASSWORD).input(password)
    return at.button(key=auth_ui.SUBMIT).click().run()


def test_reading_is_open_by_default(db: str) -> None:
    at = run_page("tong_quan.py")
    no_exception(at)
    assert [t.value for t in at.title] == ["Tổng quan"] and at.metric


# --- settings ----------------------------------------------------------------------------------


def test_settings_come_from_environment_over_secrets() -> None:
    secrets = {
        "NTM_MAX_FILE_MB": 5,
        "ntm": {"max_file_mb": 7, "max_files_per_batch": 3, "require_login": True},
    }
    s = config.load({}, secrets)
    assert (s.max_file_mb, s.max_files_per_batch, s.require_login) == (5, 3, True)
    s = config.load({"NTM_MAX_FILE_MB": "2.5", "NTM_REQUIRE_LOGIN": "0"}, secrets)
    assert (s.max_file_mb, s.require_login) == (2.5, False)
    limits = s.limits()
    assert limits.max_file_bytes == int(2.5 * 2**20) and s.upload_mb == 3
    assert config.load({}, {}) == config.Settings()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"NTM_MAX_FILE_MB": "nhiều"}, "NTM_MAX_FILE_MB"),
        ({"NTM_MAX_FILES_PER_BATCH": "0"}, "NTM_MAX_FILES_PER_BATCH"),
        ({"NTM_REQUIRE_LOGIN": "maybe"}, "NTM_REQUIRE_LOGIN"),
        ({"NTM_OIDC_PROVIDER": "tinh"}, "auth"),
    ],
)
def test_a_bad_setting_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(config.ConfigError, match=named):
        config.load(env, {})


def test_database_url_from_the_secrets_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('NTM_DATABASE_URL = "sqlite:///x.db"\n', encoding="utf-8")
    monkeypatch.delenv("NTM_DATABASE_URL", raising=False)
    monkeypatch.setenv("NTM_SECRETS_FILE", str(secrets))
    assert services.db_url() == "sqlite:///x.db"
    assert engine.default_url() == "sqlite:///x.db"  # the CLI's default too


def test_the_service_layer_reads_require_login_from_the_secrets_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NTM_REQUIRE_LOGIN", raising=False)
    assert auth.allowed(None, Action.READ)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[ntm]\nrequire_login = true\n", encoding="utf-8")
    monkeypatch.setenv("NTM_SECRETS_FILE", str(secrets))
    assert not auth.allowed(None, Action.READ)
    assert auth.allowed(USERS["viewer"], Action.READ)


def test_openid_connect_button_when_configured(
    db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[ntm]\noidc_provider = "default"\n[auth]\nredirect_uri = '
        '"http://127.0.0.1:8501/oauth2callback"\ncookie_secret = "x"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("NTM_SECRETS_FILE", str(secrets))
    at = run_page("tong_quan.py")
    no_exception(at)
    assert [b.label for b in at.sidebar.button if b.key == auth_ui.OIDC_BUTTON] == [
        "Đăng nhập bằng tài khoản của tỉnh"
    ]


# --- upload limits on the page -----------------------------------------------------------------


def test_a_batch_over_the_limit_is_refused_before_reading(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NTM_MAX_FILES_PER_BATCH", "2")
    reads: list[str] = []
    real = services.read_upload

    def counted(name: str, data: bytes) -> Any:
        reads.append(name)
        return real(name, data)

    monkeypatch.setattr(services, "read_upload", counted)
    at = run_page("nhap_lieu.py", USERS["staff"], **{state.UPLOADER_ROUND: 0})
    files = [(f"{i}.xlsx", new_return(50 + i), XLSX) for i in range(3)]
    at.file_uploader(key=f"{state.UPLOADER}_0").set_value(files).run()
    no_exception(at)
    errors = [str(e.value) for e in at.error]
    assert len(errors) == 1 and "3 tệp" in errors[0] and "tối đa 2 tệp" in errors[0], errors
    assert reads == []
    assert not [b for b in at.button if b.key == "confirm_upload"]


def test_the_configured_file_size_limit_applies_to_uploads(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NTM_MAX_FILE_MB", "0.01")
    at = run_page("nhap_lieu.py", USERS["staff"], **{state.UPLOADER_ROUND: 0})
    assert at.get("file_uploader")[0].proto.max_upload_size_mb == 1
    at.file_uploader(key=f"{state.UPLOADER}_0").set_value(("lon.xlsx", new_return(51), XLSX)).run()
    no_exception(at)
    problems = at.dataframe[-1].value
    assert list(problems["Mã lỗi"]) == ["file_too_large"]
    assert at.button(key="confirm_upload").disabled
