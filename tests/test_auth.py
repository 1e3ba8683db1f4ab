"""Who may do what: one table of roles × actions, password hashing, login throttling."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

# pytest fixtures, requested by name:
from storage_fixtures import db_url as _db_url  # noqa: F401
from storage_fixtures import pg_session_url as _pg_session_url  # noqa: F401

import ntm.auth as auth_mod
from ntm.auth import (
    Action,
    LoginRefused,
    PermissionDenied,
    Role,
    Throttle,
    User,
    add_user,
    allowed,
    authenticate,
    hash_password,
    require,
    verify_password,
)
from ntm.storage import Store

V, S, A = User("xem", Role.VIEWER), User("canbo", Role.STAFF), User("quantri", Role.ADMIN)

# (action, anonymous, viewer, staff, admin)
POLICY = [
    (Action.READ, True, True, True, True),
    (Action.VIEW_RECORDS, False, True, True, True),
    (Action.UPLOAD, False, False, True, True),
    (Action.CONFIRM_UPLOAD, False, False, True, True),
    (Action.EDIT_CRITERIA, False, False, False, True),
    (Action.IMPORT_CRITERIA, False, False, False, True),
    (Action.RESTORE_REVISION, False, False, False, True),
    (Action.DELETE_REVISION, False, False, False, True),
    (Action.EDIT_COMMUNE, False, False, False, True),
    (Action.MANAGE_USERS, False, False, False, True),
]


def test_policy_table_covers_every_action() -> None:
    assert {row[0] for row in POLICY} == set(Action)


@pytest.mark.parametrize(("action", "anonymous", "viewer", "staff", "admin"), POLICY)
def test_each_role_can_do_exactly_its_actions(
    action: Action, anonymous: bool, viewer: bool, staff: bool, admin: bool
) -> None:
    assert [allowed(u, action) for u in (None, V, S, A)] == [anonymous, viewer, staff, admin]


def test_refusal_names_the_action(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PermissionDenied) as refused:
        require(V, Action.UPLOAD)
    assert refused.value.action is Action.UPLOAD
    assert require(S, Action.UPLOAD) is S


def test_reading_can_be_closed_to_anonymous_visitors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NTM_REQUIRE_LOGIN", "1")
    assert not allowed(None, Action.READ)
    assert allowed(V, Action.READ)


@pytest.mark.parametrize(
    ("open_records", "require_login", "anonymous_sees_records"),
    [("0", "0", False), ("1", "0", True), ("1", "1", False)],
    ids=["default", "opened", "opened, but every reader must log in"],
)
def test_a_setting_opens_the_records_to_anonymous_readers(
    monkeypatch: pytest.MonkeyPatch,
    open_records: str,
    require_login: str,
    anonymous_sees_records: bool,
) -> None:
    monkeypatch.setenv("NTM_OPEN_RECORDS", open_records)
    monkeypatch.setenv("NTM_REQUIRE_LOGIN", require_login)
    assert allowed(None, Action.VIEW_RECORDS) is anonymous_sees_records
    assert allowed(V, Action.VIEW_RECORDS)


def test_password_is_hashed_with_argon2_and_verifies() -> None:
    stored = hash_password("mật-khẩu-dài-1")
    assert stored.startswith("$argon2id$")
    assert "mật-khẩu-dài-1" not in stored
    assert verify_password(stored, "mật-khẩu-dài-1")
    assert not verify_password(stored, "mật-khẩu-dài-2")
    assert not verify_password(None, "anything")


def test_short_password_is_refused() -> None:
    with pytest.raises(ValueError):
        hash_password("ngan")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'auth.db'}").migrate()


def test_login_with_the_right_password_gives_the_user(store: Store) -> None:
    add_user(store, "canbo", Role.STAFF, "mat-khau-rat-dai")
    user = authenticate(store, "canbo", "mat-khau-rat-dai", Throttle())
    assert user == User("canbo", Role.STAFF)


def test_unknown_name_and_wrong_password_are_refused_alike(store: Store) -> None:
    add_user(store, "canbo", Role.STAFF, "mat-khau-rat-dai")
    throttle = Throttle()
    reasons = []
    for name, password in (("khong-co", "mat-khau-rat-dai"), ("canbo", "sai-mat-khau-1")):
        with pytest.raises(LoginRefused) as refused:
            authenticate(store, name, password, throttle)
        reasons.append(refused.value.reason)
    assert reasons == ["bad_credentials", "bad_credentials"]


def test_repeated_failures_block_the_account_until_the_window_passes(store: Store) -> None:
    add_user(store, "canbo", Role.STAFF, "mat-khau-rat-dai")
    now = [1000.0]
    throttle = Throttle(max_failures=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        with pytest.raises(LoginRefused):
            authenticate(store, "canbo", "sai", throttle)
    with pytest.raises(LoginRefused) as refused:
        authenticate(store, "canbo", "mat-khau-rat-dai", throttle)  # right password, too soon
    assert refused.value.reason == "throttled"
    now[0] += 61
    assert authenticate(store, "canbo", "mat-khau-rat-dai", throttle).role is Role.STAFF


class CountingHasher:
    """The module's Argon2 hasher, counting the checks it makes."""

    def __init__(self, real: Any) -> None:
        self.real, self.verified = real, 0

    def hash(self, password: str) -> str:
        return str(self.real.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return bool(self.real.verify(password_hash, password))


@pytest.mark.parametrize(
    ("name", "password", "ok"),
    [
        ("canbo", "mat-khau-rat-dai", True),
        ("canbo", "sai-mat-khau-1", False),
        ("khong-co-ai", "mat-khau-rat-dai", False),
        ("chi-dang-nhap-oidc", "mat-khau-rat-dai", False),
    ],
    ids=["right password", "wrong password", "unknown name", "account without a password"],
)
def test_every_login_runs_one_argon2_check(
    store: Store, monkeypatch: pytest.MonkeyPatch, name: str, password: str, ok: bool
) -> None:
    """An unknown name is checked against a dummy hash: it costs what a wrong password costs,
    so the time taken does not tell which names have accounts."""
    add_user(store, "canbo", Role.STAFF, "mat-khau-rat-dai")
    store.save_user("chi-dang-nhap-oidc", Role.VIEWER.value, None)
    counting = CountingHasher(auth_mod._hasher)
    monkeypatch.setattr(auth_mod, "_hasher", counting)
    auth_mod._dummy_hash()  # made once per process, not per login
    if ok:
        assert authenticate(store, name, password, Throttle()).name == name
    else:
        with pytest.raises(LoginRefused, match="bad_credentials"):
            authenticate(store, name, password, Throttle())
    assert counting.verified == 1


def test_failures_are_counted_in_the_database_every_app_instance_shares(db_url: str) -> None:
    """Two app instances (two Store objects, two engines) on one database: their failures add
    up, on SQLite and on PostgreSQL."""
    first, second = Store(db_url), Store(db_url)
    add_user(first, "canbo", Role.STAFF, "mat-khau-rat-dai")
    now = [1000.0]
    throttle = Throttle(max_failures=3, window=60, clock=lambda: now[0])
    for instance in (first, second, first):
        with pytest.raises(LoginRefused, match="bad_credentials"):
            authenticate(instance, "canbo", "sai", throttle)
    with pytest.raises(LoginRefused, match="throttled"):
        authenticate(second, "canbo", "mat-khau-rat-dai", throttle)
    now[0] += 61
    assert authenticate(second, "canbo", "mat-khau-rat-dai", throttle).role is Role.STAFF
    assert first.login_failures("canbo", dt.datetime(2000, 1, 1, tzinfo=dt.UTC)) == 0


def test_the_failure_table_holds_one_window_whatever_is_tried(store: Store) -> None:
    """Names tried by the thousand do not pile up: each failure forgets those older than the
    window, and a successful login forgets the name's own."""
    now = [1000.0]
    throttle = Throttle(max_failures=5, window=300, clock=lambda: now[0])
    for i in range(40):
        with pytest.raises(LoginRefused):
            authenticate(store, f"ten-doan-{i}", "sai", throttle)
    assert _failure_rows(store) == 40
    now[0] += 301
    with pytest.raises(LoginRefused):
        authenticate(store, "ten-doan-moi", "sai", throttle)
    assert _failure_rows(store) == 1
    add_user(store, "canbo", Role.STAFF, "mat-khau-rat-dai")
    with pytest.raises(LoginRefused):
        authenticate(store, "canbo", "sai", throttle)
    assert authenticate(store, "canbo", "mat-khau-rat-dai", throttle).name == "canbo"
    assert _failure_rows(store) == 1  # canbo's failure forgotten, the other one kept


def _failure_rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM login_failures")).scalar() or 0)


def test_user_add_cli_creates_the_first_admin_with_an_audit_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ntm.cli",
            "user",
            "add",
            "quantri",
            "--role",
            "admin",
            "--password-stdin",
            "--db",
            url,
        ],
        input="mat-khau-quan-tri\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    store = Store(url)
    assert authenticate(store, "quantri", "mat-khau-quan-tri", Throttle()).role is Role.ADMIN
    audit = store.audit(10)
    assert "user.created" in list(audit["action"])


