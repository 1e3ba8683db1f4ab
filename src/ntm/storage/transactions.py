"""Transactions: every write is one transaction, retried from the start when it lost a race.

Concurrent writers: on SQLite the write lock is taken at BEGIN (`BEGIN IMMEDIATE`, see
`ntm.storage.engine`) and a busy database waits on the busy timeout; on PostgreSQL the commune
row is locked (`FOR UPDATE`) while its revisions are numbered, and a unique constraint guards
the numbering anyway. A transaction that still loses (`retryable`: a unique violation, a
serialisation failure, a deadlock, a lock not available, "database is locked"/"busy", a
dropped connection) is run again from the start by one policy, `RETRY` (stamina: exponential
backoff with jitter, 30 attempts, no overall time limit; the last error is raised).

Tests inject time the stamina way: `stamina.set_testing(True, attempts=…)` removes the
backoff and sets the number of attempts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
import stamina
from sqlalchemy.engine import Connection, Engine

from ntm.storage.engine import WRITE_OPTION

T = TypeVar("T")

# PostgreSQL: unique_violation, serialization_failure, deadlock_detected, lock_not_available.
RETRYABLE_SQLSTATES = frozenset({"23505", "40001", "40P01", "55P03"})
MAX_ATTEMPTS = 30


def retryable(exc: Exception) -> bool:
    """A transaction that lost a race: unique violation, deadlock, serialisation, busy."""
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    message = str(exc.orig).lower()
    if isinstance(exc, sa.exc.IntegrityError):
        return "unique constraint failed" in message  # SQLite
    if isinstance(exc, sa.exc.OperationalError):
        return "locked" in message or "busy" in message  # SQLite
    return False


# Waits 5 ms, 10 ms, 20 ms … (each plus up to 10 ms of jitter), at most 0.5 s between attempts;
# no overall time limit (SQLite's busy timeout already bounds each attempt).
POLICY: dict[str, Any] = {
    "attempts": MAX_ATTEMPTS,
    "timeout": None,
    "wait_initial": 0.005,
    "wait_max": 0.5,
    "wait_jitter": 0.01,
}
RETRY = stamina.RetryingCaller(**POLICY).on(retryable)


class Transactions:
    """The transactions of `Store` (which sets `engine`); the base of its parts."""

    engine: Engine

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one write transaction, retried from the start if it lost a race."""
        return RETRY(self._transaction, work)

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                return work(conn)

    def _read(self, work: Callable[[Connection], T]) -> T:
        with self.engine.connect() as conn:
            return work(conn)
