"""The load test against a deployment that runs already (bench/load_test.py --url), e.g. the
province stack of scripts/province-stack.sh: nginx in front of several app instances on one
PostgreSQL database.

What this adds to the load test:

- the addresses it is given must be on 127.0.0.1 (or localhost): it sends traffic nowhere else;
- the app instances behind the proxy (`--instances`, their own addresses) are found by the port
  they listen on, so their CPU time and memory are measured as the own server's are;
- each instance is opened directly, bypassing the proxy, on Dữ liệu before the load (so its
  cached list of uploads exists) and again after it: the newest upload in the database must then
  be the one its upload picker shows. The newest upload was written by one instance; the other
  shows it only if it noticed the other's write (`ntm.ui.services.follow_other_writers`).
- the instances' logs (`--server-log`) are read for tracebacks written during the run.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DATA_PAGE = ("du-lieu", "Dữ liệu", '[data-testid="stDataFrame"]')
# The upload picker is the first select box in the main area of Dữ liệu; its input shows the
# chosen value, "#<upload id> · <file> · <when> · <user>", the newest upload by default.
PICKER = '[data-testid="stMain"] [data-testid="stSelectbox"]'

OpenApp = Callable[[Any, str, str, str | None, float], Awaitable[None]]


def loopback_url(url: str) -> str:
    """`url` without a trailing slash; ValueError unless it is http(s) on 127.0.0.1."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK:
        raise ValueError(f"{url}: only http://127.0.0.1:PORT addresses are driven")
    return url.rstrip("/")


def listening_pids(urls: list[str]) -> list[int]:
    """The processes listening on the ports of `urls` (best effort: [] when not visible)."""
    import psutil

    ports = {urlsplit(u).port for u in urls}
    pids: set[int] = set()
    with contextlib.suppress(psutil.Error, OSError):
        for conn in psutil.net_connections(kind="tcp"):
            listening = conn.status == psutil.CONN_LISTEN and conn.laddr
            if listening and conn.laddr.port in ports and conn.pid:
                pids.add(conn.pid)
    return sorted(pids)


class MemorySampler:
    """The peak of the summed resident memory of some processes (and their children)."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.wait(0.5):
            total = 0
            for pid in self.pids:
                with contextlib.suppress(psutil.Error):
                    proc = psutil.Process(pid)
                    for p in (proc, *proc.children(recursive=True)):
                        with contextlib.suppress(psutil.Error):
                            total += p.memory_info().rss
            self.peak_rss = max(self.peak_rss, total)

    def stop(self) -> None:
        self._stop.set()


class Logs:
    """Tracebacks the instances write to their logs from now on."""

    def __init__(self, paths: list[Path]):
        self.start = {p: p.stat().st_size if p.exists() else 0 for p in paths}

    def tracebacks(self) -> int:
        count = 0
        for path, offset in self.start.items():
            if path.exists():
                with path.open("rb") as f:
                    f.seek(offset)
                    text = f.read().decode("utf-8", errors="replace")
                count += text.count("Traceback (most recent call last)")
        return count


async def shown_latest_upload(browser: Any, base: str, open_app: OpenApp, timeout: float) -> str:
    """The upload picker's shown value on Dữ liệu, in a new browser session at `base`."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = await context.new_page()
        page.set_default_timeout(timeout * 1000)
        address, title, selector = DATA_PAGE
        await open_app(page, f"{base}/{address}", title, selector, time.monotonic() + timeout)
        shown = page.locator(PICKER).first.locator("input").first
        await shown.wait_for(state="visible")
        return str(await shown.input_value())
    finally:
        await context.close()


def latest_stored(db_url: str, prefix: str) -> str | None:
    """The file of the newest upload in the database, if it is one of this run's."""
    from ntm.storage import Store

    store = Store(db_url)
    try:
        newest = store.uploads(limit=1)
    finally:
        store.close()
    if newest.empty:
        return None
    name = str(newest["file"].iloc[0])
    return name if name.startswith(prefix) else None


async def instances_see(
    browser: Any, instances: list[str], latest: str | None, open_app: OpenApp, timeout: float
) -> tuple[dict[str, bool], list[str]]:
    """Whether each instance, opened directly, shows `latest` as the newest upload."""
    seen: dict[str, bool] = {}
    errors: list[str] = []
    for base in instances:
        try:
            shown = await shown_latest_upload(browser, base, open_app, timeout)
        except Exception as exc:
            errors.append(f"instance {base} Dữ liệu: {type(exc).__name__}: {exc!s:.300}")
            seen[base] = False
            continue
        seen[base] = latest is not None and f" · {latest} · " in shown
        if not seen[base]:
            errors.append(f"instance {base} shows {shown!r} as the newest upload, not {latest}")
    return seen, errors
