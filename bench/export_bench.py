"""Time to produce the meeting exports for the demo commune (issue 6: "time to produce the full
deck for the demo commune").

The bundled demo returns (data/demo/duong-quang-2021..2025.xlsx) are read and assessed once;
then, for each year asked (default 2025, and 2023, a year with many unmet criteria):

- `deck_cold_s`: the full PPTX deck in a process whose chart browser is not started yet (what
  `ntm export --format pptx` costs after start-up: chromium start ~2 s + every chart);
- `deck_warm_s`: the same again with the browser running (what the Báo cáo page costs after
  its first export), median of `--repeat` runs;
- `pdf_warm_s`, `xlsx_s`, `png_zip_warm_s` (every chart at 1920 × 1080 and 2×);
- `slides`, `charts`, `deck_bytes`.

Also `cli_pptx_s`: the whole `ntm export --format pptx` command as a child process on a fresh
SQLite database holding the demo returns (process start, imports, assessment, browser, deck).

Prints one JSON object.

    .venv/bin/python bench/export_bench.py [--years 2025 2023] [--repeat 3] [--no-cli]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
COMMUNE = "Dương Quang"


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def measure(years: list[int], repeat: int) -> dict[str, Any]:
    from pptx import Presentation

    from ntm.attainment import assess
    from ntm.exports import build_report, png_zip
    from ntm.exports.images import shutdown
    from ntm.exports.pdf import build_pdf
    from ntm.exports.pptx import build_pptx
    from ntm.exports.xlsx import build_xlsx
    from ntm.returns import read_return

    files = sorted(DEMO.glob("duong-quang-*.xlsx"))
    read_s, values = _timed(
        lambda: pd.concat([read_return(p).values for p in files], ignore_index=True)
    )
    assess_s, assessment = _timed(lambda: assess(values, keys={COMMUNE: "tdmnpb"}))
    out: dict[str, Any] = {
        "demo_files": len(files),
        "read_s": round(read_s, 3),
        "assess_s": round(assess_s, 3),
        "years": {},
    }
    for year in years:
        report_s, report = _timed(
            lambda y=year: build_report(assessment, COMMUNE, y, sources=[p.name for p in files])
        )
        shutdown()  # a cold start for the first deck of each year
        cold_s, deck = _timed(lambda r=report: build_pptx(r))
        warm = [_timed(lambda r=report: build_pptx(r))[0] for _ in range(repeat)]
        pdf = [_timed(lambda r=report: build_pdf(r))[0] for _ in range(repeat)]
        xlsx_s, _ = _timed(lambda r=report: build_xlsx(r))
        png_s, _ = _timed(lambda r=report: png_zip(r))
        prs = Presentation(io.BytesIO(deck))
        charts = sum(1 for s in prs.slides for sh in s.shapes if sh.shape_type == 13)
        out["years"][str(year)] = {
            "report_s": round(report_s, 3),
            "deck_cold_s": round(cold_s, 2),
            "deck_warm_s": round(statistics.median(warm), 2),
            "pdf_warm_s": round(statistics.median(pdf), 2),
            "xlsx_s": round(xlsx_s, 3),
            "png_zip_warm_s": round(png_s, 2),
            "slides": len(prs.slides),
            "charts": charts,
            "unmet_criteria": len(report.unmet),
            "deck_bytes": len(deck),
        }
    shutdown()
    return out


def measure_cli(year: int) -> dict[str, Any]:
    """`ntm import` then `ntm export --format pptx` as child processes on a fresh database."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'ntm.db'}"
        env = {**os.environ, "NTM_USER": "bench"}
        ntm = [sys.executable, "-m", "ntm.cli"]
        subprocess.run(
            [*ntm, "import", "--db", url, *map(str, sorted(DEMO.glob("duong-quang-*.xlsx")))],
            check=True,
            capture_output=True,
            env=env,
        )
        out = Path(tmp) / "deck.pptx"
        start = time.perf_counter()
        done = subprocess.run(
            [
                *ntm,
                "export",
                "--db",
                url,
                "--commune",
                COMMUNE,
                "--period",
                str(year),
                "--format",
                "pptx",
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            return {"error": done.stderr.strip()[-500:]}
        return {"cli_pptx_s": round(seconds, 2), "bytes": out.stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, nargs="+", default=[2025, 2023])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "bench": "export",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    result.update(measure(args.years, args.repeat))
    if not args.no_cli:
        result["cli"] = measure_cli(args.years[0])
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
