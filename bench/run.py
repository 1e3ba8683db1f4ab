"""Province-scale benchmark (issue 7): reading, importing, assessing, the Tổng quan page, memory.

    .venv/bin/python bench/run.py            # the full run (a few minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # what CI runs (under a minute; no time asserted)

It generates a seeded synthetic province (`bench/province.py`: 100 communes × 25 villages ×
5 years of the 2021-2025 set; the same arguments always give the same values) and measures,
each as the median of several runs in this one process, each next to a baseline measured in
the same run (`bench/floor.py`):

1. reading one return (a workbook made by `ntm.template` for one commune-year of the province,
   25 village sheets): `ntm.returns.read_return` vs a bare python-calamine read of the same
   bytes → `read_ratio`;
2. importing returns with `Store.import_bytes` (the return already read, as the Nhập liệu page
   stores it after its preview; the bytes stored are a real workbook's): 1,000 returns (each
   commune-year of the province twice: the return, then a corrected one, i.e. revision 2) into
   a temporary SQLite file and into a temporary PostgreSQL database (created and dropped here;
   skipped with a note when the server cannot be reached) vs plain inserts of the same value
   rows, one transaction per return → `import_per_s_sqlite`, `import_per_s_postgres`;
3. assessing the whole province, all units and years, with `ntm.attainment.assess` vs a
   minimal vectorised pandas computation of the same thresholds. Two shapes of province:
   "dense" (every measured value for every unit, ≈ 793k values: the volume issue 7 names) →
   `assess_s`, `assess_ratio`, and the same over each commune's village register (the app's
   path since issue 13: village aggregates count the registered villages) →
   `assess_register_s`, `assess_register_ratio`; "returns" (what the template's returns carry,
   ≈ 175k values) → `assess_returns_s`, `assess_returns_ratio`;
4. the Tổng quan page's server-side time (the page run headless by Streamlit's AppTest: its
   service calls, figure building and rendering) for one commune, latest year, on a database
   holding only that commune (`overview_ms_*`) and on the database holding the whole province
   (`overview_province_ms_*`): cold (Streamlit's data caches cleared, as after any write)
   and cached (the same page again);
5. memory, each next to the same process idle: the peak RSS of a fresh process that generates
   the dense province and assesses it (`peak_rss_mb`), and of a fresh app process that ran the
   Tổng quan page for every commune of the province database (`app_rss_mb`). The benchmark's
   own peak (it holds both provinces, the floors and 1,000 prepared returns) is
   `bench_rss_mb`;
6. (issue 17) reading the province's current values from its database (`Store.current_values`,
   what `assess_store` reads) against a bare `pandas.read_sql` of the same rows
   (`province_read_ratio`, and `province_read_ratio_postgres` on the PostgreSQL import
   database); the Tỉnh page (`screens/tinh.py`, when it exists) cold and cached
   (`province_page_ms_*`); and every page measured next to Streamlit's own floor: an empty page
   and a bare page with one plotly chart (`bench/pages.py`; `overview_vs_empty_ratio`,
   `overview_vs_plotly_ratio`, …).

It prints a readable table, then one JSON object on the last line of output. Targets (2-core
CI machine): read ≤ 2× the floor; import ≥ 50 returns/s on SQLite and on PostgreSQL; province
assessment ≤ 2 s and ≤ 3× the floor; the province's current values read ≤ 2× `read_sql`;
Tổng quan cached ≤ 150 ms (the province's, ≤ 200 ms in the quick run), the Tỉnh page cold
≤ 1.5 s; peak memory ≤ 1 GB. The `targets` object says which are met; the exit code does not
depend on it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from floor import (  # noqa: E402
    assess_floor,
    province_read_floor,
    read_floor,
    store_floor,
    store_floor_setup,
)
from pages import measure_page, run_page  # noqa: E402
from province import SET_ID, province_values  # noqa: E402

from ntm.attainment import assess  # noqa: E402
from ntm.criteria import get_set  # noqa: E402
from ntm.storage import ACCEPTED, Store, make_engine  # noqa: E402
from ntm.values import VALUE_COLUMNS, ReadResult, ReturnMeta  # noqa: E402

PG_SERVER = os.environ.get("NTM_TEST_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
PAGE = ROOT / "screens" / "tong_quan.py"
PROVINCE_PAGE = ROOT / "screens" / "tinh.py"
MB = 1024 * 1024
REQUIRED_KEYS = (
    "read_ratio",
    "import_per_s_sqlite",
    "assess_s",
    "assess_ratio",
    "overview_ms_cached",
    "peak_rss_mb",
)


@dataclass
class Config:
    communes: int = 100
    villages: int = 25
    years: int = 5
    imports: int = 1000
    repeats: int = 5  # assessment, overview
    # A read takes ~20 ms and a 2-core machine is noisy: many alternating pairs, so the median
    # ratio moves by a few per cent between runs rather than by a third (15 pairs: 1.7-2.2).
    read_repeats: int = 101
    postgres: bool = True
    app_rss: bool = True
    quick: bool = False

    @classmethod
    def quick_run(cls) -> Config:
        return cls(communes=10, imports=50, repeats=3, read_repeats=41, quick=True)


# --- timing and memory -----------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def paired(ours: Callable[[], Any], floor: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median seconds of `ours` and of `floor`, run alternately (after one warm-up each)."""
    ours(), floor()
    a, b = [], []
    for _ in range(repeats):
        a.append(timed(ours))
        b.append(timed(floor))
    return statistics.median(a), statistics.median(b)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (VmHWM: a child does not inherit it)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (MB if sys.platform == "darwin" else 1024)
    except ImportError:  # Windows
        import psutil

        return float(psutil.Process().memory_info().peak_wset) / MB


