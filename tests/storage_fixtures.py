"""Shared set-up for the storage tests: databases, a tiny return format, worker processes.

A plain module (not a conftest): test modules import the fixtures they use, under any alias
(each fixture's `name=` is what tests request), e.g.
`from storage_fixtures import store as _store  # noqa: F401`.

- `db_url` / `store`: parametrised over SQLite (a fresh file per test) and PostgreSQL (one
  fresh database per test session, created and dropped here, emptied before each test).
  PostgreSQL is at `NTM_TEST_PG_SERVER` (default postgresql+psycopg://postgres@127.0.0.1:5432);
  when it cannot be reached the PostgreSQL cases are skipped, or fail when `CI` is set.
- `fresh_db_url`: an empty, never migrated database per test (both backends).
- Returns in the tests are small JSON documents (`make_return`) read by `json_reader`, so the
  storage suite does not depend on the Excel reader; the round-trip test uses real workbooks.
- Worker functions run in spawned processes (concurrency and fault tests).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import types
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ntm.errors import Code, Problem
from ntm.storage import TEST_PAUSE_ENV, Store
from ntm.storage.schema import TABLES
from ntm.values import ReadResult, ReturnMeta, make_values

PG_SERVER = os.environ.get("NTM_TEST_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
BACKENDS = ["sqlite", "postgresql"]
CODES = ("2.1", "2.2", "5.1", "9.1", "17.10")


# --- databases ---------------------------------------------------------------------------


def _pg_admin() -> sa.Engine:
    return sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def pg_unreachable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    engine = _pg_admin()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        return f"PostgreSQL at {PG_SERVER} is not reachable: {type(exc).__name__}: {exc}"
    finally:
        engine.dispose()
    return None


def require_postgres() -> None:
    """Skip when PostgreSQL is unreachable, but fail under CI (CI=true)."""
    reason = pg_unreachable()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (CI is set: the storage tests must run against PostgreSQL)")
    pytest.skip(reason)


@contextlib.contextmanager
def fresh_pg_database(prefix: str = "ntm_test") -> Iterator[str]:
    """A new, empty PostgreSQL database for the block, dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty_tables(url: str) -> None:
    """Remove every row (TRUNCATE does not fire the audit log's row triggers)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            names = ", ".join(t.name for t in TABLES)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session", name="pg_session_url")
def pg_session_url() -> Iterator[str]:
    """One migrated PostgreSQL database for the test session (per xdist worker)."""
    require_postgres()
    with fresh_pg_database() as url:
        Store(url).migrate().close()
        yield url


@pytest.fixture(params=BACKENDS, name="db_url")
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite file or the session's PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ntm.db'}"
        Store(url).migrate().close()
        return url
    url = str(request.getfixturevalue("pg_session_url"))
    empty_tables(url)
    return url


@pytest.fixture(params=BACKENDS, name="fresh_db_url")
def fresh_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database that was never migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    require_postgres()
    with fresh_pg_database("ntm_fresh") as url:
        yield url


@pytest.fixture(name="store")
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url, reader=json_reader)
    yield s
    s.close()


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


# --- a tiny return format ----------------------------------------------------------------


def make_return(
    commune: str = "Dương Quang",
    period: int = 2024,
    villages: Sequence[str | None] = (None,),
    codes: Sequence[str] = CODES,
    *,
    seed: int = 0,
    region: str | None = "tdmnpb",
    error: bool = False,
    warning: bool = False,
    nonce: str = "",
    commune_code: str | None = None,
) -> bytes:
    """A return as JSON bytes: one value per (village, code); `error` makes it refused."""
    rows = []
    for v_index, village in enumerate(villages):
        for c_index, code in enumerate(codes):
            value = float((seed * 7 + v_index * 13 + c_index * 5) % 101)
            rows.append(
                {
                    "village": village,
                    "code": code,
                    "value": value,
                    "numerator": value if c_index % 2 else None,
                    "denominator": 100.0 if c_index % 2 else None,
                    "note": f"ghi chú {seed}" if c_index == 0 else None,
                    "sheet": village or "Toàn xã",
                    "cell": f"D{5 + c_index}",
                }
            )
    doc = {
        "commune": commune,
        "period": period,
        "region": region,
        "rows": rows,
        "error": error,
        "warning": warning,
        "nonce": nonce,
    }
    if commune_code is not None:  # the commune's administrative unit code ("Mã xã")
        doc["commune_code"] = commune_code
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")


def json_reader(data: bytes, filename: str, village_sets: Sequence[object] = ()) -> ReadResult:
    """Read a `make_return` document the way `ntm.returns.read_return` reads a workbook
    (`village_sets`, the store's village sets in use, does not change a JSON document)."""
    doc = json.loads(data.decode("utf-8"))
    rows = [
        {"commune": doc["commune"], "period": doc["period"], "file": filename, **row}
        for row in doc["rows"]
    ]
    problems = []
    if doc.get("error"):
        problems.append(
            Problem(
                Code.PERCENT_OUT_OF_RANGE,
                file=filename,
                sheet="Toàn xã",
                cell="D7",
                params={"code": "2.1", "value": 120.0},
            )
        )
    if doc.get("warning"):
        problems.append(
            Problem(
                Code.UNKNOWN_INDICATOR,
                file=filename,
                sheet="Toàn xã",
                cell="A9",
                params={"code": "99.9", "criteria_set": "vn-ntm-xa-2021-2025"},
            )
        )
    villages = sorted({r["village"] for r in doc["rows"] if r["village"]})
    meta = ReturnMeta(
        commune=doc["commune"],
        commune_code=doc.get("commune_code"),
        period=doc["period"],
        villages=villages,
        region=doc.get("region"),
    )
    return ReadResult(filename, make_values(rows), problems, meta)


# --- worker processes (module-level functions only) --------------------------------------


def process_context() -> Any:
    """Clean worker processes: `forkserver` with the heavy modules preloaded.

    Like `spawn`, each worker comes from a fresh interpreter, never a fork of pytest (no
    inherited connections or locks); unlike spawn, pandas/SQLAlchemy are imported once in the
    server instead of in every worker, which keeps 8 workers from costing ~10 s of start-up.
    """
    import multiprocessing as mp

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["ntm.storage", "ntm.values"])
    return ctx


