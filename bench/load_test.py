"""Bounded load test on loopback (issue 8): browsing and uploading sessions against the app.

    .venv/bin/python bench/load_test.py                       # 20 browsing + 5 uploading, 2 min
    .venv/bin/python bench/load_test.py --seconds 15 --browsers 4 --uploaders 2   # quick
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:PORT --db DB_URL \
        --instances http://127.0.0.1:P1,http://127.0.0.1:P2   # a deployment that runs already

What it does, and only on 127.0.0.1:

1. makes a temporary SQLite database, seeds it with Dương Quang's 2021-2025 demo returns
   and one staff account per uploader (`ntm.auth.add_user`, a random password);
2. starts the app as the README does (`streamlit run app.py`) on a free 127.0.0.1 port, file
   watcher off, and waits for the first render of Tổng quan (`first_render_s`);
3. opens `--browsers` browsing sessions and `--uploaders` uploading sessions at once, each a
   browser context of its own (its own Streamlit session) in one headless Debian chromium
   driven by Playwright's async API (never `playwright install`); once every session has its
   first page (`ramp_up_s`, `session_start_p95_s`), they all run for `--seconds`:
   - a browsing session opens Tổng quan, then keeps moving through Thôn, Tiêu chí, Dữ liệu and
     Tổng quan by the sidebar links, with `--think` seconds between clicks. A page time is from
     the click to the page done: its title drawn, Streamlit's script state "notRunning" and the
     page's main element (chart, table or grid) on screen;
   - an uploading session logs in with its staff account (the sidebar form), then keeps
     uploading a return of its own (the 2025 demo return with one value changed, a unique file
     name), waits for the preview, confirms, and waits for "Đã lưu <file>";
4. stops by itself (no new step starts after the deadline; a step under way may finish within
   `--timeout`), stops the server, and checks the database: every upload confirmed on screen is
   stored exactly once, by its user, and nothing else was stored.

Why browsers: Streamlit serves pages over a websocket protocol of its own; plain HTTP requests
would not run a page. Why one chromium: on a 2-core machine one browser process with 25
contexts (≈ 4 GB) is what fits; the browser's own rendering (plotly) competes with the server
for the same 2 cores, so the page times are an upper bound of what a user on another machine
would see.

With `--url` it starts nothing: it drives the deployment at that address (e.g. nginx in front of
the app instances of scripts/province-stack.sh), makes its staff accounts in the database `--db`
names (the one the deployment uses; the demo returns must be in it) and checks that database
afterwards, counting only this run's files (their names carry a run id). With `--instances`
(the instances' own addresses, behind the proxy) it also opens Dữ liệu on each instance
directly before and after the load: each must show the newest upload, written through one of
them (bench/deployment.py). `--server-log` (repeatable) names the instances' logs to count
their tracebacks.

It prints a readable summary, then one JSON object on the last line. Exit code 0 when there was
no error and every upload landed exactly once, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import io
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import deployment

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
CHROMIUM = Path("/usr/bin/chromium")
VILLAGE = "Nà Cưởm"
CHART = '[data-testid="stPlotlyChart"] .main-svg'
# A notice in the page body is content too: on a year nothing can be judged in yet (the whole
# demo's Phong Quang 2026, as a province stack seeds it) Thôn and Tiêu chí say so instead.
NOTICE = '[data-testid="stMain"] [data-testid="stAlert"]'
ROUTES = [  # (address, title, the element that says the page is drawn, once its run is over)
    ("thon-ban", "Thôn", f'[data-testid="stTable"], {NOTICE}'),
    ("tieu-chi", "Tiêu chí", f"{CHART}, {NOTICE}"),
    ("du-lieu", "Dữ liệu", '[data-testid="stDataFrame"]'),
    ("tong-quan", "Tổng quan", CHART),
]
DONE_JS = """([title]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  return !!h1 && h1.innerText.trim().startsWith(title);
}"""
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@dataclass
class Stats:
    pages: list[tuple[str, float]] = field(default_factory=list)  # (address, seconds)
    starts: list[float] = field(default_factory=list)  # a session's first page
    uploads: list[tuple[str, str, float]] = field(default_factory=list)  # (user, file, s)
    confirmed: list[tuple[str, str]] = field(default_factory=list)  # (user, file) clicked
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- the database and the returns ----------------------------------------------------------


def prepare_database(url: str, uploaders: int, demo: bool = True) -> dict[str, str]:
    """Demo returns (Dương Quang's; not into a deployment's database) and one staff
    account per uploader (an existing one gets a new password)."""
    from ntm.auth import Role, add_user
    from ntm.storage import Store

    store = Store(url).migrate()
    try:
        # Dương Quang's 2021-2025 returns only, without the merger of communes.yaml: every page
        # the browsers wait for (a village table, a criterion's chart) has something to draw.
        # The whole demo opens on Phong Quang 2026, where nothing is judged yet (issue 16).
        for path in sorted(DEMO.glob("duong-quang-*.xlsx")) if demo else []:
            store.import_file(path, user="demo")
        accounts = {}
        for i in range(uploaders):
            name, password = f"tai.{i + 1}", secrets.token_urlsafe(16)
            add_user(store, name, Role.STAFF, password, by="load_test")
            accounts[name] = password
        return accounts
    finally:
        store.close()


class Returns:
    """Unique returns: the 2025 demo return with Nà Cưởm's 2.2 set to a value of its own."""

    def __init__(self, folder: Path, prefix: str):
        import openpyxl

        self.folder = folder
        self.prefix = prefix  # "load-<run id>-": this run's files
        self.lock = threading.Lock()
        wb = openpyxl.load_workbook(DEMO / "duong-quang-2025.xlsx")
        ws = wb[VILLAGE]
        self.row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "2.2")
        buf = io.BytesIO()
        wb.save(buf)
        self.template = buf.getvalue()

    def make(self, user_index: int, n: int) -> Path:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(self.template))
        ws = wb[VILLAGE]
        value = round(50 + user_index * 7.31 + n * 0.013, 3) % 100
        ws[f"F{self.row}"], ws[f"G{self.row}"], ws[f"H{self.row}"] = value, None, None
        path = self.folder / f"{self.prefix}u{user_index + 1}-{n:04d}.xlsx"
        wb.save(path)
        return path


