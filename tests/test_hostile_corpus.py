"""The hostile upload corpus (tests/hostile_corpus.py) is refused cleanly or read safely.

For every file, imported through `Store.import_bytes(..., keep_refused=False)` in a forked child
of its own (so its peak memory is its own): within 500 MB of RSS growth, no
traceback and nothing logged as an error; a refused file has exactly one problem, the expected
one, in clear Vietnamese, and leaves every table of the database as it was; a file that is read
(macros, formula-injection text, HTML or control characters in names) is stored once.

Then what such text becomes: formula-injection strings stay text in the Excel export; village
names lose bidi-override and zero-width characters; no page renders a village's `<script>` or a
commune's `<a href>` as markup (Markdown, HTML, or plotly's label tags); the upload page refuses
hostile files with one problem each and stores nothing.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import streamlit as st
from hostile_corpus import (
    CONTROL_VILLAGES,
    CORPUS,
    HTML_COMMUNE,
    HTML_VILLAGES,
    INJECTIONS,
    SAFE_COMMUNE_STORED,
    register_villages,
)
from streamlit.testing.v1 import AppTest

from ntm.auth import Role, User
from ntm.storage import Store
from ntm.ui import auth_ui, services, state

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
RSS_MB = 500.0
STAFF = User("Lan", Role.STAFF)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every case imported in turn into one database, each in a child process of its own."""
    url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'ntm.db'}"
    proc = subprocess.run(
        [sys.executable, str(HERE / "hostile_corpus.py"), "--db", url, "--timeout", "60"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = {}
    for line in proc.stdout.splitlines():
        report = json.loads(line)
        found[report["name"]] = report
    return found


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_file_is_refused_or_read_within_bounds(
    reports: dict[str, dict[str, Any]], name: str, record_property: Any
) -> None:
    """The time a file may take is the reader's own limit (`parse_seconds`, refused with
    `parse_timeout`): the expected problem below, not a clock read here. The time is reported."""
    case = CORPUS[name]
    r = reports[name]
    assert not r.get("traceback"), r.get("traceback")
    assert r["logged"] == [], r["logged"]
    assert r["exit_status"] == 0
    record_property("seconds", round(r["seconds"], 2))
    assert r["rss_growth_mb"] < RSS_MB, f"{name}: {r['rss_growth_mb']:.0f} MB"
    problems = r["problems"]
    if case.refused:
        assert r["status"] == "refused"
        assert len(problems) == 1, problems  # one clear problem
        assert case.code is not None and problems[0]["code"] == case.code.value
        assert problems[0]["level"] == "error"
        message = problems[0]["message"]
        assert message and "Traceback" not in message and "Error" not in message
        assert re.search(r"[àáảãạăâđèéêìíòóôơùúưỳý]", message.lower()), message  # Vietnamese
        assert r["after"] == r["before"], "a refused file leaves the database as it was"
    else:
        assert r["status"] == "accepted", problems
        assert not [p for p in problems if p["level"] == "error"]
        if case.code is not None:
            assert case.code.value in {p["code"] for p in problems}
        assert r["after"]["uploads"] == r["before"]["uploads"] + 1


def test_the_corpus_covers_the_issue() -> None:
    """Issue 8's list, each kind present at least once."""
    names = " ".join(CORPUS).lower()
    for kind in (
        "truncated",
        "csv",
        "html renamed",
        "bomb",
        "entity expansion",
        "10,000-sheet",
        "1,000,000-row",
        "password",
        ".xlsm",
        "formula injection",
        "html/markdown",
        "rtl/zero-width",
    ):
        assert kind in names, kind


# --- what hostile text becomes ---------------------------------------------------------------


def _clear() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="module")
def text_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database holding the returns with hostile text (no demo data), used by the app."""
    url = f"sqlite:///{tmp_path_factory.mktemp('text') / 'ntm.db'}"
    store = Store(url).migrate()
    register_villages(store)
    for name, case in CORPUS.items():
        if not case.refused and name != "macro-enabled .xlsm":
            outcome = store.import_bytes(case.maker(), case.filename, user="hostile")
            assert outcome.status == "accepted", (name, outcome.problems)
    store.save_user(STAFF.name, STAFF.role.value, None, user="test")  # the uploader's account
    store.close()
    before = os.environ.get("NTM_DATABASE_URL")
    os.environ["NTM_DATABASE_URL"] = url
    _clear()
    try:
        yield url
    finally:
        _clear()
        if before is None:
            os.environ.pop("NTM_DATABASE_URL", None)
        else:
            os.environ["NTM_DATABASE_URL"] = before


def test_formula_injection_text_is_stored_as_text_and_exported_inert(text_db: str) -> None:
    from ntm.exports.report import report_from_store
    from ntm.exports.xlsx import build_xlsx

    store = Store(text_db)
    try:
        for text in INJECTIONS.values():
            values = store.current_values(commune=text)
            assert not values.empty, text
            assert set(values["village"]) == {text} and set(values["note"]) == {text}
            book = openpyxl.load_workbook(
                io.BytesIO(build_xlsx(report_from_store(store, text, 2024)))
            )
            cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
            assert not [c.coordinate for c in cells if c.data_type == "f"], text
            assert any(c.value == text for c in cells), "the name is written, as text"
    finally:
        store.close()


def test_village_names_lose_bidi_override_and_zero_width_characters(text_db: str) -> None:
    store = Store(text_db)
    try:
        villages = set(store.current_values(commune=SAFE_COMMUNE_STORED)["village"])
    finally:
        store.close()
    bad = {v for v in villages if any(unicodedata.category(ch) in ("Cf", "Cc") for ch in str(v))}
    assert bad == set(), [ascii(v) for v in bad]
    assert set(CONTROL_VILLAGES.values()) <= villages


def run_page(name: str, **seed: Any) -> AppTest:
    at = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=30)
    for key, value in seed.items():
        at.session_state[key] = value
    return at.run()


def markup(at: AppTest) -> list[str]:
    """Every string the run hands to Streamlit's Markdown/HTML renderers."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "success",
        "warning",
        "error",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label}\n{m.value}" for m in at.metric]
    for table in at.table:
        frame = table.value
        parts += [str(c) for c in frame.columns]
        parts += [str(v) for v in frame.to_numpy().ravel()]
    for kind in ("badge", "html"):
        parts += [str(e.proto) for e in at.get(kind)]
    for kind in ("selectbox", "button", "text_input", "segmented_control", "toggle"):
        parts += [str(w.label) for w in getattr(at, kind)]
    return parts