@contextlib.contextmanager
def plain_main() -> Iterator[None]:
    """Start worker processes from here: with an empty `__main__` module.

    A new process re-runs the parent's `__main__` file first (multiprocessing's main fix-up).
    Streamlit's script runner (AppTest, in other tests of the same pytest worker) leaves
    `sys.modules["__main__"]` as the last page it ran, so without this every worker would run
    a page (and fail) before its target.
    """
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


SHARED_RETURN = make_return("Xã Chung", 2023, nonce="the same file from every worker")


def unit_for(index: int) -> tuple[str, str | None, int]:
    """The unit of the index-th return: 3 communes × (commune-wide + 2 villages) × 2 periods."""
    communes = ["Dương Quang", "Đôn Phong", "Phong Quang"]
    villages: list[str | None] = [None, "Bản Giềng", "Nà Rào"]
    commune = communes[index % 3]
    village = villages[(index // 3) % 3]
    period = 2024 + (index // 9) % 2
    return commune, village, period


def concurrent_return(worker: int, i: int) -> tuple[str, bytes]:
    commune, village, period = unit_for(worker * 50 + i)
    name = f"w{worker}-{i}.json"
    data = make_return(commune, period, (village,), seed=worker * 1000 + i, nonce=name)
    return name, data


def concurrent_worker(url: str, worker: int, n: int, barrier: Any, results: Any) -> None:
    """Import `n` distinct returns and the shared one, all workers starting at once."""
    store = Store(url, reader=json_reader)
    out = []
    try:
        barrier.wait(120)
        store.migrate()  # every worker migrates the fresh database at the same moment
        # … and registers the communes' villages at once (as Cài đặt would): every village
        # of a return is then known to the register, whichever file comes first.
        for commune, village, _ in {unit_for(k) for k in range(18)}:
            if village is not None:
                store.save_village(commune, village, user=f"worker-{worker}")
        for i in range(n):
            name, data = concurrent_return(worker, i)
            o = store.import_bytes(data, name, user=f"worker-{worker}")
            out.append((name, o.upload_id, o.status, [tuple(r) for r in o.revisions]))
        o = store.import_bytes(SHARED_RETURN, f"shared-{worker}.json", user=f"worker-{worker}")
        out.append(("shared", o.upload_id, o.status, [tuple(r) for r in o.revisions]))
        results.put((worker, out, None))
    except BaseException as exc:  # reported to the parent, which fails the test
        import traceback

        results.put((worker, out, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        store.close()


def paused_import_worker(url: str, data: bytes, marker: str) -> None:
    """Import one return, pausing inside the transaction after its first revision's values."""
    os.environ[TEST_PAUSE_ENV] = marker
    os.environ[f"{TEST_PAUSE_ENV}_SECONDS"] = "120"
    Store(url, reader=json_reader).import_bytes(data, "paused.json", user="victim")


def batch_import_worker(url: str, payloads: list[tuple[str, bytes]], started: str) -> None:
    """Import returns one after another until killed; touch `started` after the first."""
    store = Store(url, reader=json_reader)
    for i, (name, data) in enumerate(payloads):
        store.import_bytes(data, name, user="batch")
        if i == 0:
            Path(started).write_text("started", encoding="utf-8")
