"""Concurrent importers lose nothing and duplicate nothing (issue 4).

8 worker processes (fresh interpreters, see `process_context`) start at the same moment on a
fresh, never migrated database: each migrates it, imports 50 distinct returns spread over 18
units (so every unit's revision number is contended), then the same shared file. Afterwards
every upload and revision is there exactly once, each unit's revision numbers run 1..n without
a gap, every revision holds its values, and the shared file was stored once and recognised as
a duplicate by the others.
"""

from __future__ import annotations

import hashlib
import queue
from collections import Counter, defaultdict

import pytest
import sqlalchemy as sa
from storage_fixtures import (
    SHARED_RETURN,
    concurrent_return,
    concurrent_worker,
    plain_main,
    process_context,
    unit_for,
)

# pytest fixtures, requested by name:
from storage_fixtures import fresh_db_url as _fresh_db_url  # noqa: F401

from ntm.storage import ACCEPTED, DUPLICATE, Store

WORKERS = 8
PER_WORKER = 50
VALUES_PER_RETURN = 5

pytestmark = pytest.mark.slow


def test_eight_processes_importing_at_once_lose_and_duplicate_nothing(fresh_db_url: str) -> None:
    ctx = process_context()
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=concurrent_worker, args=(fresh_db_url, w, PER_WORKER, barrier, results))
        for w in range(WORKERS)
    ]
    with plain_main():
        for p in procs:
            p.start()
    reports = {}
    try:
        for _ in range(WORKERS):
            worker, out, error = results.get(timeout=180)
            assert error is None, f"worker {worker}: {error}"
            reports[worker] = out
    except queue.Empty:
        pytest.fail(f"only {len(reports)} of {WORKERS} workers reported")
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in procs)

    # What the workers were told.
    distinct = [entry for out in reports.values() for entry in out if entry[0] != "shared"]
    shared = [entry for out in reports.values() for entry in out if entry[0] == "shared"]
    assert len(distinct) == WORKERS * PER_WORKER
    assert all(status == ACCEPTED for _, _, status, _ in distinct)
    assert len({upload_id for _, upload_id, _, _ in distinct}) == WORKERS * PER_WORKER
    assert Counter(status for _, _, status, _ in shared) == {ACCEPTED: 1, DUPLICATE: WORKERS - 1}
    assert len({upload_id for _, upload_id, _, _ in shared}) == 1

    # What the database holds.
    store = Store(fresh_db_url)
    try:
        uploads = store.uploads()
        assert len(uploads) == WORKERS * PER_WORKER + 1
        assert uploads["sha256"].is_unique
        expected_shas = {
            hashlib.sha256(concurrent_return(w, i)[1]).hexdigest()
            for w in range(WORKERS)
            for i in range(PER_WORKER)
        } | {hashlib.sha256(SHARED_RETURN).hexdigest()}
        assert set(uploads["sha256"]) == expected_shas

        revisions = store.revisions()
        assert len(revisions) == WORKERS * PER_WORKER + 1
        assert revisions["upload_id"].is_unique
        numbers: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for row in revisions.itertuples():
            numbers[(row.commune, row.village, row.period)].append(int(row.number))
        expected_units = Counter(
            unit_for(w * PER_WORKER + i) for w in range(WORKERS) for i in range(PER_WORKER)
        )
        expected_units[("Xã Chung", None, 2023)] += 1
        assert {unit: len(n) for unit, n in numbers.items()} == dict(expected_units)
        for unit, got in numbers.items():
            assert sorted(got) == list(range(1, len(got) + 1)), unit

        # The numbers the workers were told are the numbers stored.
        told = {r for _, _, _, revs in distinct for r in revs}
        stored = {
            (row.commune, row.village, int(row.period), int(row.number), int(row.revision_id))
            for row in revisions.itertuples()
        }
        assert told <= stored

        with store.engine.connect() as conn:
            per_revision = conn.execute(
                sa.text(
                    "SELECT r.id, r.value_count, count(v.id) FROM revisions r "
                    "LEFT JOIN indicator_values v ON v.revision_id = r.id "
                    "GROUP BY r.id, r.value_count"
                )
            ).all()
        assert all(expected == got == VALUES_PER_RETURN for _, expected, got in per_revision)

        audit = store.audit(None)
        assert Counter(audit["action"])["upload.accepted"] == WORKERS * PER_WORKER + 1
        assert Counter(audit["action"])["revision.created"] == WORKERS * PER_WORKER + 1
        assert sorted(store.keys()) == ["Dương Quang", "Phong Quang", "Xã Chung", "Đôn Phong"]
    finally:
        store.close()
