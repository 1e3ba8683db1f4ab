"""Settings from the environment or `.streamlit/secrets.toml` (issue 8). No streamlit here.

Every setting has an environment variable; the same setting may instead be written in the
git-ignored `.streamlit/secrets.toml`, either as a top-level `NTM_…` key or, without the prefix
and in lower case, in an `[ntm]` table. The environment wins over the file, the file over the
default. Nothing secret belongs in the repository: `.streamlit/secrets.toml` is git-ignored, and
this module only reads it.

| environment variable        | `[ntm]` key             | default | meaning                      |
|-----------------------------|-------------------------|---------|------------------------------|
| NTM_DATABASE_URL            | database_url            |         | SQLAlchemy URL               |
| NTM_REQUIRE_LOGIN           | require_login           | false   | every reader must log in     |
| NTM_OPEN_RECORDS            | open_records            | false   | readers without a login also |
|                             |                         |         | see original files, uploader |
|                             |                         |         | names, the audit log and the |
|                             |                         |         | database's details           |
| NTM_SESSION_TIMEOUT_MINUTES | session_timeout_minutes | 30      | idle time before logout      |
| NTM_MAX_FILE_MB             | max_file_mb             | 20      | size of one uploaded file    |
| NTM_MAX_INFLATED_MB         | max_inflated_mb         | 100     | a workbook's size unzipped   |
| NTM_MAX_MEMBERS             | max_members             | 1000    | members of a workbook's zip  |
| NTM_MAX_SHEETS              | max_sheets              | 200     | sheets in one workbook       |
| NTM_MAX_ROWS                | max_rows                | 100000  | rows in one sheet            |
| NTM_MAX_FILES_PER_BATCH     | max_files_per_batch     | 20      | files sent at once           |
| NTM_PARSE_SECONDS           | parse_seconds           | 10      | time to read one file        |
| NTM_OIDC_PROVIDER           | oidc_provider           |         | OpenID Connect (below)       |
| NTM_SEED_DEMO               | seed_demo               | (auto)  | load the demo into an empty  |
|                             |                         |         | database (below)             |

Without a database URL the app uses the SQLite file data/ntm.db (`ntm.storage.engine`). Only
that default database is filled with the bundled demo returns when it is empty (so a newcomer
sees a full dashboard); a database named by URL, e.g. a province's PostgreSQL server, starts
empty unless `seed_demo` is true. `seed_demo = false` keeps even the default one empty.

OpenID Connect (optional): Streamlit's `st.login` reads the provider from the `[auth]` table of
the same secrets file (redirect_uri, cookie_secret, client_id, client_secret,
server_metadata_url; or one `[auth.NAME]` table per provider). Setting `oidc_provider` to
`default` (the `[auth]` table alone) or to NAME turns the "log in with the province account"
button on; it needs the Authlib package (`pip install "streamlit[auth]"`). A user who logs in
that way has the role of the account of the same e-mail address made with `ntm user add`
(viewer if there is none).

`NTM_SECRETS_FILE` names another secrets file (tests); otherwise `.streamlit/secrets.toml` in
the working directory, then at the root of the source checkout (if the package runs from one),
is read.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ntm import paths
from ntm.errors import NtmError
from ntm.returns import MB, Limits

SECRETS_ENV = "NTM_SECRETS_FILE"
TRUE_WORDS = {"1", "true", "yes", "on", "có"}
FALSE_WORDS = {"0", "false", "no", "off", "không", ""}


class ConfigError(NtmError):
    """A setting has a value that cannot be used; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    require_login: bool = False
    open_records: bool = False
    session_timeout_minutes: float = 30.0
    max_file_mb: float = 20.0
    max_inflated_mb: float = 100.0
    max_members: int = 1000
    max_sheets: int = 200
    max_rows: int = 100_000
    max_files_per_batch: int = 20
    parse_seconds: float = 10.0
    oidc_provider: str | None = None
    seed_demo: bool | None = None  # None: only the default SQLite database
    secrets_file: str | None = None  # the file the settings were read from, if any

    @property
    def session_timeout(self) -> float:
        """Seconds of inactivity before a login expires."""
        return self.session_timeout_minutes * 60.0

    def limits(self) -> Limits:
        """What `ntm.returns.read_return` may spend on one upload."""
        base = Limits()
        return Limits(
            max_file_bytes=int(self.max_file_mb * MB),
            max_inflated_bytes=int(self.max_inflated_mb * MB),
            max_members=self.max_members,
            max_sheets=self.max_sheets,
            max_rows=self.max_rows,
            parse_seconds=self.parse_seconds,
            max_cells=base.max_cells,
            max_ratio=base.max_ratio,
        )

    @property
    def upload_mb(self) -> int:
        """The per-file limit in whole megabytes, for the uploader widget (rounded up)."""
        return max(1, math.ceil(self.max_file_mb))


