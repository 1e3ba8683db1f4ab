"""Accounts, roles and who may do what (issue 8). No streamlit here: pages ask this module.

Roles, each including the ones before it:
- viewer: read the dashboard (reading is open by default: NTM results are public information;
  `NTM_REQUIRE_LOGIN=1` makes every reader log in) and the records behind it: the original
  files uploaded, who uploaded them, the audit log, the database's details. Without a login
  only the results are shown, unless `NTM_OPEN_RECORDS=1` opens the records too (an original
  file, refused ones included, may hold household data);
- staff: upload returns and confirm them;
- admin: edit criteria, restore or delete revisions, edit the commune profile, manage users.

Passwords are hashed with Argon2id (argon2-cffi); there is no default password anywhere: the first
admin is created with `ntm user add NAME --role admin`. A login with a name that has no account
(or an account without a password) still runs one Argon2 check, against a dummy hash, so the
time taken does not tell which names exist. Failed logins are throttled per name: after
`MAX_FAILURES` failures in `WINDOW` seconds the name is refused until the window passes. The
failures are kept in the database (`Store.login_failures`), so every app instance on a shared
database counts the same ones, and the table holds one window's worth.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ntm import config
from ntm.errors import NtmError


class Role(StrEnum):
    VIEWER = "viewer"
    STAFF = "staff"
    ADMIN = "admin"


class Action(StrEnum):
    READ = "read"
    VIEW_RECORDS = "view_records"  # original files, uploader names, audit log, database details
    UPLOAD = "upload"
    CONFIRM_UPLOAD = "confirm_upload"
    EDIT_CRITERIA = "edit_criteria"
    IMPORT_CRITERIA = "import_criteria"
    RESTORE_REVISION = "restore_revision"
    DELETE_REVISION = "delete_revision"
    EDIT_COMMUNE = "edit_commune"
    MANAGE_USERS = "manage_users"


# The whole policy in one table: each role and exactly the actions it may take.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ, Action.VIEW_RECORDS}),
    Role.STAFF: frozenset({Action.READ, Action.VIEW_RECORDS, Action.UPLOAD, Action.CONFIRM_UPLOAD}),
    Role.ADMIN: frozenset(Action),
}

MAX_FAILURES = 5
WINDOW = 300.0  # seconds
SESSION_TIMEOUT = 30 * 60.0  # seconds of inactivity before a login expires
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


class PermissionDenied(NtmError):
    """The current user (or nobody) may not take this action."""

    def __init__(self, action: Action, user: User | None):
        self.action = action
        self.user = user
        who = user.name if user else "anonymous"
        super().__init__(f"{who} may not {action.value}")


class LoginRefused(NtmError):
    def __init__(self, reason: str):
        self.reason = reason  # "bad_credentials" | "throttled"
        super().__init__(reason)


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    def can(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]


def allowed(user: User | None, action: Action) -> bool:
    """Whether `user` (None: not logged in) may take `action`. Without a login: the results
    (unless NTM_REQUIRE_LOGIN), and the records only when NTM_OPEN_RECORDS opens them."""
    if user is None:
        settings = config.settings()
        if settings.require_login:
            return False
        return action is Action.READ or (action is Action.VIEW_RECORDS and settings.open_records)
    return user.can(action)


def require(user: User | None, action: Action) -> User | None:
    """Raise PermissionDenied unless allowed; every write in the app goes through this."""
    if not allowed(user, action):
        raise PermissionDenied(action, user)
    return user


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made once, with the same parameters as real ones."""
    return _hasher.hash(secrets.token_urlsafe(32))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; without a hash (no such account, or one that logs in only
    through OpenID Connect) it is checked against a dummy hash, to take the same time."""
    try:
        matched = _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return bool(matched and password_hash)


class FailureStore(Protocol):
    """Where the failed logins are kept (ntm.storage.Store: the database)."""

    def login_failures(self, name: str, since: dt.datetime) -> int: ...

    def add_login_failure(self, name: str, at: dt.datetime, forget_before: dt.datetime) -> None: ...

    def clear_login_failures(self, name: str) -> None: ...


class Throttle:
    """The rule: at most `max_failures` failed logins per name within `window` seconds. The
    failures are kept by the store (the database), not here: app instances share them.
    `clock` gives the time in seconds since the epoch (tests inject it)."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW,
        clock: Callable[[], float] = time.time,
    ):
        self.max_failures = max_failures
        self.window = window
        self.clock = clock

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def blocked(self, store: FailureStore, name: str) -> bool:
        since = self._now() - dt.timedelta(seconds=self.window)
        return store.login_failures(name, since) >= self.max_failures

    def fail(self, store: FailureStore, name: str) -> None:
        now = self._now()
        store.add_login_failure(name, now, forget_before=now - dt.timedelta(seconds=self.window))

    def clear(self, store: FailureStore, name: str) -> None:
        store.clear_login_failures(name)


THROTTLE = Throttle()


class UserStore(FailureStore, Protocol):
    """What authentication needs from storage (ntm.storage.Store provides it)."""

    def user(self, name: str) -> dict[str, Any] | None: ...

    def save_user(
        self, name: str, role: str, password_hash: str | None, user: str = ...
    ) -> None: ...


def authenticate(store: UserStore, name: str, password: str, throttle: Throttle = THROTTLE) -> User:
    """The user for these credentials, or LoginRefused (the same answer, after the same Argon2
    work, for an unknown name and a wrong password, so that names cannot be probed)."""
    name = name.strip()
    if throttle.blocked(store, name):
        raise LoginRefused("throttled")
    record = store.user(name)
    stored_hash = record.get("password_hash") if record else None
    if not verify_password(stored_hash, password) or record is None:
        throttle.fail(store, name)
        raise LoginRefused("bad_credentials")
    throttle.clear(store, name)
    return User(name=str(record["name"]), role=Role(str(record["role"])))


def add_user(store: UserStore, name: str, role: Role, password: str, by: str = "cli") -> User:
    """Create or update an account with a freshly hashed password."""
    from ntm.demo import check_name

    name = check_name(name.strip())
    if not name:
        raise ValueError("a user needs a name")
    store.save_user(name, role.value, hash_password(password), user=by)
    return User(name=name, role=role)
