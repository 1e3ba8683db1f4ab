"""A process killed in the middle of an import leaves no partial upload (issue 4).

Two ways to be killed (SIGKILL, no clean-up of any kind):
- deterministically inside the transaction, after a revision's values were inserted (the
  documented `NTM_STORAGE_TEST_PAUSE` hook); and
- at a random moment of a long batch of imports.
Afterwards the database opens cleanly (SQLite: integrity check), every upload has all its
revisions and values or is absent, and the same files import again normally (no stale lock).
"""

from __future__ import annotations

import hashlib
import random
import signal
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from storage_fixtures import (
    batch_import_worker,
    count,
    json_reader,
    make_return,
    paused_import_worker,
    plain_main,
    process_context,
)

# pytest fixtures, requested by name:
from storage_fixtures import db_url as _db_url  # noqa: F401
from storage_fixtures import pg_session_url as _pg_session_url  # noqa: F401

from ntm.storage import ACCEPTED, DUPLICATE, CommuneProfile, Store

pytestmark = pytest.mark.slow
TABLES = ("uploads", "communes", "villages", "revisions", "indicator_values", "audit_log")


def _wait_for(path: Path, proc: object, watchdog: float = 600) -> None:
    """Wait while the importer is alive; the watchdog only keeps a stuck child from hanging the
    suite (like a subprocess timeout), it states nothing about speed."""
    deadline = time.monotonic() + watchdog
    while not path.exists():
        assert proc.is_alive(), "the importer died before reaching the pause"  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise TimeoutError(f"watchdog: {path} did not appear while the importer ran")
        time.sleep(0.01)


def _assert_opens_cleanly_and_is_whole(store: Store) -> None:
    """SQLite integrity; every accepted upload has all its values; no orphan rows."""
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        rows = conn.execute(
            sa.text(
                "SELECT u.id, u.status, u.value_count, "
                " (SELECT count(*) FROM revisions r WHERE r.upload_id = u.id), "
                " (SELECT count(*) FROM indicator_values v JOIN revisions r ON v.revision_id = r.id"
                "   WHERE r.upload_id = u.id) "
                "FROM uploads u"
            )
        ).all()
        for upload_id, status, expected, revisions, values in rows:
            if status == ACCEPTED:
                assert revisions > 0 and values == expected, upload_id
            else:
                assert revisions == values == 0, upload_id
        orphans = conn.execute(
            sa.text(
                "SELECT count(*) FROM revisions r WHERE r.value_count <> "
                "(SELECT count(*) FROM indicator_values v WHERE v.revision_id = r.id)"
            )
        ).scalar()
        assert orphans == 0


def test_killed_inside_the_transaction_leaves_nothing(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url, reader=json_reader)
    try:
        store.import_bytes(make_return(seed=1), "before.json", user="lan")
        before = {t: count(store, t) for t in TABLES}

        data = make_return(villages=(None, "Nà Rào", "Bản Bung"), seed=2)
        marker = tmp_path / "paused"
        ctx = process_context()
        proc = ctx.Process(target=paused_import_worker, args=(db_url, data, str(marker)))
        with plain_main():
            proc.start()
        try:
            _wait_for(marker, proc)
            proc.kill()
        finally:
            proc.join(30)
        assert proc.exitcode == -signal.SIGKILL

        fresh = Store(db_url, reader=json_reader)
        try:
            _assert_opens_cleanly_and_is_whole(fresh)
            assert {t: count(fresh, t) for t in TABLES} == before
            assert hashlib.sha256(data).hexdigest() not in set(fresh.uploads()["sha256"])
            assert [v.name for v in fresh.villages("Dương Quang")] == []
            again = fresh.import_bytes(data, "paused.json", user="lan")  # no stale lock
            assert again.status == ACCEPTED
            assert [tuple(r)[:4] for r in again.revisions] == [
                ("Dương Quang", None, 2024, 2),
                ("Dương Quang", "Bản Bung", 2024, 1),
                ("Dương Quang", "Nà Rào", 2024, 1),
            ]
        finally:
            fresh.close()
    finally:
        store.close()


def test_killed_at_a_random_moment_of_a_batch_leaves_whole_uploads(
    db_url: str, tmp_path: Path
) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    payloads = [
        (f"r{i}.json", make_return(f"Xã {i % 4}", 2021 + i % 5, (None, f"Thôn {i % 3}"), seed=i))
        for i in range(400)
    ]
    # The communes' village registers, as Cài đặt sets them up: every village is known.
    with Store(db_url) as setup:
        for k in range(4):
            setup.save_commune(CommuneProfile(f"Xã {k}", villages=["Thôn 0", "Thôn 1", "Thôn 2"]))
    started = tmp_path / "started"
    ctx = process_context()
    proc = ctx.Process(target=batch_import_worker, args=(db_url, payloads, str(started)))
    with plain_main():
        proc.start()
    try:
        _wait_for(started, proc)
        time.sleep(rng.uniform(0.05, 0.4))
        proc.kill()
    finally:
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL, f"the batch ended before the kill (seed {seed})"

    store = Store(db_url, reader=json_reader)
    try:
        _assert_opens_cleanly_and_is_whole(store)
        done = count(store, "uploads")
        assert 0 < done < len(payloads), f"seed {seed}"
        outcomes = [store.import_bytes(data, name, user="retry") for name, data in payloads]
        statuses = [o.status for o in outcomes]
        assert statuses == [DUPLICATE] * done + [ACCEPTED] * (len(payloads) - done), f"seed {seed}"
        assert count(store, "uploads") == len(payloads)
        _assert_opens_cleanly_and_is_whole(store)
    finally:
        store.close()
