"""The load test (bench/load_test.py) in its quick form: 4 browsing and 2 uploading sessions for
15 s against the app on 127.0.0.1 — no error, every confirmed upload stored exactly once, and a
summary then one JSON object on the last line. The full run (20 + 5 sessions, 2 minutes) is not
part of the test suite: `.venv/bin/python bench/load_test.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian chromium")
def test_quick_load_run_has_no_error_and_no_lost_upload(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load_test.py"),
            *("--seconds", "15", "--browsers", "4", "--uploaders", "2"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    assert lines, proc.stderr[-3000:]
    result = json.loads(lines[-1])
    assert proc.returncode == 0, (result, proc.stderr[-3000:])
    assert result["errors"] == 0 and result["server_tracebacks"] == 0, result["error_samples"]
    assert result["uploads_exactly_once"] is True
    assert result["uploads_saved"] >= 1 and result["uploads_stored"] == result["uploads_saved"]
    assert result["page_loads"] >= 4
    for key in ("page_p50_s", "page_p95_s", "page_max_s", "first_render_s", "server_peak_rss_mb"):
        assert isinstance(result[key], int | float), key
