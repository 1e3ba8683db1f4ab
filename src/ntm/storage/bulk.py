"""Inserting many rows in one round trip, inside the caller's transaction (issue 17).

An import writes a few hundred value rows and a few dozen audit rows per file. On PostgreSQL,
`conn.execute(insert, rows)` is psycopg's `executemany`: one statement per row, pipelined,
≈ 15 ms for a 25-village return, most of a file's time on the database. So:

- `insert_values`: PostgreSQL (psycopg) streams the rows with `COPY … FROM STDIN` in the
  open transaction (≈ 2 ms); any other database keeps `executemany` (SQLite runs it in-process,
  without round trips). A database error during the copy is raised as SQLAlchemy's
  `DBAPIError`, like any other statement's, so the retry policy (`ntm.storage.transactions`)
  judges it the same way.
- `insert_audit`: the same for audit rows (a multi-row `INSERT … VALUES` was no faster: SQLAlchemy
  compiles it anew for every file).

Either way the rows are written by the transaction that writes the revisions: a failure rolls
back the whole file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.storage import schema as S

VALUE_FIELDS = ("revision_id", "code", "value", "numerator", "denominator", "note",
                "self_assessed", "sheet", "cell", "carried_from_id")  # fmt: skip


def _copies(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def _copy(
    conn: Connection, table: str, fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """`COPY table (fields) FROM STDIN` of `rows` in the connection's open transaction."""
    sql = f"COPY {table} ({', '.join(fields)}) FROM STDIN"
    dbapi_conn = conn.connection.dbapi_connection
    assert dbapi_conn is not None
    cursor = dbapi_conn.cursor()
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(
            sql,
            None,
            exc,
            conn.dialect.loaded_dbapi.Error,
            connection_invalidated=conn.dialect.is_disconnect(exc, dbapi_conn, cursor),
            dialect=conn.dialect,
        ) from exc
    finally:
        cursor.close()


def insert_values(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert indicator_values rows (dicts of VALUE_FIELDS; a missing key is NULL)."""
    if not rows:
        return
    if _copies(conn):
        _copy(conn, "indicator_values", VALUE_FIELDS,
              (tuple(row.get(name) for name in VALUE_FIELDS) for row in rows))  # fmt: skip
    else:
        conn.execute(sa.insert(S.indicator_values), [_complete(r) for r in rows])


def _complete(row: dict[str, Any]) -> dict[str, Any]:
    """Every field named (executemany binds the same columns for every row)."""
    return {name: row.get(name) for name in VALUE_FIELDS}


AUDIT_FIELDS = ("at", "user_name", "action", "entity", "entity_id", "details")


def insert_audit(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert audit rows (`ntm.storage.audit.audit_row`). The details are JSON text as
    SQLAlchemy writes it for one row (`json.dumps`; the column keeps the text as given)."""
    if not rows:
        return
    if _copies(conn):
        _copy(conn, "audit_log", AUDIT_FIELDS,
              (tuple(json.dumps(r[n]) if n == "details" else r[n] for n in AUDIT_FIELDS)
               for r in rows))  # fmt: skip
    else:
        conn.execute(sa.insert(S.audit_log), list(rows))