# --- the server ------------------------------------------------------------------------------


class Server:
    def __init__(self, url: str, port: int, log: Path):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = log.open("wb")
        env = {
            **os.environ,
            "NTM_DATABASE_URL": url,
            "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        }
        for name in ("NTM_REQUIRE_LOGIN", "NTM_SECRETS_FILE"):
            env.pop(name, None)
        self.proc = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "streamlit"),
                "run",
                "app.py",
                *("--server.port", str(port)),
                *("--server.address", "127.0.0.1"),
                *("--server.headless", "true"),
                *("--client.toolbarMode", "minimal"),
                *("--browser.gatherUsageStats", "false"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped below by its id
        )
        self.peak_rss = 0
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._sample, daemon=True)
        self._watch.start()

    def _sample(self) -> None:
        import psutil

        try:
            proc = psutil.Process(self.proc.pid)
        except psutil.Error:
            return
        while not self._stop.wait(0.5):
            try:
                rss = proc.memory_info().rss
            except psutil.Error:
                return
            self.peak_rss = max(self.peak_rss, rss)

    def stop(self) -> None:
        self._stop.set()
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if self.proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=wait)
        self.log.close()


# --- the sessions ----------------------------------------------------------------------------


async def page_done(page: Any, title: str, selector: str | None) -> None:
    await page.wait_for_function(DONE_JS, arg=[title], polling=100)
    if selector:
        await page.locator(selector).first.wait_for(state="visible")
    if await page.locator('[data-testid="stException"]').count():
        text = await page.locator('[data-testid="stException"]').first.inner_text()
        raise RuntimeError(f"exception on the page: {text[:300]}")


