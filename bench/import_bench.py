"""Import throughput of `ntm.storage`: returns per second on SQLite and PostgreSQL (issue 4).

Each return is one commune and period with 9 villages: every measured value of the 2021-2025
set (village-scope indicators once per village and once for the commune), about 400 values,
like the bundled demo returns. Three measurements per database, each on a fresh database:

- `store`: `Store.import_bytes` with the return already read (what the Nhập liệu page does
  after its preview): the upload, revisions, values and audit rows, one transaction each.
- `store_4_processes`: the same, from 4 processes at once (a shared server's app instances).
- `read_and_store`: real .xlsx workbooks (made by `ntm.template`) read by `ntm.returns` and
  stored, i.e. `ntm import` without process start-up.

Prints one JSON object. PostgreSQL: a temporary database on `--pg-server` (default
postgresql+psycopg://postgres@127.0.0.1:5432), created and dropped here; skipped with a reason
when it cannot be reached.

    .venv/bin/python bench/import_bench.py [--returns 200] [--workbooks 20] [--quick]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ntm.criteria import get_set
from ntm.storage import ACCEPTED, Store
from ntm.values import ReadResult, ReturnMeta, make_values

SET_ID = "vn-ntm-xa-2021-2025"
VILLAGES = [f"Thôn {i}" for i in range(1, 10)]


def return_values(index: int) -> tuple[str, int, Any]:
    """The values of the index-th synthetic return (distinct commune/period per index)."""
    crit = get_set(SET_ID)
    commune, period = f"Xã {index // 5:04d}", 2021 + index % 5
    rows: list[dict[str, object]] = []
    for n, (ind, part) in enumerate(crit.measured_codes().values()):
        units: list[str | None] = [None, *VILLAGES] if ind.scope == "village" else [None]
        for k, village in enumerate(units):
            if part.kind == "boolean":
                value = float((n + k + index) % 4 != 0)
                num = den = None
            else:
                den = float(50 + (n * 7 + k * 3 + index) % 100)
                num = float(round(den * (0.6 + ((n + k + index) % 40) / 100)))
                value = round(100 * num / den, 1)
            rows.append(
                {
                    "commune": commune,
                    "village": village,
                    "period": period,
                    "code": part.code,
                    "value": value,
                    "numerator": num,
                    "denominator": den,
                    "sheet": village or "Toàn xã",
                    "cell": f"D{n + 6}",
                }
            )
    return commune, period, make_values(rows)


def prepared(index: int) -> tuple[bytes, str, ReadResult]:
    commune, period, values = return_values(index)
    data = f"return {index} {uuid.uuid4()}".encode()  # distinct bytes; already read
    meta = ReturnMeta(commune=commune, period=period, villages=VILLAGES, region="tdmnpb")
    return data, f"r{index}.xlsx", ReadResult(f"r{index}.xlsx", values, [], meta)


def _store_batch(url: str, items: list[tuple[bytes, str, ReadResult]]) -> int:
    store = Store(url)
    try:
        accepted = 0
        for data, name, result in items:
            outcome = store.import_bytes(data, name, user="bench", read_result=result)
            accepted += outcome.status == ACCEPTED
        return accepted
    finally:
        store.close()


def _worker(url: str, indexes: list[int], start: Any, done: Any) -> None:
    items = [prepared(i) for i in indexes]
    start.wait()
    done.put(_store_batch(url, items))


def measure_store(url: str, n: int) -> dict[str, Any]:
    Store(url).migrate().close()
    items = [prepared(i) for i in range(n)]
    values = sum(len(r.values) for _, _, r in items)
    t0 = time.perf_counter()
    accepted = _store_batch(url, items)
    seconds = time.perf_counter() - t0
    assert accepted == n, f"{accepted} of {n} accepted"
    return {
        "returns": n,
        "values_per_return": round(values / n),
        "seconds": round(seconds, 3),
        "returns_per_second": round(n / seconds, 1),
        "values_per_second": round(values / seconds),
    }


def measure_store_parallel(url: str, n: int, processes: int = 4) -> dict[str, Any]:
    Store(url).migrate().close()
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["ntm.storage", "ntm.values", "ntm.criteria"])
    start, done = ctx.Barrier(processes + 1), ctx.Queue()
    # Units not used by the other measurement, dealt out to the workers.
    chunks = [list(range(n * 10 + p, n * 10 + n, processes)) for p in range(processes)]
    procs = [ctx.Process(target=_worker, args=(url, c, start, done)) for c in chunks]
    for p in procs:
        p.start()
    start.wait()  # every worker has prepared its returns
    t0 = time.perf_counter()
    accepted = sum(done.get(timeout=600) for _ in procs)
    seconds = time.perf_counter() - t0
    for p in procs:
        p.join()
    total = sum(len(c) for c in chunks)
    assert accepted == total, f"{accepted} of {total} accepted"
    return {
        "returns": total,
        "processes": processes,
        "seconds": round(seconds, 3),
        "returns_per_second": round(total / seconds, 1),
    }


def make_workbooks(folder: Path, n: int) -> list[Path]:
    from ntm.template import build_template, fill_template

    crit = get_set(SET_ID)
    paths = []
    for i in range(n):
        commune, period, values = return_values(100_000 + i)
        wb = build_template(commune, period, VILLAGES, crit, key="tdmnpb")
        fill_template(wb, values)
        path = folder / f"wb{i}.xlsx"
        wb.save(path)
        paths.append(path)
    return paths


def measure_read_and_store(url: str, paths: list[Path]) -> dict[str, Any]:
    Store(url).migrate().close()
    store = Store(url)
    try:
        t0 = time.perf_counter()
        statuses = [store.import_file(p, user="bench").status for p in paths]
        seconds = time.perf_counter() - t0
    finally:
        store.close()
    refused = [s for s in statuses if s != ACCEPTED]
    if refused:
        return {"error": f"{len(refused)} of {len(paths)} workbooks not accepted: {refused[:3]}"}
    return {
        "returns": len(paths),
        "seconds": round(seconds, 3),
        "returns_per_second": round(len(paths) / seconds, 2),
    }


def pg_database(server: str) -> tuple[str | None, str | None, Any]:
    """(url, None, drop) for a new database, or (None, reason, None)."""
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    name = f"ntm_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        return None, f"{type(exc).__name__}: {exc}".splitlines()[0], None

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{server}/{name}", None, drop


def run_backend(
    kind: str, args: argparse.Namespace, workbooks: list[Path], tmp: Path
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label in ("store", "store_4_processes", "read_and_store"):
        url: str | None
        if kind == "sqlite":
            url, reason, drop = f"sqlite:///{tmp / f'{label}.db'}", None, None
        else:
            url, reason, drop = pg_database(args.pg_server)
        if url is None:
            return {"skipped": reason}
        try:
            if label == "store":
                out[label] = measure_store(url, args.returns)
            elif label == "store_4_processes":
                out[label] = measure_store_parallel(url, args.returns)
            elif workbooks:
                out[label] = measure_read_and_store(url, workbooks)
        finally:
            if drop is not None:
                drop()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--returns", type=int, default=200)
    parser.add_argument("--workbooks", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="40 returns, 5 workbooks")
    parser.add_argument(
        "--pg-server",
        default=os.environ.get(
            "NTM_TEST_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432"
        ),
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.returns, args.workbooks = 40, 5
    result: dict[str, Any] = {
        "benchmark": "import_throughput",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "sqlalchemy": sa.__version__,
    }
    with tempfile.TemporaryDirectory(prefix="ntm-bench-") as folder:
        tmp = Path(folder)
        t0 = time.perf_counter()
        workbooks = make_workbooks(tmp, args.workbooks)
        if workbooks:
            result["workbook_bytes"] = round(
                sum(p.stat().st_size for p in workbooks) / len(workbooks)
            )
        result["workbook_seconds_to_make"] = round(time.perf_counter() - t0, 2)
        for kind in ("sqlite", "postgresql"):
            result[kind] = run_backend(kind, args, workbooks, tmp)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