def test_user_add_without_a_terminal_or_stdin_says_how_instead_of_a_traceback(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "ntm.cli", "user", "add", "quantri", "--role", "admin", "--db", url],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "--password-stdin" in done.stderr
    assert not (tmp_path / "cli.db").exists() or Store(url).users().empty


@pytest.mark.parametrize(
    ("command", "code", "role_after"),
    [
        (["role", "canbo", "--role", "admin"], 0, "admin"),
        (["role", "khong.co", "--role", "admin"], 1, "staff"),
        (["delete", "canbo"], 0, None),
        (["delete", "khong.co"], 1, "staff"),
    ],
    ids=["role", "role-unknown", "delete", "delete-unknown"],
)
def test_user_role_and_delete_cli(
    command: list[str], code: int, role_after: str | None, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = Store(url).migrate()
    add_user(store, "canbo", Role.STAFF, "mat-khau-rat-dai", by="test")
    done = subprocess.run(
        [sys.executable, "-m", "ntm.cli", "user", *command, "--db", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == code, done.stderr
    account = Store(url).user("canbo")
    assert (account["role"] if account else None) == role_after
    if role_after == "admin":  # the password is kept
        assert authenticate(Store(url), "canbo", "mat-khau-rat-dai", Throttle()).role is Role.ADMIN