async def open_app(page: Any, url: str, title: str, selector: str | None, deadline: float) -> None:
    while True:
        try:
            await page.goto(url, wait_until="domcontentloaded")
            await page_done(page, title, selector)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


class Clock:
    """The measured period starts when every session has opened its first page (ramp-up)."""

    def __init__(self, sessions: int, seconds: float):
        self.waiting = sessions
        self.seconds = seconds
        self.go = asyncio.Event()
        self.deadline = float("inf")
        self.started = 0.0

    async def ready(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0 and not self.go.is_set():
            self.started = time.monotonic()
            self.deadline = self.started + self.seconds
            self.go.set()
        await self.go.wait()

    def running(self) -> bool:
        return time.monotonic() < self.deadline


async def browse(
    i: int, browser: Any, base: str, clock: Clock, args: argparse.Namespace, stats: Stats
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = await context.new_page()
    page.set_default_timeout(args.timeout * 1000)
    rng = random.Random(i)
    ready = False
    try:
        start = time.monotonic()
        await open_app(page, base + "/", "Tổng quan", CHART, start + args.timeout)
        stats.starts.append(time.monotonic() - start)
        ready = True
        await clock.ready()
        step = i  # sessions start at different pages of the cycle
        while clock.running():
            address, title, selector = ROUTES[step % len(ROUTES)]
            step += 1
            clicked = time.monotonic()
            try:
                nav = page.get_by_test_id("stSidebarNav")
                await nav.get_by_role("link", name=title, exact=True).click()
                await page_done(page, title, selector)
                stats.pages.append((address, time.monotonic() - clicked))
            except Exception as exc:
                stats.errors.append(f"browse {i} {address}: {type(exc).__name__}: {exc!s:.300}")
                with contextlib.suppress(Exception):
                    await open_app(page, base + "/", "Tổng quan", CHART, time.monotonic() + 30)
                step = 0
            await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))
    except Exception as exc:
        stats.errors.append(f"browse {i} start: {type(exc).__name__}: {exc!s:.300}")
        if not ready:
            await clock.ready()
    finally:
        await context.close()


async def log_in(page: Any, name: str, password: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    await (
        sidebar.get_by_test_id("stExpander")
        .filter(has_text="Đăng nhập")
        .first.locator("summary")
        .click()
    )
    await sidebar.get_by_label("Tên đăng nhập").fill(name)
    await sidebar.get_by_label("Mật khẩu").fill(password)
    await sidebar.get_by_test_id("stFormSubmitButton").locator("button").click()
    await page.get_by_test_id("stFileUploaderDropzoneInput").wait_for(state="attached")


async def upload(
    i: int,
    browser: Any,
    base: str,
    clock: Clock,
    args: argparse.Namespace,
    account: tuple[str, str],
    returns: Returns,
    stats: Stats,
) -> None:
    name, password = account
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = await context.new_page()
    page.set_default_timeout(args.timeout * 1000)
    n = 0

    async def start() -> None:
        await open_app(page, base + "/nhap-lieu", "Nhập liệu", None, time.monotonic() + 60)
        await log_in(page, name, password)

    ready = False
    try:
        await start()
        ready = True
        await clock.ready()
        while clock.running():
            n += 1
            path = await asyncio.to_thread(returns.make, i, n)
            began = time.monotonic()
            try:
                await page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)
                await page.get_by_text(f"{path.name}: hợp lệ, sẵn sàng lưu").wait_for()
                stats.confirmed.append((name, path.name))
                await page.get_by_role("button", name="Xác nhận lưu 1 tệp").click()
                await page.get_by_text(f"Đã lưu {path.name}").wait_for()
                stats.uploads.append((name, path.name, time.monotonic() - began))
            except Exception as exc:
                stats.errors.append(f"upload {i} {path.name}: {type(exc).__name__}: {exc!s:.300}")
                with contextlib.suppress(Exception):
                    await start()
            await asyncio.sleep(args.think * 0.5)
    except Exception as exc:
        stats.errors.append(f"upload {i} start: {type(exc).__name__}: {exc!s:.300}")
        if not ready:
            await clock.ready()
    finally:
        await context.close()


