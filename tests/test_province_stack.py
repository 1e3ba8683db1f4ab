"""The province deployment (scripts/province-stack.sh, README "Triển khai cấp tỉnh"): the script
creates, migrates and seeds a PostgreSQL database of its own, starts two app instances and
Debian's nginx in front of them, all on 127.0.0.1; the load test (bench/load_test.py --url)
drives 2 browsing and 1 uploading sessions through nginx for 15 s. Pages run through nginx (a
Streamlit page runs over its websocket: nginx logs the upgrade, status 101); every confirmed
upload is stored exactly once; each instance, opened directly, listed an older newest upload
before the load and lists the run's newest upload after it, though only one of them wrote it;
every request of a browser session went to one instance (sticky sessions). Then `stop` ends
every process the script started and the database is dropped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa
from storage_fixtures import PG_SERVER, require_postgres

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "province-stack.sh"
LINE = re.compile(
    r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) .* upstream=(?P<upstream>\S+) '
    r".* route=(?P<route>\S+)$"
)

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.postgres]


def _run(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _alive(pid: int) -> bool:
    """Runs (a zombie not yet reaped by its new parent does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_stack_serves_through_nginx_and_each_instance_sees_the_others_upload(
    tmp_path: Path,
) -> None:
    require_postgres()
    assert shutil.which("nginx") or Path("/usr/sbin/nginx").exists(), (
        "needs Debian's nginx (scripts/system-deps.sh installs it: make test)"
    )
    assert Path("/usr/bin/chromium").exists(), "needs Debian chromium (make test installs it)"
    db = f"ntm_stack_test_{uuid.uuid4().hex[:10]}"
    state = tmp_path / "state"
    env = {**os.environ, "PROVINCE_DB": db, "PROVINCE_STATE": str(state)}
    env.pop("NTM_DATABASE_URL", None)
    db_url = f"{PG_SERVER}/{db}"
    pids: list[int] = []
    try:
        started = _run(["bash", str(SCRIPT), "start"], env, timeout=600)
        assert started.returncode == 0, started.stdout + started.stderr
        # The whole demo: Dương Quang and Đôn Phong 2021-2025, Phong Quang 2026 (data/demo).
        assert "11 demo returns imported" in started.stdout, started.stdout
        pids = [int((state / f"{name}.pid").read_text()) for name in ("app-1", "app-2", "nginx")]
        assert all(_alive(pid) for pid in pids)
        status = _run(["bash", str(SCRIPT), "status"], env, timeout=60)
        assert status.returncode == 0, status.stdout + status.stderr
        again = _run(["bash", str(SCRIPT), "start"], env, timeout=120)  # idempotent
        assert again.returncode == 0 and "already running" in again.stdout, again.stdout

        proxy = f"http://127.0.0.1:{(state / 'nginx.port').read_text().strip()}"
        apps = [f"http://127.0.0.1:{(state / f'app-{i}.port').read_text().strip()}" for i in (1, 2)]
        with urllib.request.urlopen(proxy + "/", timeout=30) as answer:
            assert answer.status == 200
            assert re.match(r"ntm_route=[0-9a-f]{32};", answer.headers["Set-Cookie"] or "")

        load = _run(
            [
                sys.executable,
                str(ROOT / "bench" / "load_test.py"),
                *("--url", proxy, "--db", db_url, "--instances", ",".join(apps)),
                *("--server-log", str(state / "app-1.log")),
                *("--server-log", str(state / "app-2.log")),
                *("--seconds", "15", "--browsers", "2", "--uploaders", "1"),
            ],
            env,
            timeout=900,
        )
        lines = load.stdout.strip().splitlines()
        assert lines, load.stderr[-3000:]
        result = json.loads(lines[-1])
        assert load.returncode == 0, load.stdout[-4000:] + load.stderr[-3000:]
        assert result["errors"] == 0 and result["server_tracebacks"] == 0, result["error_samples"]
        assert result["uploads_exactly_once"] is True
        assert result["uploads_saved"] >= 1 and result["uploads_stored"] == result["uploads_saved"]
        assert result["page_loads"] >= 2
        latest = result["latest_upload"]
        assert latest and latest.startswith("load-")
        assert result["seen_by_instances"] == dict.fromkeys(apps, True)
        for app in apps:  # each instance had listed an older upload as the newest before
            assert latest not in result["shown_before_load"][app]

        log = (state / "access.log").read_text().splitlines()
        requests = [m for m in map(LINE.search, log) if m]
        upstreams = {app.removeprefix("http://") for app in apps}
        streams = [m for m in requests if m["path"] == "/_stcore/stream" and m["status"] == "101"]
        assert streams, "no websocket went through nginx"
        assert {m["upstream"] for m in streams} <= upstreams
        puts = [m for m in requests if m["path"].startswith("/_stcore/upload_file/")]
        assert puts and all(m["status"] == "204" for m in puts), [m.group(0) for m in puts]
        by_route: dict[str, set[str]] = defaultdict(set)
        for m in requests:
            by_route[m["route"]].add(m["upstream"])
        assert all(len(u) == 1 for u in by_route.values()), by_route  # sticky
        # the uploading session's websocket and its uploads: one instance, behind nginx
        upload_routes = {m["route"] for m in puts}
        assert upload_routes <= {m["route"] for m in streams}
        assert all(by_route[r] <= upstreams for r in upload_routes)
    finally:
        stopped = _run(["bash", str(SCRIPT), "stop"], env, timeout=120)
        after = _run(["bash", str(SCRIPT), "status"], env, timeout=60)
        engine = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        finally:
            engine.dispose()
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert after.returncode == 3, after.stdout  # nothing runs
    assert pids and not any(_alive(pid) for pid in pids)