def quiet_streamlit() -> None:
    """No "missing ScriptRunContext" warnings for cache calls made outside a page run; and the
    installed packages scanned for Streamlit components once per process, as a running server
    does at start. AppTest rescans them on every run (≈ 100-200 ms here, growing with the
    number of installed packages): that is the harness's cost, not the page's."""
    import functools

    from streamlit import config, logger
    from streamlit.components.v2 import manifest_scanner

    config.set_option("logger.level", "error")
    logger.set_log_level("error")
    scan = manifest_scanner.scan_component_manifests
    if not hasattr(scan, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.lru_cache(maxsize=1)(scan)  # type: ignore[assignment]


def rnd(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


# --- 1. reading one return -------------------------------------------------------------------


def workbook_bytes(values: pd.DataFrame, keys: dict[str, str]) -> tuple[bytes, str, int]:
    """A filled return (real .xlsx) for the first commune's latest year, and its value count."""
    from ntm.template import build_template, fill_template

    commune = str(values["commune"].iloc[0])
    year = int(values["period"].max())
    one = values[(values["commune"] == commune) & (values["period"] == year)]
    villages = sorted(str(v) for v in one["village"].dropna().unique())
    wb = build_template(commune, year, villages, get_set(SET_ID), key=keys[commune])
    fill_template(wb, one)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), f"bao-cao-{year}.xlsx", int(one["value"].notna().sum())


def measure_read(data: bytes, name: str, expected: int, repeats: int) -> dict[str, Any]:
    from ntm.returns import read_return

    result = read_return(data, name)
    errors = [p for p in result.problems if p.is_error]
    assert not errors and len(result.values) == expected, (len(result.values), errors[:3])
    ours, floor = paired(lambda: read_return(data, name), lambda: read_floor(data), repeats)
    return {
        "read_ms": rnd(ours * 1000, 2),
        "read_floor_ms": rnd(floor * 1000, 2),
        "read_ratio": rnd(ours / floor, 2),
        "read_values": len(result.values),
        "read_bytes": len(data),
    }


# --- 2. importing returns --------------------------------------------------------------------


def prepared_returns(
    values: pd.DataFrame, keys: dict[str, str], n: int, payload: bytes
) -> list[tuple[bytes, str, ReadResult]]:
    """n returns as read: each commune-year once, then again corrected (its revision 2)."""
    units = [(str(c), int(p), g) for (c, p), g in values.groupby(["commune", "period"], sort=True)]
    out: list[tuple[bytes, str, ReadResult]] = []
    rng = np.random.default_rng(11)
    for i in range(n):
        commune, period, group = units[i % len(units)]
        frame = group.reset_index(drop=True).copy()
        if i >= len(units):  # a correction: a few values changed
            changed = rng.choice(len(frame), size=min(5, len(frame)), replace=False)
            frame.loc[changed, "value"] = np.minimum(frame.loc[changed, "value"] + 1.0, 100.0)
        name = f"{commune}-{period}-{i // len(units) + 1}.xlsx"
        frame["file"] = name
        frame["sheet"] = frame["village"].where(frame["village"].notna(), "Toàn xã")
        frame["cell"] = [f"D{6 + j}" for j in range(len(frame))]
        frame = frame[VALUE_COLUMNS]
        for col in ("commune", "village", "code", "note", "file", "sheet", "cell"):
            frame[col] = frame[col].astype("object").where(frame[col].notna(), None)
        villages = sorted(str(v) for v in frame["village"].dropna().unique())
        meta = ReturnMeta(
            commune=commune,
            period=period,
            villages=villages,
            region=keys[commune],
            criteria_set=SET_ID,
        )
        data = payload + b"\0" + f"{i} {uuid.uuid4()}".encode()  # a real workbook's size
        out.append((data, name, ReadResult(name, frame, [], meta)))
    return out


def floor_rows(result: ReadResult) -> list[dict[str, Any]]:
    frame = result.values[["commune", "village", "period", "code", "value"]]
    rows = frame.assign(
        numerator=result.values["numerator"], denominator=result.values["denominator"]
    )
    rows = rows.astype(object).where(rows.notna(), None)
    return rows.to_dict("records")


def measure_import(url: str, returns: list[tuple[bytes, str, ReadResult]]) -> dict[str, Any]:
    """Our import of every return into a fresh database at `url`, then the floor's."""
    store = Store(url).migrate()
    try:
        per_return = []
        t0 = time.perf_counter()
        for data, name, result in returns:
            t1 = time.perf_counter()
            outcome = store.import_bytes(data, name, user="bench", read_result=result)
            per_return.append(time.perf_counter() - t1)
            assert outcome.status == ACCEPTED, (name, outcome.status, outcome.problems[:3])
        seconds = time.perf_counter() - t0
    finally:
        store.close()
    engine = make_engine(url)
    try:
        table = store_floor_setup(engine)
        rows = [floor_rows(r) for _, _, r in returns]
        t0 = time.perf_counter()
        for batch in rows:
            store_floor(engine, table, batch)
        floor_seconds = time.perf_counter() - t0
    finally:
        engine.dispose()
    n = len(returns)
    return {
        "returns": n,
        "per_s": rnd(n / seconds, 1),
        "median_ms": rnd(statistics.median(per_return) * 1000, 2),
        "floor_per_s": rnd(n / floor_seconds, 1),
        "ratio": rnd(seconds / floor_seconds, 2),
        "values_per_return": round(sum(len(r.values) for _, _, r in returns) / n),
    }


@contextlib.contextmanager
def postgres_database(server: str) -> Iterator[tuple[str | None, str | None]]:
    """(url, None) of a new database dropped on exit, or (None, why it is skipped)."""
    admin = sa.create_engine(
        f"{server}/postgres", isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    name = f"ntm_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        yield None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return
    try:
        yield f"{server}/{name}", None
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- 3. assessing the province ---------------------------------------------------------------


def village_register(values: pd.DataFrame) -> dict[tuple[str, int], list[str]]:
    """Every commune's villages, registered for every year (as the app's database has them)."""
    villages = values[values["village"].notna()]
    names = villages.groupby("commune")["village"].unique()
    years = sorted(int(p) for p in values["period"].unique())
    return {(str(c), y): sorted(str(v) for v in vs) for c, vs in names.items() for y in years}


def measure_assess(
    values: pd.DataFrame, keys: dict[str, str], repeats: int, register: bool = False
) -> dict[str, Any]:
    """Our assessment against the floor; with `register`, over each commune's village register
    (the app's path: village aggregates count registered villages, issue 13)."""
    crit = get_set(SET_ID)
    villages = village_register(values) if register else None
    result = assess(values, keys=keys, register=villages)
    ours, floor = paired(
        lambda: assess(values, keys=keys, register=villages),
        lambda: assess_floor(values, crit, keys),
        repeats,
    )
    return {
        "values": len(values),
        "s": rnd(ours),
        "floor_s": rnd(floor),
        "ratio": rnd(ours / floor, 2),
        "units": len(result.units),
        "parts": len(result.parts),
    }


# --- 4. the Tổng quan page -------------------------------------------------------------------


@contextlib.contextmanager
def app_database(url: str) -> Iterator[None]:
    """The app's database is `url` (NTM_DATABASE_URL) with empty caches; restored on exit."""
    import streamlit as st

    before = os.environ.get("NTM_DATABASE_URL")
    os.environ["NTM_DATABASE_URL"] = url
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        yield
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        if before is None:
            os.environ.pop("NTM_DATABASE_URL", None)
        else:
            os.environ["NTM_DATABASE_URL"] = before


def overview_session(commune: str, year: int) -> dict[str, Any]:
    from ntm.ui import state

    return {state.COMMUNE: commune, state.YEAR: year, state.LANG: "vi"}


def overview_check(at: Any) -> str | None:
    return None if at.metric else "no headline: " + str([i.value for i in at.info])


def run_overview(commune: str, year: int) -> None:
    """One headless run of the Tổng quan page for (commune, year); fails on any exception."""
    run_page(PAGE, overview_session(commune, year), overview_check)


def measure_overview(url: str, commune: str, year: int, repeats: int) -> dict[str, Any]:
    quiet_streamlit()
    with app_database(url):
        return measure_page(PAGE, overview_session(commune, year), repeats, overview_check)


def measure_province_page(url: str, year: int, repeats: int) -> dict[str, Any]:
    """The Tỉnh page (screens/tinh.py, issue 17) on the province database, cold and cached;
    None with a note while the screen does not exist."""
    from ntm.ui import state

    if not PROVINCE_PAGE.exists():
        return {"note": f"skipped: {PROVINCE_PAGE.relative_to(ROOT)} does not exist"}

    def after_write() -> None:
        # The page judges the whole store once per data version (a resource, not a data
        # cache): a write makes it judge again, so a cold run does too.
        from ntm.ui.services import province

        if hasattr(province, "_source"):
            province._source.clear()

    session = {state.YEAR: year, state.LANG: "vi"}
    quiet_streamlit()
    with app_database(url):
        try:
            return measure_page(PROVINCE_PAGE, session, repeats, after_write=after_write)
        except RuntimeError as exc:
            return {"note": f"failed: {str(exc)[:300]}"}


def measure_province_read(url: str, repeats: int, assess_too: bool = True) -> dict[str, Any]:
    """What any province-wide view pays cold: every current value read (`Store.current_values`,
    what `assess_store` reads for the whole province) against the floor, a bare
    `pandas.read_sql` of the same rows (`province_read_floor`); then the values assessed."""
    from ntm.values import VALUE_COLUMNS

    store = Store(url)
    try:
        values = store.current_values()
        floor = province_read_floor(store.engine)
        assert len(values) == len(floor), (len(values), len(floor))
        ours_s, floor_s = paired(store.current_values, lambda: province_read_floor(store.engine),
                                 repeats)  # fmt: skip
        keys = store.keys()
        judged = values[VALUE_COLUMNS]
        assessed = [
            timed(lambda: assess(judged, keys=keys)) for _ in range(repeats if assess_too else 1)
        ]
    finally:
        store.close()
    return {
        "values": len(values),
        "read_s": rnd(ours_s),
        "floor_s": rnd(floor_s),
        "ratio": rnd(ours_s / floor_s, 2),
        "assess_s": rnd(statistics.median(assessed)),
    }


# --- 5. memory ------------------------------------------------------------------------------


def child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run this file with `args` in a fresh process; the JSON object it prints last."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def province_child(communes: int, villages: int, years: int) -> int:
    """In the child: idle RSS, then the peak with the dense province loaded and assessed."""
    idle = peak_rss_mb()
    values, keys = province_values(communes, villages, range(2021, 2021 + years), shape="dense")
    loaded = peak_rss_mb()
    result = assess(values, keys=keys)
    print(
        json.dumps(
            {
                "idle_mb": rnd(idle, 1),
                "loaded_mb": rnd(loaded, 1),
                "peak_mb": rnd(peak_rss_mb(), 1),
                "values": len(values),
                "units": len(result.units),
            }
        )
    )
    return 0


def app_child(year: int) -> int:
    """In the child: idle RSS with the app's modules loaded, then every commune's Tổng quan."""
    from streamlit.testing.v1 import AppTest  # noqa: F401  (loaded as the app loads it)

    from ntm import charts  # noqa: F401
    from ntm.ui import services

    quiet_streamlit()
    idle = peak_rss_mb()
    t0 = time.perf_counter()
    names = services.commune_names()
    for name in names:
        run_overview(name, year)
    print(
        json.dumps(
            {
                "idle_mb": rnd(idle, 1),
                "peak_mb": rnd(peak_rss_mb(), 1),
                "communes": len(names),
                "seconds": rnd(time.perf_counter() - t0, 1),
            }
        )
    )
    return 0


# --- the run ---------------------------------------------------------------------------------


def run(cfg: Config, log: Callable[[str], None]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "benchmark": "province",
        "quick": cfg.quick,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "cpus": os.cpu_count(),
    }
    years = range(2021, 2021 + cfg.years)
    t0 = time.perf_counter()
    values, keys = province_values(cfg.communes, cfg.villages, years, shape="returns")
    dense, _ = province_values(cfg.communes, cfg.villages, years, shape="dense")
    out["province"] = {
        "communes": cfg.communes,
        "villages_per_commune": cfg.villages,
        "years": cfg.years,
        "values_returns": len(values),
        "values_dense": len(dense),
        "seconds_to_generate": rnd(time.perf_counter() - t0, 2),
    }
    log(f"province: {len(values):,} values as returned, {len(dense):,} dense")

    data, name, expected = workbook_bytes(values, keys)
    read = measure_read(data, name, expected, cfg.read_repeats)
    out.update(read)
    log(f"read: {read['read_ms']} ms vs {read['read_floor_ms']} ms")

    assessed = measure_assess(dense, keys, cfg.repeats)
    out.update(
        assess_s=assessed["s"],
        assess_floor_s=assessed["floor_s"],
        assess_ratio=assessed["ratio"],
        assess_values=assessed["values"],
    )
    log(f"assess dense: {assessed['s']} s vs {assessed['floor_s']} s")
    assessed = measure_assess(dense, keys, cfg.repeats, register=True)
    out.update(assess_register_s=assessed["s"], assess_register_ratio=assessed["ratio"])
    log(f"assess dense, over the village register: {assessed['s']} s vs {assessed['floor_s']} s")
    assessed = measure_assess(values, keys, cfg.repeats)
    out.update(
        assess_returns_s=assessed["s"],
        assess_returns_floor_s=assessed["floor_s"],
        assess_returns_ratio=assessed["ratio"],
        assess_returns_values=assessed["values"],
        assess_units=assessed["units"],
    )
    log(f"assess returns: {assessed['s']} s vs {assessed['floor_s']} s")
    del dense
    gc.collect()
    memory = child(["--province-child", f"{cfg.communes},{cfg.villages},{cfg.years}"])
    out.update(
        peak_rss_mb=memory.get("peak_mb"),
        province_idle_rss_mb=memory.get("idle_mb"),
        province_loaded_rss_mb=memory.get("loaded_mb"),
    )
    if "error" in memory:
        out["peak_rss_note"] = memory["error"]
    log(f"memory, dense province assessed: {memory}")

    returns = prepared_returns(values, keys, cfg.imports, data)
    first = str(values["commune"].iloc[0])
    year = int(values["period"].max())
    with tempfile.TemporaryDirectory(prefix="ntm-bench-") as folder:
        tmp = Path(folder)
        province_url = f"sqlite:///{tmp / 'province.db'}"
        sqlite = measure_import(province_url, returns)
        out.update(
            import_returns=sqlite["returns"],
            import_values_per_return=sqlite["values_per_return"],
            import_per_s_sqlite=sqlite["per_s"],
            import_floor_per_s_sqlite=sqlite["floor_per_s"],
            import_ratio_sqlite=sqlite["ratio"],
            import_median_ms_sqlite=sqlite["median_ms"],
        )
        log(f"import sqlite: {sqlite['per_s']}/s vs {sqlite['floor_per_s']}/s")
        out.update(
            import_per_s_postgres=None,
            import_floor_per_s_postgres=None,
            import_ratio_postgres=None,
            province_read_ratio_postgres=None,
        )
        if cfg.postgres:
            with postgres_database(PG_SERVER) as (pg_url, why):
                if pg_url is None:
                    out["postgres_note"] = f"skipped: {why}"
                else:
                    pg = measure_import(pg_url, returns)
                    out.update(
                        import_per_s_postgres=pg["per_s"],
                        import_floor_per_s_postgres=pg["floor_per_s"],
                        import_ratio_postgres=pg["ratio"],
                        import_median_ms_postgres=pg["median_ms"],
                    )
                    log(f"import postgres: {pg['per_s']}/s vs {pg['floor_per_s']}/s")
                    read_pg = measure_province_read(pg_url, cfg.repeats, assess_too=False)
                    out.update(
                        province_from_db_read_s_postgres=read_pg["read_s"],
                        province_read_floor_s_postgres=read_pg["floor_s"],
                        province_read_ratio_postgres=read_pg["ratio"],
                    )
                    log(f"province read, postgres: {read_pg['read_s']} s vs {read_pg['floor_s']} s")
        else:
            out["postgres_note"] = "skipped: --no-postgres"

        commune_url = f"sqlite:///{tmp / 'commune.db'}"
        with Store(commune_url).migrate() as store:
            for data_, name_, result in returns:
                if result.meta.commune == first and name_.endswith("-1.xlsx"):
                    store.import_bytes(data_, name_, user="bench", read_result=result)
        del returns
        gc.collect()
        one = measure_overview(commune_url, first, year, cfg.repeats)
        out.update(
            overview_ms_cold=one["cold_ms"],
            overview_ms_cached=one["cached_ms"],
            overview_empty_page_ms=one["empty_page_ms"],
            overview_plotly_page_ms=one["plotly_page_ms"],
            overview_vs_empty_ratio=one["vs_empty_ratio"],
            overview_vs_plotly_ratio=one["vs_plotly_ratio"],
        )
        log(f"overview, one commune: {one['cold_ms']} ms cold, {one['cached_ms']} ms cached")
        prov = measure_overview(province_url, first, year, cfg.repeats)
        out.update(
            overview_province_ms_cold=prov["cold_ms"],
            overview_province_ms_cached=prov["cached_ms"],
            overview_province_vs_plotly_ratio=prov["vs_plotly_ratio"],
            overview_province_communes=cfg.communes,
        )
        log(f"overview, province: {prov['cold_ms']} ms cold, {prov['cached_ms']} ms cached")
        page = measure_province_page(province_url, year, cfg.repeats)
        out.update(
            province_page_ms_cold=page.get("cold_ms"),
            province_page_ms_cached=page.get("cached_ms"),
            province_page_vs_plotly_ratio=page.get("vs_plotly_ratio"),
        )
        if "note" in page:
            out["province_page_note"] = page["note"]
        log(f"Tỉnh page: {page}")
        whole = measure_province_read(province_url, cfg.repeats)
        out.update(
            province_from_db_values=whole["values"],
            province_from_db_read_s=whole["read_s"],
            province_read_floor_s=whole["floor_s"],
            province_read_ratio=whole["ratio"],
            province_from_db_assess_s=whole["assess_s"],
        )
        log(
            f"province from the database: read {whole['read_s']} s vs {whole['floor_s']} s, "
            f"assess {whole['assess_s']} s"
        )
        out["bench_rss_mb"] = rnd(peak_rss_mb(), 1)
        if cfg.app_rss:
            app = child(["--app-child", str(year)], {"NTM_DATABASE_URL": province_url})
            out["app_rss_mb"] = app.get("peak_mb")
            out["app_idle_rss_mb"] = app.get("idle_mb")
            out["app_rss_communes"] = app.get("communes")
            if "error" in app:
                out["app_rss_note"] = app["error"]
            log(f"app process: {app}")
    out["targets"] = targets(out)
    return out


def targets(out: dict[str, Any]) -> dict[str, bool | None]:
    def check(key: str, ok: Callable[[float], bool]) -> bool | None:
        value = out.get(key)
        return None if value is None else bool(ok(float(value)))

    # Issue 17: the cached province overview ≤ 150 ms in the full run, ≤ 200 ms in the quick
    # one (fewer repeats on a small province: noisier medians).
    cached = 200 if out.get("quick") else 150
    return {
        "province_read_ratio <= 2": check("province_read_ratio", lambda v: v <= 2),
        f"overview_province_ms_cached <= {cached}": check(
            "overview_province_ms_cached", lambda v: v <= cached
        ),
        "overview_ms_cached <= 150": check("overview_ms_cached", lambda v: v <= 150),
        "province_page_ms_cold <= 1500": check("province_page_ms_cold", lambda v: v <= 1500),
        "import_per_s_postgres >= 50": check("import_per_s_postgres", lambda v: v >= 50),
        "read_ratio <= 2": check("read_ratio", lambda v: v <= 2),
        "import_per_s_sqlite >= 50": check("import_per_s_sqlite", lambda v: v >= 50),
        "assess_s <= 2": check("assess_s", lambda v: v <= 2),
        "assess_ratio <= 3": check("assess_ratio", lambda v: v <= 3),
        "assess_returns_ratio <= 3": check("assess_returns_ratio", lambda v: v <= 3),
        "assess_register_ratio <= 3": check("assess_register_ratio", lambda v: v <= 3),
        "overview_province_ms_cold <= 2000": check(
            "overview_province_ms_cold", lambda v: v <= 2000
        ),
        "peak_rss_mb <= 1024": check("peak_rss_mb", lambda v: v <= 1024),
    }


def table(out: dict[str, Any]) -> str:
    """The readable summary: measure, ours, baseline, ratio, target."""
    prov = out["province"]

    def fmt(v: Any, unit: str = "") -> str:
        return "—" if v is None else f"{v:,}{unit}" if isinstance(v, int) else f"{v}{unit}"

    rows = [
        (f"read one return ({prov['villages_per_commune']} villages)", fmt(out["read_ms"], " ms"),
         fmt(out["read_floor_ms"], " ms"), fmt(out["read_ratio"], "×"), "≤ 2× floor"),
        (f"import {out['import_returns']:,} returns, SQLite", fmt(out["import_per_s_sqlite"], "/s"),
         fmt(out["import_floor_per_s_sqlite"], "/s"), fmt(out["import_ratio_sqlite"], "×"),
         "≥ 50/s"),
        (f"import {out['import_returns']:,} returns, PostgreSQL",
         fmt(out["import_per_s_postgres"], "/s"), fmt(out["import_floor_per_s_postgres"], "/s"),
         fmt(out["import_ratio_postgres"], "×"), out.get("postgres_note", "≥ 50/s")),
        (f"assess province, dense ({prov['values_dense']:,} values)", fmt(out["assess_s"], " s"),
         fmt(out["assess_floor_s"], " s"), fmt(out["assess_ratio"], "×"), "≤ 2 s, ≤ 3×"),
        ("assess province, dense, over the village register", fmt(out["assess_register_s"], " s"),
         "", fmt(out["assess_register_ratio"], "×"), "≤ 3×"),
        (f"assess province, as returned ({prov['values_returns']:,})",
         fmt(out["assess_returns_s"], " s"), fmt(out["assess_returns_floor_s"], " s"),
         fmt(out["assess_returns_ratio"], "×"), "≤ 2 s, ≤ 3×"),
        ("Tổng quan, 1-commune db, cold / cached",
         f"{fmt(out['overview_ms_cold'])} / {fmt(out['overview_ms_cached'])} ms",
         fmt(out["overview_empty_page_ms"], " ms empty page"),
         fmt(out["overview_vs_empty_ratio"], "×"), "cached ≤ 150 ms"),
        ("Tổng quan, 1-commune db, cached vs a bare plotly page", "",
         fmt(out["overview_plotly_page_ms"], " ms plotly page"),
         fmt(out["overview_vs_plotly_ratio"], "×"), ""),
        (f"Tổng quan, {prov['communes']}-commune db, cold / cached",
         f"{fmt(out['overview_province_ms_cold'])} / {fmt(out['overview_province_ms_cached'])} ms",
         "", fmt(out["overview_province_vs_plotly_ratio"], "× plotly page"),
         f"cached ≤ {200 if out.get('quick') else 150} ms"),
        (f"Tỉnh page, {prov['communes']}-commune db, cold / cached",
         f"{fmt(out['province_page_ms_cold'])} / {fmt(out['province_page_ms_cached'])} ms",
         out.get("province_page_note", ""),
         fmt(out.get("province_page_vs_plotly_ratio"), "× plotly page"), "cold ≤ 1500 ms"),
        (f"province current values from the db ({out['province_from_db_values']:,}), SQLite",
         fmt(out["province_from_db_read_s"], " s"), fmt(out["province_read_floor_s"], " s"),
         fmt(out["province_read_ratio"], "×"), "≤ 2× read_sql"),
        ("province current values from the db, PostgreSQL",
         fmt(out.get("province_from_db_read_s_postgres"), " s"),
         fmt(out.get("province_read_floor_s_postgres"), " s"),
         fmt(out.get("province_read_ratio_postgres"), "×"), ""),
        ("province assessed (after the read)", fmt(out["province_from_db_assess_s"], " s"),
         "", "", ""),
        ("peak RSS, process with the dense province assessed", fmt(out["peak_rss_mb"], " MB"),
         fmt(out.get("province_idle_rss_mb"), " MB idle"), "", "≤ 1024 MB"),
        ("peak RSS, app process (every commune's page)", fmt(out.get("app_rss_mb"), " MB"),
         fmt(out.get("app_idle_rss_mb"), " MB idle"), "", ""),
        ("peak RSS, this benchmark process", fmt(out.get("bench_rss_mb"), " MB"), "", "", ""),
    ]  # fmt: skip
    head = ("measure", "ours", "baseline", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    rule = "-+-".join("-" * w for w in widths)
    header = " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    missed = [name for name, ok in out["targets"].items() if ok is False]
    foot = "targets missed: " + (", ".join(missed) if missed else "none")
    return "\n".join([header, rule, *lines, "", foot])


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 communes, 50 imports, 3 runs")
    parser.add_argument("--communes", type=int)
    parser.add_argument("--villages", type=int)
    parser.add_argument("--years", type=int)
    parser.add_argument("--imports", type=int)
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-app-rss", action="store_true")
    parser.add_argument("--app-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--province-child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.app_child is not None:
        return app_child(args.app_child)
    if args.province_child is not None:
        communes, villages, years = (int(x) for x in args.province_child.split(","))
        return province_child(communes, villages, years)
    cfg = Config.quick_run() if args.quick else Config()
    for name in ("communes", "villages", "years", "imports", "repeats"):
        if getattr(args, name) is not None:
            setattr(cfg, name, getattr(args, name))
    if args.repeats is not None:
        cfg.read_repeats = max(args.repeats, 1)
    cfg.postgres = not args.no_postgres
    cfg.app_rss = not args.no_app_rss

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {message}", file=sys.stderr, flush=True)

    start = time.perf_counter()
    out = run(cfg, log)
    out["seconds_total"] = rnd(time.perf_counter() - start, 1)
    print(table(out))
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