def cpu_seconds(server_pids: list[int]) -> tuple[float, float]:
    """CPU time used so far by the servers' process trees and by everything else this process
    started (the Playwright driver and chromium)."""
    import psutil

    def total(procs: list[psutil.Process]) -> float:
        out = 0.0
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                t = proc.cpu_times()
                out += t.user + t.system
        return out

    server_tree: list[psutil.Process] = []
    for pid in server_pids:
        with contextlib.suppress(psutil.Error):
            server = psutil.Process(pid)
            server_tree += [server, *server.children(recursive=True)]
    pids = {p.pid for p in server_tree}
    others = [p for p in psutil.Process().children(recursive=True) if p.pid not in pids]
    return total(server_tree), total(others)


async def cpu_during(clock: Clock, server_pids: list[int], out: dict[str, float]) -> None:
    """The CPU share of servers and browser over the measured period."""
    await clock.go.wait()
    server0, browser0 = cpu_seconds(server_pids)
    while clock.running():
        await asyncio.sleep(0.5)
    server1, browser1 = cpu_seconds(server_pids)
    capacity = (time.monotonic() - clock.started) * (os.cpu_count() or 1)
    out["server_cpu_share"] = (server1 - server0) / capacity
    out["browser_cpu_share"] = (browser1 - browser0) / capacity


async def drive(
    base: str,
    args: argparse.Namespace,
    accounts: dict[str, str],
    returns: Returns,
    stats: Stats,
    server_pids: list[int],
    instances: list[str] | None = None,
    db_url: str = "",
) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            before: dict[str, str] = {}
            for direct in instances or []:  # each instance's first render and cached uploads
                before[direct] = await deployment.shown_latest_upload(
                    browser, direct, open_app, 120
                )
            # Warm-up: the server's first render (imports, demo data read) is not a page time.
            warm = await browser.new_context(viewport={"width": 1280, "height": 900})
            page = await warm.new_page()
            page.set_default_timeout(args.timeout * 1000)
            started = time.monotonic()
            await open_app(page, base + "/", "Tổng quan", CHART, started + 120)
            first = time.monotonic() - started
            await warm.close()
            sessions = list(accounts.items())[: args.uploaders]
            clock = Clock(args.browsers + len(sessions), args.seconds)
            began = time.monotonic()
            cpu: dict[str, float] = {}
            tasks = [browse(i, browser, base, clock, args, stats) for i in range(args.browsers)]
            tasks.append(cpu_during(clock, server_pids, cpu))
            tasks += [
                upload(i, browser, base, clock, args, account, returns, stats)
                for i, account in enumerate(sessions)
            ]
            await asyncio.gather(*tasks)
            ended = time.monotonic()
            checked: dict[str, Any] = {}
            latest = deployment.latest_stored(db_url, returns.prefix) if instances else None
            if latest:  # (no upload, nothing to look for: the upload errors say why)
                seen, errors = await deployment.instances_see(
                    browser, instances, latest, open_app, args.timeout
                )
                stats.errors += errors
                checked = {"latest_upload": latest, "seen": seen, "before": before}
            return {
                "first_render_s": first,
                "ramp_up_s": clock.started - began,
                "ran_s": ended - clock.started,
                **cpu,
                "instances": checked,
            }
        finally:
            await browser.close()