RAW = re.compile(r"(?<!\\)<(script|img|a|b)\b|(?<!\\)\*\*x(?<!\\)\*\*|(?<!\\)\]\(javascript", re.I)
HERE_SEED = {state.CRITERION: "2", state.INDICATOR: "2.2"}


@pytest.mark.parametrize(
    ("page_file", "commune", "seed"),
    [
        ("tong_quan.py", SAFE_COMMUNE_STORED, {}),
        ("tieu_chi.py", SAFE_COMMUNE_STORED, HERE_SEED),
        ("du_lieu.py", SAFE_COMMUNE_STORED, {}),
        *[("thon.py", SAFE_COMMUNE_STORED, {state.VILLAGE: v}) for v in HTML_VILLAGES.values()],
        *[(page, HTML_COMMUNE, HERE_SEED) for page in ("tong_quan.py", "tieu_chi.py", "thon.py")],
        *[(page, HTML_COMMUNE, {}) for page in ("du_lieu.py", "nhap_lieu.py", "7_Bao_cao.py")],
    ],
    ids=[
        "tong_quan",
        "tieu_chi",
        "du_lieu",
        *HTML_VILLAGES,
        *[f"html commune {p}" for p in ("tong_quan", "tieu_chi", "thon", "du_lieu", "nhap_lieu")],
        "html commune bao_cao",
    ],
)
def test_pages_never_render_a_name_as_markup(
    text_db: str, page_file: str, commune: str, seed: dict[str, Any]
) -> None:
    at = run_page(page_file, **{state.COMMUNE: commune, state.YEAR: 2024, **seed})
    assert not at.exception, [e.value for e in at.exception]
    drawn = markup(at)
    raw = [s for s in drawn if RAW.search(s)]
    assert raw == [], raw
    if page_file == "thon.py" and commune == SAFE_COMMUNE_STORED:  # the name is shown, escaped
        assert any(r"\<" in s or r"\*\*" in s or r"\[a\]" in s for s in drawn)


CHART_CASES = [
    ("thon.py", SAFE_COMMUNE_STORED, {state.VILLAGE: HTML_VILLAGES["script"]}),
    ("tong_quan.py", HTML_COMMUNE, {}),
    ("tieu_chi.py", HTML_COMMUNE, {state.CRITERION: "2", state.INDICATOR: "2.2"}),
]


def _chart_markup(at: AppTest) -> list[str]:
    """Tags in the charts' texts that plotly would draw (it reads <b>, <a href>, … in labels);
    the charts' own markup (<br>, <b>…</b> of statuses, <extra>) is not user text."""
    found = []
    for chart in at.get("plotly_chart"):
        spec = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
        found += re.findall(r"<(?:script|img|a)\b[^>]*>|<b>Xã</b>", spec, re.I)
    return found


@pytest.mark.parametrize(
    ("page_file", "commune", "seed"), CHART_CASES, ids=["thon", "tong_quan", "tieu_chi"]
)
def test_charts_never_carry_a_name_as_markup(
    text_db: str, page_file: str, commune: str, seed: dict[str, Any]
) -> None:
    at = run_page(page_file, **{state.COMMUNE: commune, state.YEAR: 2024, **seed})
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart")
    assert _chart_markup(at) == []


def test_pages_draw_communes_named_like_formulas(text_db: str) -> None:
    for text in INJECTIONS.values():
        at = run_page("tong_quan.py", **{state.COMMUNE: text, state.YEAR: 2024})
        assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize(
    "name",
    [
        "CSV renamed .xlsx",
        "500 MB decompression bomb",
        "password-protected workbook",
        "10,000 sheets",
    ],
)
def test_upload_page_refuses_hostile_files_and_stores_nothing(text_db: str, name: str) -> None:
    case = CORPUS[name]
    at = run_page("nhap_lieu.py", **{state.UPLOADER_ROUND: 0}, **auth_ui.session_for(STAFF))
    before = len(services.store().uploads())
    uploader = at.file_uploader(key=f"{state.UPLOADER}_0")
    uploader.set_value((case.filename, case.maker(), services.XLSX_MIME)).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "1 lỗi" in errors[0], errors
    problems = at.dataframe[-1].value
    assert len(problems) == 1 and problems.iloc[0]["Mã lỗi"] == case.code.value  # type: ignore[union-attr]
    assert at.button(key="confirm_upload").disabled
    assert len(services.store().uploads()) == before
