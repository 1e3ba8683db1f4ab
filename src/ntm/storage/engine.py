"""Connecting to the database and bringing its schema up to date.

- URL: `NTM_DATABASE_URL`, else the SQLite file `data/ntm.db` of the source checkout, or `ntm.db`
  in the user's data folder for an installed package (`ntm.paths`; the folder is created).
  Any SQLAlchemy URL works; PostgreSQL (`postgresql+psycopg://…`) is tested. The URL helpers
  (`database_url`, `sqlite_url`, `sqlite_file`, `shown_url`) are the one place that builds,
  reads and shows URLs for storage and the command line.
- SQLite: WAL journal (readers never wait for the writer), foreign keys on, a 60 s busy timeout,
  `synchronous=FULL` (a commune's evidence survives a power cut), and transactions begun by
  us: `BEGIN IMMEDIATE` for writes (the write lock is taken up front, so two writers queue on
  the busy timeout instead of failing on a lock upgrade), plain `BEGIN` for reads.
- Migrations: Alembic scripts packaged in `ntm/migrations`, run from code (no alembic.ini).
  `migrate()` takes a lock first (PostgreSQL advisory lock; SQLite write lock), so several
  processes starting at once upgrade the schema exactly once.

A new migration, for developers: `alembic_config(url)` gives a Config for alembic's `command`
API, e.g. `command.revision(alembic_config(url), message="...", autogenerate=True)`.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import StaticPool

from ntm import config, paths

ENV_URL = "NTM_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
SQLITE_BUSY_TIMEOUT_S = 60
# Execution option that makes a SQLite transaction begin with BEGIN IMMEDIATE.
WRITE_OPTION = "ntm_write"
# Any constant: the PostgreSQL advisory lock key that serialises migrations.
_MIGRATION_LOCK_KEY = 0x4E544D  # "NTM"


def default_url() -> str:
    """`NTM_DATABASE_URL` (environment, or the secrets file: ntm.config), else the SQLite file
    `ntm.paths.default_database_path()` (data/ntm.db in a checkout; the folder is created)."""
    url = os.environ.get(ENV_URL) or config.settings().database_url
    if url:
        return url
    path = paths.default_database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return sqlite_url(path)


# --- database URLs: the one place that builds, reads and shows them ------------------------


def database_url(url: str | None = None) -> str:
    """The database a `--db URL` option (or `Store(url)`) names: `url`, else `default_url()`."""
    return url or default_url()


def sqlite_url(path: Path | str) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{path}"


def sqlite_file(url: str | URL) -> Path | None:
    """The file of an SQLite URL; None for another database or an in-memory one."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        return None
    if sa_url.database in (None, "", ":memory:") or sa_url.query.get("mode") == "memory":
        return None
    return Path(sa_url.database).expanduser()


def shown_url(url: str) -> str:
    """A database URL as it may be printed or shown: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not even a URL: say nothing of it but that
        return "(URL không hợp lệ)"


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for `url` (default: `default_url()`), with the SQLite settings above."""
    sa_url = make_url(database_url(url))
    if sa_url.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return sa.create_engine(sa_url, **kwargs)

    file = sqlite_file(sa_url)
    memory = file is None
    if file is None:
        kwargs.setdefault("poolclass", StaticPool)
    else:
        file.resolve().parent.mkdir(parents=True, exist_ok=True)
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
    connect_args.setdefault("check_same_thread", False)
    engine = sa.create_engine(sa_url, connect_args=connect_args, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (see _on_begin): the sqlite3 module's own transaction
        # handling would not make DDL transactional, nor let us choose IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
            if not memory:
                _set_wal(cur)
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA synchronous = FULL")
        finally:
            cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _set_wal(cur: Any) -> None:
    """Switch to WAL. Switching needs an exclusive lock, and SQLite reports a busy database at
    once for it (no busy timeout) while another process opens the same new file: retry."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic Config for the packaged migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest migration; safe to call from many processes at once."""
    head = head_revision()
    if current_revision(engine) == head:
        return
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY}
                )
            # Another process may have finished while we waited for the lock.
            if MigrationContext.configure(conn).get_current_revision() != head:
                command.upgrade(alembic_config(connection=conn), "head")