def check_database(url: str, stats: Stats, prefix: str) -> dict[str, Any]:
    """Each confirmed upload stored exactly once, by its user; nothing else stored."""
    from ntm.storage import Store

    store = Store(url)
    try:
        uploads = store.uploads()
    finally:
        store.close()
    ours = uploads[uploads["file"].astype(str).str.startswith(prefix)]
    stored = collections.Counter(
        zip(ours["user"].astype(str), ours["file"].astype(str), strict=True)
    )
    confirmed = collections.Counter(stats.confirmed)
    seen_saved = {(u, f) for u, f, _ in stats.uploads}
    return {
        "confirmed": sum(confirmed.values()),
        "saved_on_screen": len(stats.uploads),
        "stored": sum(stored.values()),
        "lost": sorted(f"{u}/{f}" for u, f in confirmed if stored[(u, f)] == 0),
        "duplicated": sorted(f"{u}/{f}" for u, f in stored if stored[(u, f)] > 1),
        "unexpected": sorted(f"{u}/{f}" for u, f in stored if (u, f) not in confirmed),
        "saved_not_stored": sorted(f"{u}/{f}" for u, f in seen_saved if stored[(u, f)] != 1),
        "accepted": int((ours["status"] == "accepted").sum()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="how long the load runs")
    parser.add_argument("--browsers", type=int, default=20, help="browsing sessions")
    parser.add_argument("--uploaders", type=int, default=5, help="uploading sessions")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between clicks")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds per page or upload")
    parser.add_argument("--url", help="drive this running deployment (127.0.0.1) instead")
    parser.add_argument("--db", help="with --url: the database the deployment uses")
    parser.add_argument(
        "--instances", help="with --url: the app instances behind it, comma-separated addresses"
    )
    parser.add_argument(
        "--server-log", action="append", default=[], help="with --url: an instance's log"
    )
    args = parser.parse_args(argv)
    try:
        args.url = args.url and deployment.loopback_url(args.url)
        args.instances = [
            deployment.loopback_url(u) for u in (args.instances or "").split(",") if u
        ]
    except ValueError as exc:
        parser.error(str(exc))
    if bool(args.url) != bool(args.db) or ((args.instances or args.server_log) and not args.url):
        parser.error("--url and --db go together; --instances and --server-log need --url")
    if not CHROMIUM.exists():
        print(
            "needs Debian chromium at /usr/bin/chromium (apt-get install chromium)", file=sys.stderr
        )
        return 2
    if args.seconds <= 0 or args.browsers < 0 or args.uploaders < 0 or args.seconds > 3600:
        parser.error("--seconds must be in (0, 3600], sessions not negative")

    stats = Stats()
    prefix = f"load-{secrets.token_hex(3)}-"  # this run's files
    with tempfile.TemporaryDirectory(prefix="ntm-load-") as tmp:
        folder = Path(tmp)
        (folder / "returns").mkdir()
        returns = Returns(folder / "returns", prefix)
        if args.url:  # a deployment that runs already
            url = args.db
            accounts = prepare_database(url, args.uploaders, demo=False)
            pids = deployment.listening_pids(args.instances)
            memory = deployment.MemorySampler(pids)
            logs = deployment.Logs([Path(p) for p in args.server_log])
            try:
                times = asyncio.run(
                    drive(args.url, args, accounts, returns, stats, pids, args.instances, url)
                )
            finally:
                memory.stop()
            tracebacks, peak_rss = logs.tracebacks(), memory.peak_rss
        else:
            url = f"sqlite:///{folder / 'ntm.db'}"
            accounts = prepare_database(url, args.uploaders)
            server = Server(url, free_port(), folder / "server.log")
            try:
                times = asyncio.run(
                    drive(server.base, args, accounts, returns, stats, [server.proc.pid])
                )
            finally:
                server.stop()
            log = (folder / "server.log").read_text(encoding="utf-8", errors="replace")
            tracebacks, peak_rss = log.count("Traceback (most recent call last)"), server.peak_rss
        db = check_database(url, stats, prefix)

    page_times = [s for _, s in stats.pages]
    by_page = {
        address: round(percentile([s for a, s in stats.pages if a == address], 0.95) or 0, 3)
        for address, _, _ in ROUTES
    }
    upload_times = [s for _, _, s in stats.uploads]
    checked = times["instances"]
    seen_by_all = all(checked["seen"].values()) if checked else None
    ok = (
        seen_by_all is not False
        and not stats.errors
        and tracebacks == 0
        and not db["lost"]
        and not db["duplicated"]
        and not db["unexpected"]
        and not db["saved_not_stored"]
    )

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 3)

    result = {
        "target": args.url or "own server (SQLite)",
        "seconds": args.seconds,
        "browsers": args.browsers,
        "uploaders": args.uploaders,
        "think_s": args.think,
        "first_render_s": r(times["first_render_s"]),
        "ramp_up_s": r(times["ramp_up_s"]),
        "ran_s": r(times["ran_s"]),
        "session_start_p95_s": r(percentile(stats.starts, 0.95)),
        "page_loads": len(page_times),
        "page_p50_s": r(percentile(page_times, 0.5)),
        "page_p95_s": r(percentile(page_times, 0.95)),
        "page_max_s": r(max(page_times) if page_times else None),
        "page_p95_by_page_s": by_page,
        "uploads_saved": len(stats.uploads),
        "upload_p50_s": r(percentile(upload_times, 0.5)),
        "upload_p95_s": r(percentile(upload_times, 0.95)),
        "uploads_confirmed": db["confirmed"],
        "uploads_stored": db["stored"],
        "uploads_exactly_once": not (
            db["lost"] or db["duplicated"] or db["unexpected"] or db["saved_not_stored"]
        ),
        "uploads_lost": db["lost"],
        "uploads_duplicated": db["duplicated"],
        "uploads_unexpected": db["unexpected"],
        "latest_upload": checked.get("latest_upload"),
        "seen_by_instances": checked.get("seen"),
        "seen_by_every_instance": seen_by_all,
        "shown_before_load": checked.get("before"),
        "errors": len(stats.errors),
        "error_samples": stats.errors[:10],
        "server_tracebacks": tracebacks,
        "server_peak_rss_mb": round(peak_rss / 2**20, 1),
        "server_cpu_share": r(times.get("server_cpu_share")),
        "browser_cpu_share": r(times.get("browser_cpu_share")),
        "cpus": os.cpu_count(),
        "ok": ok,
    }
    print(
        f"{args.browsers} browsing + {args.uploaders} uploading sessions for {args.seconds:g} s "
        f"against {result['target']} (first render {result['first_render_s']} s)\n"
        f"  pages: {len(page_times)} loads, p50 {result['page_p50_s']} s, "
        f"p95 {result['page_p95_s']} s, max {result['page_max_s']} s; p95 by page {by_page}\n"
        f"  uploads: {len(stats.uploads)} saved (p50 {result['upload_p50_s']} s, p95 "
        f"{result['upload_p95_s']} s), {db['stored']} stored, exactly once: "
        f"{result['uploads_exactly_once']}\n"
        + (
            f"  newest upload {checked['latest_upload']} on each instance's Dữ liệu (opened "
            f"directly): {checked['seen']}\n"
            if checked
            else ""
        )
        + f"  errors: {len(stats.errors)}; server tracebacks: {tracebacks}; server peak RSS "
        f"{result['server_peak_rss_mb']} MB\n"
        f"  CPU share of the {os.cpu_count()} cores while measuring: server "
        f"{result['server_cpu_share']}, browser {result['browser_cpu_share']}"
    )
    for line in stats.errors[:10]:
        print("  error:", line)
    if page_times:
        print(f"  page time spread: stdev {statistics.pstdev(page_times):.2f} s")
    print(json.dumps(result, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
