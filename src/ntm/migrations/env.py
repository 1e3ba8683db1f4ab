"""Alembic environment for the NTM database, run from code (`ntm.storage.engine.migrate`).

`migrate()` passes an open connection, already inside a transaction that holds the migration
lock, in `config.attributes["connection"]`; the whole upgrade then commits or rolls back as one.
Without one (a developer's `alembic` command), the URL comes from `sqlalchemy.url`, else the
application's default database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from ntm.storage.engine import default_url, make_engine
from ntm.storage.schema import metadata

config = context.config


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or default_url(),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.connect() as conn:
            _configure(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