def _flag(text: str, name: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}: {text!r} is not a yes/no value (use 1/0, true/false)")


def _number(kind: Callable[[str], Any], minimum: float) -> Callable[[str, str], Any]:
    def parse(text: str, name: str) -> Any:
        try:
            value = kind(text.strip())
        except ValueError:
            raise ConfigError(f"{name}: {text!r} is not a number") from None
        if not math.isfinite(value) or value < minimum:
            raise ConfigError(f"{name}: {text!r} must be at least {minimum:g}")
        return value

    return parse


def _text(text: str, name: str) -> str | None:
    return text.strip() or None


# field -> parser of the text form (environment variables are text; TOML values are stringified)
FIELDS: dict[str, Callable[[str, str], Any]] = {
    "database_url": _text,
    "require_login": _flag,
    "open_records": _flag,
    "session_timeout_minutes": _number(float, 1),
    "max_file_mb": _number(float, 0.001),
    "max_inflated_mb": _number(float, 0.001),
    "max_members": _number(int, 1),
    "max_sheets": _number(int, 1),
    "max_rows": _number(int, 1),
    "max_files_per_batch": _number(int, 1),
    "parse_seconds": _number(float, 0.1),
    "oidc_provider": _text,
    "seed_demo": _flag,
}


def env_name(field: str) -> str:
    return "NTM_" + field.upper()


def secrets_candidates() -> list[Path]:
    named = os.environ.get(SECRETS_ENV)
    if named:
        return [Path(named)]
    found = [Path.cwd() / ".streamlit" / "secrets.toml"]
    root = paths.source_root()
    if root is not None:
        found.append(root / ".streamlit" / "secrets.toml")
    return found


def secrets_file() -> Path | None:
    return next((p for p in secrets_candidates() if p.is_file()), None)


def read_secrets(path: Path | None) -> dict[str, Any]:
    """The secrets file as a dict ({} without one). A broken file is a ConfigError."""
    if path is None:
        return {}
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as TOML ({exc})") from None


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load(
    environ: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None
) -> Settings:
    """Settings from `environ` (default os.environ) over `secrets` (default: the secrets file)."""
    env = os.environ if environ is None else environ
    path = None
    if secrets is None:
        path = secrets_file()
        secrets = read_secrets(path)
    found = secrets.get("ntm")
    table: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    values: dict[str, Any] = {}
    for field, parse in FIELDS.items():
        name = env_name(field)
        if name in env:
            values[field] = parse(env[name], name)
        elif name in secrets:
            values[field] = parse(_as_text(secrets[name]), f"secrets {name}")
        elif field in table:
            values[field] = parse(_as_text(table[field]), f"secrets [ntm] {field}")
    if values.get("oidc_provider"):
        _check_oidc(str(values["oidc_provider"]), secrets)
    return Settings(**values, secrets_file=str(path) if path else None)


def _check_oidc(provider: str, secrets: Mapping[str, Any]) -> None:
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        raise ConfigError(
            "oidc_provider is set but the secrets file has no [auth] table for st.login"
        )
    if provider != "default" and not isinstance(auth.get(provider), Mapping):
        raise ConfigError(f"oidc_provider {provider!r}: no [auth.{provider}] table in the secrets")


@lru_cache(maxsize=8)
def _cached(env: tuple[tuple[str, str], ...], path: str | None, mtime: float) -> Settings:
    return load(dict(env))


def settings() -> Settings:
    """The current settings (re-read when an NTM_ variable or the secrets file changes)."""
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("NTM_")))
    path = secrets_file()
    mtime = path.stat().st_mtime if path else 0.0
    return _cached(env, str(path) if path else None, mtime)
