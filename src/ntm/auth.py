"""Accounts, roles and who may do what (issue 8). No streamlit here: pages ask this module.

Roles, each including the ones before it:
- viewer: read the dashboard (reading is open by default: NTM results are public information;
  `NTM_REQUIRE_LOGIN=1` makes every reader log in);
- staff: upload returns and confirm them;
- admin: edit criteria, restore or delete revisions, edit the commune profile, manage users.

Passwords are hashed with Argon2id (argon2-cffi); there is no default password anywhere: the first
admin is created with `ntm user add NAME --role admin`. Failed logins are throttled per account:
after `MAX_FAILURES` failures in `WINDOW` seconds the account is refused until the window passes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
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
    Role.VIEWER: frozenset({Action.READ}),
    Role.STAFF: frozenset({Action.READ, Action.UPLOAD, Action.CONFIRM_UPLOAD}),
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


def login_required_to_read() -> bool:
    """`require_login` from the environment or the secrets file (ntm.config); off by default:
    NTM results are public information, and the bundled demo opens onto the dashboard."""
    return config.settings().require_login


def allowed(user: User | None, action: Action) -> bool:
    """Whether `user` (None: not logged in) may take `action`."""
    if user is None:
        return action is Action.READ and not login_required_to_read()
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


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class Throttle:
    """Failed attempts per account within a sliding window (process-wide, thread-safe)."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str) -> list[float]:
        now = self.clock()
        recent = [t for t in self._failures.get(name, []) if now - t < self.window]
        self._failures[name] = recent
        return recent

    def blocked(self, name: str) -> bool:
        with self._lock:
            return len(self._recent(name)) >= self.max_failures

    def fail(self, name: str) -> None:
        with self._lock:
            self._recent(name).append(self.clock())

    def clear(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


THROTTLE = Throttle()


class UserStore(Protocol):
    """What authentication needs from storage (ntm.storage.Store provides it)."""

    def user(self, name: str) -> dict[str, Any] | None: ...

    def save_user(
        self, name: str, role: str, password_hash: str | None, user: str = ...
    ) -> None: ...


def authenticate(store: UserStore, name: str, password: str, throttle: Throttle = THROTTLE) -> User:
    """The user for these credentials, or LoginRefused (same answer for unknown name and bad
    password, so that names cannot be probed)."""
    name = name.strip()
    if throttle.blocked(name):
        raise LoginRefused("throttled")
    record = store.user(name)
    stored_hash = record.get("password_hash") if record else None
    if record is None or not verify_password(stored_hash, password):
        throttle.fail(name)
        raise LoginRefused("bad_credentials")
    throttle.clear(name)
    return User(name=str(record["name"]), role=Role(str(record["role"])))


def add_user(store: UserStore, name: str, role: Role, password: str, by: str = "cli") -> User:
    """Create or update an account with a freshly hashed password."""
    from ntm.demo import check_name

    name = check_name(name.strip())
    if not name:
        raise ValueError("a user needs a name")
    store.save_user(name, role.value, hash_password(password), user=by)
    return User(name=name, role=role)
