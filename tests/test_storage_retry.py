"""One retry policy for write transactions (ntm.storage.transactions, issue 15).

A write transaction that lost a race (a unique violation, a serialisation failure or deadlock
on PostgreSQL, "database is locked" on SQLite, a dropped connection) runs again from the start;
any other error is raised at once. Time is injected the stamina way: `stamina.set_testing`
removes the backoff and sets the number of attempts, so nothing here waits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
import stamina
from storage_fixtures import count

# pytest fixtures, requested by name:
from storage_fixtures import db_url as _db_url  # noqa: F401
from storage_fixtures import pg_session_url as _pg_session_url  # noqa: F401
from storage_fixtures import store as _store  # noqa: F401

from ntm.storage import Store
from ntm.storage import schema as S
from ntm.storage.common import now
from ntm.storage.transactions import MAX_ATTEMPTS, POLICY, retryable


class _PgError(Exception):
    """A driver error carrying a PostgreSQL SQLSTATE, as psycopg's do."""

    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _pg(kind: type[sa.exc.DBAPIError], sqlstate: str) -> sa.exc.DBAPIError:
    return kind("UPDATE …", {}, _PgError(f"error {sqlstate}", sqlstate))


def _lite(kind: type[sa.exc.DBAPIError], message: str) -> sa.exc.DBAPIError:
    return kind("INSERT …", {}, sqlite3.OperationalError(message))


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        # lost a race: run again
        pytest.param(_pg(sa.exc.IntegrityError, "23505"), True, id="pg unique violation"),
        pytest.param(_pg(sa.exc.OperationalError, "40001"), True, id="pg serialization failure"),
        pytest.param(_pg(sa.exc.OperationalError, "40P01"), True, id="pg deadlock"),
        pytest.param(_pg(sa.exc.OperationalError, "55P03"), True, id="pg lock not available"),
        pytest.param(
            _lite(sa.exc.OperationalError, "database is locked"), True, id="sqlite locked"
        ),
        pytest.param(_lite(sa.exc.OperationalError, "database is busy"), True, id="sqlite busy"),
        pytest.param(
            _lite(sa.exc.IntegrityError, "UNIQUE constraint failed: revisions.number"),
            True,
            id="sqlite unique",
        ),
        pytest.param(
            sa.exc.OperationalError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
            True,
            id="connection dropped",
        ),
        # anything else: raised at once
        pytest.param(_pg(sa.exc.IntegrityError, "23502"), False, id="pg not null"),
        pytest.param(_pg(sa.exc.ProgrammingError, "42P01"), False, id="pg no such table"),
        pytest.param(
            _lite(sa.exc.IntegrityError, "NOT NULL constraint failed: uploads.sha256"),
            False,
            id="sqlite not null",
        ),
        pytest.param(
            _lite(sa.exc.OperationalError, "no such table: uploads"), False, id="sqlite no table"
        ),
        pytest.param(RuntimeError("disk full"), False, id="not a database error"),
        pytest.param(KeyError("no revision 7"), False, id="a caller's KeyError"),
    ],
)
def test_which_errors_are_retried(error: Exception, retried: bool) -> None:
    assert retryable(error) is retried


@pytest.fixture(name="fast_retries")
def fast_retries() -> Iterator[None]:
    """Three attempts, no backoff."""
    with stamina.set_testing(True, attempts=3):
        yield


def _insert_then(store: Store, failures: list[Exception]) -> tuple[list[int], str]:
    """A write that inserts a login failure, then raises the next of `failures` (if any)."""
    calls: list[int] = []

    def work(conn: sa.Connection) -> str:
        calls.append(1)
        conn.execute(sa.insert(S.login_failures).values(user_name="lan", at=now()))
        if failures:
            raise failures.pop(0)
        return "done"

    return calls, store._write(work)


def test_a_write_that_lost_a_race_runs_again_from_the_start(
    store: Store, fast_retries: None
) -> None:
    """Each failed attempt is rolled back: only the last attempt's row is left."""
    locked = _lite(sa.exc.OperationalError, "database is locked")
    calls, result = _insert_then(store, [locked, _pg(sa.exc.OperationalError, "40P01")])
    assert (len(calls), result) == (3, "done")
    assert count(store, "login_failures") == 1


def test_any_other_error_is_raised_at_once_and_leaves_nothing(
    store: Store, fast_retries: None
) -> None:
    calls: list[int] = []

    def work(conn: sa.Connection) -> None:
        calls.append(1)
        conn.execute(sa.insert(S.login_failures).values(user_name="lan", at=now()))
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        store._write(work)
    assert len(calls) == 1
    assert count(store, "login_failures") == 0


def test_the_policy_gives_up_after_its_attempts_with_the_last_error(
    store: Store, fast_retries: None
) -> None:
    errors: list[Exception] = [
        _lite(sa.exc.OperationalError, f"database is locked ({i})") for i in range(5)
    ]
    with pytest.raises(sa.exc.OperationalError, match=r"locked \(2\)"):
        _insert_then(store, errors)
    assert len(errors) == 2  # three attempts: the third error was raised
    assert count(store, "login_failures") == 0


def test_the_policy_is_thirty_attempts_without_an_overall_time_limit() -> None:
    """As the hand-written loop it replaces: 30 attempts, backoff from 5 ms up to 0.5 s."""
    assert MAX_ATTEMPTS == POLICY["attempts"] == 30
    assert POLICY["timeout"] is None
    assert (POLICY["wait_initial"], POLICY["wait_max"]) == (0.005, 0.5)
