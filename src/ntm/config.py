"""Settings from the environment or `.streamlit/secrets.toml` (issue 8). No streamlit here.

Every setting has an environment variable; the same setting may instead be written in the
git-ignored `.streamlit/secrets.toml`, either as a top-level `NTM_…` key or, without the prefix
and in lower case, in an `[ntm]` table. The environment wins over the file, the file over the
default. Nothing secret belongs in the repository: `.streamlit/secrets.toml` is git-ignored, and
this module only reads it. `Settings` is a pydantic-settings model (types, bounds, defaults); each
of the three places is a settings source, and `load` layers them.

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
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import annotated_types
from pydantic import BeforeValidator, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ntm import paths
from ntm.errors import NtmError

if TYPE_CHECKING:  # the reader is imported when limits are asked for, not with the settings
    from ntm.returns import Limits

SECRETS_ENV = "NTM_SECRETS_FILE"
PREFIX = "NTM_"
TRUE_WORDS = {"1", "true", "yes", "on", "có"}
FALSE_WORDS = {"0", "false", "no", "off", "không", ""}


class ConfigError(NtmError):
    """A setting has a value that cannot be used; the message names the setting."""


def _flag(value: object) -> object:
    """A yes/no word as people write it (Vietnamese too); anything else is refused."""
    if value is None or isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise PydanticCustomError("yes_no", "not a yes/no value")


def _text(value: object) -> object:
    return (value.strip() or None) if isinstance(value, str) else value


Flag = Annotated[bool, BeforeValidator(_flag)]
Text = Annotated[str | None, BeforeValidator(_text)]
Count = Annotated[int, Field(ge=1)]
Megabytes = Annotated[float, Field(ge=0.001, allow_inf_nan=False)]


class Settings(BaseSettings):
    """The settings; built as given (defaults for the rest): `load` reads the three places."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="forbid")

    database_url: Text = None
    require_login: Flag = False
    open_records: Flag = False
    session_timeout_minutes: Annotated[float, Field(ge=1, allow_inf_nan=False)] = 30.0
    max_file_mb: Megabytes = 20.0
    max_inflated_mb: Megabytes = 100.0
    max_members: Count = 1000
    max_sheets: Count = 200
    max_rows: Count = 100_000
    max_files_per_batch: Count = 20
    parse_seconds: Annotated[float, Field(ge=0.1, allow_inf_nan=False)] = 10.0
    oidc_provider: Text = None
    seed_demo: Annotated[bool | None, BeforeValidator(_flag)] = None  # None: default db only
    secrets_file: str | None = None  # the file the settings were read from, if any

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # `Settings(...)` is what it is given: the environment and the secrets file are layered
        # by `load`, which callers (and tests) may hand their own mappings.
        return (init_settings,)

    @property
    def session_timeout(self) -> float:
        """Seconds of inactivity before a login expires."""
        return self.session_timeout_minutes * 60.0

    def limits(self) -> Limits:
        """What `ntm.returns.read_return` may spend on one upload."""
        from ntm.returns import MB, Limits

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


# The settings a person sets (the last field says where they were read from).
FIELDS = tuple(name for name in Settings.model_fields if name != "secrets_file")


def env_name(field: str) -> str:
    return PREFIX + field.upper()


def _as_text(value: Any) -> str:
    """A TOML value read as the environment's text would be (a TOML `true` is "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Place(PydanticBaseSettingsSource):
    """One place settings are written: the environment, the secrets file's `NTM_…` keys, or its
    `[ntm]` table. Values are taken as text, as an environment variable's are."""

    def __init__(
        self, values: Mapping[str, Any], key: Callable[[str], str], label: Callable[[str], str]
    ) -> None:
        super().__init__(Settings)
        self.values, self.key, self.label = values, key, label

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        key = self.key(field_name)
        return (_as_text(self.values[key]) if key in self.values else None), key, False

    def __call__(self) -> dict[str, Any]:
        return {
            name: _as_text(self.values[self.key(name)])
            for name in FIELDS
            if self.key(name) in self.values
        }


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
    places = (  # first wins
        Place(env, env_name, env_name),
        Place(secrets, env_name, lambda field: f"secrets {env_name(field)}"),
        Place(table, str, lambda field: f"secrets [ntm] {field}"),
    )
    values: dict[str, Any] = {}
    for place in reversed(places):
        values.update(place())
    try:
        loaded = Settings(**values, secrets_file=str(path) if path else None)
    except ValidationError as exc:
        raise _named(exc, places) from None
    if loaded.oidc_provider:
        _check_oidc(loaded.oidc_provider, secrets)
    return loaded


def _named(exc: ValidationError, places: tuple[Place, ...]) -> ConfigError:
    """The first refused value, named by where it was written: "NTM_MAX_FILE_MB: 'x' is not a
    number", "secrets [ntm] max_rows: '0' must be at least 1"."""
    error = exc.errors()[0]
    field = str(error["loc"][0])
    place = next(p for p in places if p.key(field) in p.values)
    text = _as_text(place.values[place.key(field)])
    if error["type"] == "yes_no":
        why = "is not a yes/no value (use 1/0, true/false)"
    elif error["type"] in {"greater_than_equal", "finite_number"}:
        bounds = Settings.model_fields[field].metadata
        least = next(b.ge for b in bounds if isinstance(b, annotated_types.Ge))
        why = f"must be at least {least:g}"
    else:
        why = "is not a number"
    return ConfigError(f"{place.label(field)}: {text!r} {why}")


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
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(PREFIX)))
    path = secrets_file()
    mtime = path.stat().st_mtime if path else 0.0
    return _cached(env, str(path) if path else None, mtime)
