"""Meeting exports (issue 6): every produced file is opened with its own library.

- PPTX (python-pptx): 16:9, slide count and titles, picture sizes in pixels, Vietnamese text
  with diacritics, type large enough for a projector.
- PDF (pypdf): A4 landscape, page count, Vietnamese text extracted from the pages.
- XLSX (openpyxl): the tables, and no text cell can run as a formula, even for a village
  named `=HYPERLINK(...)`, `+1`, `-2` or `@x`.
- PNG (Pillow): 1920 × 1080 and 3840 × 2160 for print, the footnote drawn inside.
- Rendering never hangs: a browser that does not start gives `ImageRenderError` after the
  configured timeout.

Tests marked `needs_chromium` draw real charts through kaleido and Debian's chromium (one
browser for the whole module); the others use a stand-in renderer that returns a blank PNG
of the requested size, so layout and text are checked without a browser.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from app_fixtures import duong_quang_demo, use_database
from PIL import Image
from pptx import Presentation
from pptx.presentation import Presentation as PresentationFile
from pptx.util import Emu
from pypdf import PdfReader

from ntm import charts
from ntm.attainment import Assessment, assess
from ntm.cli import main
from ntm.demo import DEMO_USER
from ntm.demo import seed as seed_demo
from ntm.exports import ExportFile, build_report, export, png_zip
from ntm.exports.fonts import FontNotFoundError, find_font, has_vietnamese
from ntm.exports.images import HEIGHT, WIDTH, export_figure
from ntm.exports.pdf import build_pdf
from ntm.exports.pptx import build_pptx, unmet_layout
from ntm.exports.report import (
    Report,
    commune_title,
    data_provenance,
    report_from_store,
    shorten,
    slug,
)
from ntm.exports.xlsx import build_xlsx, safe_cell
from ntm.i18n import t
from ntm.returns import read_return
from ntm.storage import Store
from ntm.ui import services

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
COMMUNE = "Dương Quang"
YEAR = 2025
HOSTILE = {
    "Bản Giềng": '=HYPERLINK("http://evil.example","bấm")',
    "Quan Nưa": "+1",
    "Nà Rào": "-2+3",
    "Bản Bung": "@x",
    "Nà Dì": "\t=1+1",
}

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and not os.environ.get("BROWSER_PATH"),
    reason="needs Debian's chromium for kaleido (make system-deps)",
)


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_values() -> pd.DataFrame:
    frames = [read_return(path).values for path in sorted(DEMO.glob("duong-quang-*.xlsx"))]
    assert len(frames) == 5, "the demo returns are missing: run scripts/make_demo_data.py"
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def assessment(demo_values: pd.DataFrame) -> Assessment:
    return assess(demo_values, keys={COMMUNE: "tdmnpb"})


@pytest.fixture(scope="module")
def report(assessment: Assessment) -> Report:
    sources = [p.name for p in sorted(DEMO.glob("duong-quang-*.xlsx"), reverse=True)]
    return build_report(assessment, COMMUNE, YEAR, sources=sources, demo=True)


@pytest.fixture(scope="module")
def report_2023(assessment: Assessment) -> Report:
    """An earlier year with many unmet criteria (several unmet slides)."""
    return build_report(assessment, COMMUNE, 2023, sources=["duong-quang-2023.xlsx"], demo=True)


@pytest.fixture(scope="module")
def hostile_report(demo_values: pd.DataFrame) -> Report:
    values = demo_values.copy()
    values["village"] = values["village"].map(lambda v: HOSTILE.get(v, v) if v else v)
    hostile = assess(values, keys={COMMUNE: "tdmnpb"})
    return build_report(hostile, COMMUNE, YEAR, sources=["=cmd|' /C calc'!A0.xlsx"])


def blank_png(fig: go.Figure, width: int, height: int) -> bytes:
    """Stand-in renderer: a white PNG of the requested size (scale 2)."""
    out = io.BytesIO()
    Image.new("RGB", (width * 2, height * 2), "white").save(out, format="PNG")
    return out.getvalue()


def slide_texts(prs: PresentationFile) -> list[str]:
    texts = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts.extend(c.text for row in shape.table.rows for c in row.cells)
    return texts


def expected_titles(r: Report) -> list[str]:
    titles = [
        f"Kết quả năm {r.period}",
        f"Mức đạt tiêu chí của từng thôn, năm {r.period}",
    ]
    for item in r.unmet:
        pages = unmet_layout(r, item)[2]
        base = f"Tiêu chí {item.number} · {item.name} — chưa đạt"
        n = len(pages)
        titles += [base] if n == 1 else [f"{base} ({i}/{n})" for i in range(1, n + 1)]
    titles += [
        "Tiến độ qua các năm",
        f"Thay đổi so với năm {r.changes.previous}",
        "Nguồn số liệu và ghi chú",
    ]
    return titles


# --- the report ------------------------------------------------------------------------------


def test_report_reads_the_assessment(assessment: Assessment, report: Report) -> None:
    """The headline, unmet criteria and blockers are the assessment's, never recomputed."""
    units = assessment.units
    row = units[units["village"].isna() & (units["period"] == YEAR)].iloc[0]
    assert (report.headline.met, report.headline.total) == (
        int(row["criteria_met"]),
        int(row["criteria_total"]),
    )
    crit = assessment.criteria
    unmet = crit[crit["village"].isna() & (crit["period"] == YEAR) & (crit["status"] == "unmet")]
    assert [u.number for u in report.unmet] == [str(c) for c in unmet["criterion"]]
    previous = units[units["village"].isna() & (units["period"] == YEAR - 1)].iloc[0]
    assert report.headline.delta == int(row["criteria_met"]) - int(previous["criteria_met"])
    blockers = assessment.blockers
    now = blockers[blockers["period"] == YEAR]
    assert sorted((b.village, b.code) for b in (x for u in report.unmet for x in u.blockers)) == (
        sorted(zip(now["village"], now["code"], strict=True))
    )
    assert report.demo  # built as the bundled demo's: every export says so
    assert report.grid_rows[0] == "Toàn xã" and len(report.grid_rows) == 10


def test_criteria_without_a_threshold_are_not_called_missing_data(report: Report) -> None:
    """318 criteria 10 (income) and 11 (poverty) ship without threshold: "Chưa có ngưỡng"."""
    commune_row = report.grid[report.grid["row"] == "Toàn xã"].set_index("column")["status"]
    assert (commune_row["10"], commune_row["11"]) == ("no_threshold", "no_threshold")
    assert {c.number: c.status_text for c in report.unknown} == {
        "10": "Chưa có ngưỡng",
        "11": "Chưa có ngưỡng",
    }


def test_unverified_thresholds_are_footnoted(report: Report) -> None:
    assert report.unverified > 0
    assert report.footnote.startswith("* ")
    assert any(p.threshold_text.endswith("*") for p in report.commune_lines if not p.verified)


@pytest.mark.parametrize(
    ("func", "arg", "expected"),
    [
        pytest.param(slug, "Dương Quang", "duong-quang", id="slug"),
        pytest.param(slug, "Đắk Nông 2/3", "dak-nong-2-3", id="slug-d"),
        pytest.param(commune_title, "Dương Quang", "Xã Dương Quang", id="title"),
        pytest.param(commune_title, "Xã Dương Quang", "Xã Dương Quang", id="title-kept"),
    ],
)
def test_names(func: object, arg: str, expected: str) -> None:
    assert func(arg) == expected  # type: ignore[operator]


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("một hai ba bốn năm", 12) == "một hai ba…"
    assert shorten("ngắn", 12) == "ngắn"


# --- PPTX --------------------------------------------------------------------------------------


def _check_deck(data: bytes, r: Report) -> PresentationFile:
    prs = Presentation(io.BytesIO(data))
    width, height = prs.slide_width, prs.slide_height
    assert (width, height) == (Emu(12191695), Emu(6858000))
    assert width is not None and height is not None
    titles = [s.shapes.title.text_frame.text for s in list(prs.slides)[1:]]
    assert titles == expected_titles(r)
    # Every shape inside the slide; every run at least 11 pt; titles at least 22 pt.
    for slide in prs.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0
            assert shape.left + shape.width <= width + Emu(12700)
            assert shape.top + shape.height <= height + Emu(12700)
            if shape.has_text_frame:
                for p in shape.text_frame.paragraphs:
                    for run in p.runs:
                        if run.text.strip():
                            assert run.font.size is not None and run.font.size.pt >= 11
        if slide.shapes.title is not None:
            assert slide.shapes.title.text_frame.paragraphs[0].runs[0].font.size.pt >= 22
    return prs


def test_pptx_layout_and_text_without_a_browser(report_2023: Report) -> None:
    """Slide count, titles and Vietnamese text, charts drawn by a stand-in renderer."""
    prs = _check_deck(build_pptx(report_2023, render=blank_png), report_2023)
    text = "\n".join(slide_texts(prs))
    assert unicodedata.is_normalized("NFC", text)
    for phrase in (
        "Kết quả xây dựng nông thôn mới",
        "Xã Dương Quang — năm 2023",
        "tiêu chí đạt chuẩn",
        "Thôn còn kéo lùi:",
        "Số liệu đến ngày",
        "DỮ LIỆU MINH HỌA",
        "ngưỡng chưa đối chiếu văn bản gốc",
    ):
        assert phrase in text
    assert len(report_2023.unmet) >= 5


@needs_chromium
def test_pptx_deck_with_real_charts(report_2023: Report) -> None:
    r = report_2023
    prs = _check_deck(build_pptx(r), r)
    pictures = [s for slide in prs.slides for s in slide.shapes if s.shape_type == 13]
    # the grid, progress, and one chart on every unmet slide that shows a village indicator
    charted = sum(
        1
        for item in r.unmet
        for page in unmet_layout(r, item)[2]
        if any(item.chartable(p) for p in page)
    )
    assert charted >= 2
    assert len(pictures) == 2 + charted
    for pic in pictures:
        image = Image.open(io.BytesIO(pic.image.blob))
        w, h = image.size
        assert w >= 1200, "chart pictures are sharp on a projector"
        assert abs(w / h - pic.width / pic.height) < 0.01, "pictures are not stretched"
        assert image.convert("RGB").getpixel((4, 4)) == (255, 255, 255)
    text = "\n".join(slide_texts(prs))
    assert "Xã Dương Quang — năm 2023" in text and "Nguồn số liệu và ghi chú" in text


# --- PDF ---------------------------------------------------------------------------------------


def _check_pdf(data: bytes, r: Report) -> PdfReader:
    pdf = PdfReader(io.BytesIO(data))
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    assert len(pdf.pages) >= 6 + len(r.unmet)
    text = "\n".join(page.extract_text() for page in pdf.pages)
    text = unicodedata.normalize("NFC", text)
    for phrase in (
        "Kết quả xây dựng nông thôn mới",
        f"Kết quả năm {r.period}",
        "Số liệu đến ngày",
        "Nguồn số liệu và ghi chú",
        "Quy hoạch",
    ):
        assert phrase in text
    return pdf


def test_pdf_without_a_browser(report_2023: Report) -> None:
    pdf = _check_pdf(build_pdf(report_2023, render=blank_png), report_2023)
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in pdf.pages))
    assert "Tiêu chí 17 · Môi trường và an toàn thực phẩm — chưa đạt" in text


@needs_chromium
def test_pdf_with_real_charts(report: Report) -> None:
    pdf = _check_pdf(build_pdf(report), report)
    images = [img for page in pdf.pages for img in page.images]
    assert len(images) >= 2


# --- PNG ---------------------------------------------------------------------------------------


@needs_chromium
def test_png_zip_every_chart_at_screen_and_print_size(report: Report) -> None:
    data = png_zip(report)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        figures = report.figures()
        assert len(names) == 2 * len(figures)
        assert "01-tien-do.png" in names and "02-luoi-thon@2x.png" in names
        for name in names:
            image = Image.open(io.BytesIO(zf.read(name))).convert("RGB")
            assert image.size == ((3840, 2160) if "@2x" in name else (WIDTH, HEIGHT))
            # The footnote is drawn in the bottom band (dark text on white).
            band = image.crop(
                (0, image.height - image.height // 25, image.width // 2, image.height)
            )
            assert band.getextrema() != ((255, 255), (255, 255), (255, 255))


def test_exported_figures_have_the_explicit_template() -> None:
    """`import streamlit` swaps plotly's default template: exports never rely on it."""
    import streamlit  # noqa: F401

    fig = export_figure(go.Figure(go.Bar(x=[1], y=[1])), WIDTH, HEIGHT)
    assert fig.layout.template.layout.colorway == charts.TEMPLATE.layout.colorway
    assert (fig.layout.width, fig.layout.height) == (WIDTH, HEIGHT)


def test_rendering_fails_fast_with_a_clear_message(tmp_path: Path) -> None:
    """No browser, or a browser that never answers: ImageRenderError in bounded time, with
    what to install. Run in a child process (this one may hold a working browser)."""
    hung = tmp_path / "hung-chromium"
    hung.write_text("#!/bin/sh\nexec sleep 600\n")
    hung.chmod(0o755)
    script = textwrap.dedent(
        """
        import json, os, sys, time
        import plotly.graph_objects as go
        from ntm.exports.images import ImageRenderError, figure_png, shutdown
        out = {}
        for path in sys.argv[1:]:
            os.environ["BROWSER_PATH"] = path
            start = time.monotonic()
            try:
                figure_png(go.Figure(go.Bar(x=[1], y=[1])))
                out[path] = ["ok", 0]
            except ImageRenderError as exc:
                out[path] = [str(exc), time.monotonic() - start]
            shutdown()
        print(json.dumps(out))
        """
    )
    env = {**os.environ, "NTM_IMAGE_START_TIMEOUT": "2", "NTM_IMAGE_TIMEOUT": "2"}
    done = subprocess.run(
        [sys.executable, "-c", script, "/nonexistent/chromium", str(hung)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    missing, _ = result["/nonexistent/chromium"]
    assert "chromium" in missing.lower()
    # The hung browser is given up after the configured 2 s (the message names the limit); the
    # child's own run is bounded by the subprocess timeout above, not timed here.
    timed_out, _ = result[str(hung)]
    assert "2 giây" in timed_out and "make system-deps" in timed_out


# --- XLSX --------------------------------------------------------------------------------------


def test_xlsx_tables(report: Report) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(report)))
    assert wb.sheetnames == ["Tổng hợp", "Toàn xã - chỉ tiêu", "Thôn - chỉ tiêu", "Thôn - tiêu chí"]
    summary = wb["Tổng hợp"]
    assert summary["A1"].value == f"Kết quả đánh giá tiêu chí nông thôn mới — {COMMUNE}, năm 2025"
    commune = wb["Toàn xã - chỉ tiêu"]
    header = [c.value for c in commune[1]]
    assert header[:5] == ["Tiêu chí", "Mã", "Nội dung", "Đơn vị", "Kết quả"]
    assert "Ngưỡng" in header and "Đánh giá" in header and "Còn thiếu" in header
    rows = list(
        commune.iter_rows(min_row=2, max_row=len(report.commune_lines) + 1, values_only=True)
    )
    assert [r[1] for r in rows] == [p.code for p in report.commune_lines]
    by_code = {r[1]: r for r in rows}
    line = next(p for p in report.commune_lines if p.kind == "percent" and p.value is not None)
    assert by_code[line.code][4] == pytest.approx(line.value)  # numbers stay numbers
    assert by_code[line.code][7] == line.status_text
    villages = wb["Thôn - chỉ tiêu"]
    names = {r[0] for r in villages.iter_rows(min_row=2, values_only=True)}
    assert names == set(report.villages)
    grid = wb["Thôn - tiêu chí"]
    assert grid["A2"].value == "Toàn xã" and grid["B1"].value == "TC 1"


def test_xlsx_text_never_becomes_a_formula(hostile_report: Report) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(hostile_report)))
    seen: set[str] = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                        assert cell.quotePrefix, f"{ws.title}!{cell.coordinate}"
                    seen.add(cell.value)
    assert set(HOSTILE.values()) <= seen  # the names are kept exactly, as text


def test_safe_cell_keeps_numbers_and_plain_text() -> None:
    ws = openpyxl.Workbook().active
    assert safe_cell(ws, 1, 1, 95.5).data_type == "n"
    plain = safe_cell(ws, 2, 1, "Nà Cưởm")
    assert plain.data_type == "s" and not plain.quotePrefix
    formula = safe_cell(ws, 3, 1, "=1+1")
    assert formula.data_type == "s" and formula.quotePrefix and formula.value == "=1+1"


def test_deck_and_pdf_keep_hostile_names_as_text(hostile_report: Report) -> None:
    prs = Presentation(io.BytesIO(build_pptx(hostile_report, render=blank_png)))
    text = "\n".join(slide_texts(prs))
    assert "=cmd|' /C calc'!A0.xlsx" in text
    build_pdf(hostile_report, render=blank_png)  # no crash on tabs and symbols


def test_english_export(assessment: Assessment) -> None:
    r = build_report(assessment, COMMUNE, YEAR, lang="en", sources=["duong-quang-2025.xlsx"])
    prs = Presentation(io.BytesIO(build_pptx(r, render=blank_png)))
    titles = [s.shapes.title.text_frame.text for s in list(prs.slides)[1:]]
    assert titles[0] == f"Results for {YEAR}" and titles[-1] == "Data sources and notes"
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(r)))
    assert wb.sheetnames[0] == "Summary"


# --- fonts -------------------------------------------------------------------------------------


def test_a_vietnamese_font_is_found() -> None:
    assert has_vietnamese(find_font().regular)


def _ascii_font(path: Path) -> Path:
    """A tiny TrueType font with the letter A only (no Vietnamese letters)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((0, 500))
    pen.lineTo((500, 0))
    pen.closePath()
    glyph = pen.glyph()
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "A"])
    fb.setupCharacterMap({ord("A"): "A"})
    fb.setupGlyf({".notdef": glyph, "A": glyph})
    fb.setupHorizontalMetrics({".notdef": (500, 0), "A": (500, 0)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Ascii", "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    fb.save(str(path))
    return path


@pytest.mark.parametrize(
    ("font", "message"),
    [
        pytest.param("missing.ttf", "no such file", id="missing"),
        pytest.param("ascii.ttf", "Vietnamese", id="no-vietnamese-letters"),
    ],
)
def test_a_bad_font_override_says_why(
    font: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / font
    if font == "ascii.ttf":
        _ascii_font(path)
    monkeypatch.setenv("NTM_FONT", str(path))
    find_font.cache_clear()
    try:
        with pytest.raises(FontNotFoundError, match=message):
            find_font()
    finally:
        monkeypatch.delenv("NTM_FONT")
        find_font.cache_clear()


# --- command line --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from ntm.storage import Store

    folder = tmp_path_factory.mktemp("export")
    url = f"sqlite:///{folder / 'ntm.db'}"
    with Store(url) as store:  # as the app and `ntm demo` load it (Dương Quang's returns)
        assert len(seed_demo(store.migrate(), duong_quang_demo(folder / "demo"))) == 5
    yield url


def test_cli_export_xlsx(demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bang.xlsx"
    code = main(
        [
            "export",
            "--db",
            demo_db,
            "--commune",
            COMMUNE,
            "--period",
            "2025",
            "--format",
            "xlsx",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["files"] == [str(out)] and printed["format"] == "xlsx"
    wb = openpyxl.load_workbook(out)
    assert "Dương Quang" in wb["Tổng hợp"]["A1"].value
    assert "DỮ LIỆU MINH HỌA" in "\n".join(
        str(c.value) for row in wb["Tổng hợp"].iter_rows() for c in row if c.value
    )


@pytest.mark.parametrize(
    ("commune", "period", "code", "message"),
    [
        pytest.param("Không Có", "2025", 2, "Không có xã", id="unknown-commune"),
        pytest.param(COMMUNE, "2019", 1, "Chưa có số liệu", id="no-values"),
    ],
)
def test_cli_export_refuses_with_a_reason(
    demo_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    commune: str,
    period: str,
    code: int,
    message: str,
) -> None:
    out = tmp_path / "x.pdf"
    assert (
        main(
            [
                "export",
                "--db",
                demo_db,
                "--commune",
                commune,
                "--period",
                period,
                "--format",
                "pdf",
                "-o",
                str(out),
            ]
        )
        == code
    )
    assert message in capsys.readouterr().err
    assert not out.exists()


@needs_chromium
@pytest.mark.parametrize(
    ("name", "kind"),
    [("tien-do.png", "file"), ("bieu-do.zip", "zip"), ("anh", "folder"), ("anh.d", "folder")],
    ids=["a .png: the progress chart", "a .zip: every chart", "a folder", "a folder with a dot"],
)
def test_cli_export_png_writes_what_the_output_name_says(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, kind: str
) -> None:
    """`-o chart.png` is that one image (the progress chart), `-o charts.zip` one zip of every
    chart, any other name a folder of them."""
    out = tmp_path / name
    argv = ["export", "--db", demo_db, "--commune", COMMUNE, "--period", "2025"]
    assert main([*argv, "--format", "png", "-o", str(out), "--no-print-copy"]) == 0
    printed = json.loads(capsys.readouterr().out)
    if kind == "file":
        assert out.is_file() and printed["files"] == [str(out)]
        assert Image.open(out).size == (WIDTH, HEIGHT)
        return
    if kind == "zip":
        with zipfile.ZipFile(out) as zf:
            files = sorted(zf.namelist())
            sizes = {Image.open(io.BytesIO(zf.read(f))).size for f in files}
    else:
        assert out.is_dir()
        files = sorted(p.name for p in out.iterdir())
        sizes = {Image.open(out / f).size for f in files}
    assert files == ["01-tien-do.png", "02-luoi-thon.png"]  # 2025: no unmet criterion left
    assert sizes == {(WIDTH, HEIGHT)}


def test_export_dispatch(report: Report) -> None:
    file = export(report, "xlsx")
    assert isinstance(file, ExportFile) and file.name == "ntm-duong-quang-2025.xlsx"
    with pytest.raises(ValueError, match="unknown export format"):
        export(report, "docx")


@pytest.mark.parametrize(
    ("uploaded_utc", "as_of"),
    [
        ("2026-11-28 16:59:00", dt.date(2026, 11, 28)),  # 23:59 in Hà Nội
        ("2026-11-28 17:00:00", dt.date(2026, 11, 29)),  # midnight in Hà Nội
    ],
)
def test_data_date_is_vietnams_whatever_the_servers_time_zone(
    uploaded_utc: str, as_of: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Số liệu đến ngày" on an export is the dashboard's: the upload's date in Vietnam."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()

    class OneUpload:
        def uploads(self, ids: object = None) -> pd.DataFrame:
            return pd.DataFrame(
                {
                    "upload_id": [7],
                    "created_at": [pd.Timestamp(uploaded_utc, tz="UTC")],
                    "period": [2025],
                    "file": ["thon.xlsx"],
                    "user": ["lan"],
                }
            )

    values = pd.DataFrame({"upload_id": [7], "file": ["thon.xlsx"]})
    try:
        assert data_provenance(OneUpload(), values) == (as_of, ["thon.xlsx"], False)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_exported_chart_titles_keep_a_commune_name_as_text(assessment: Assessment) -> None:
    """Plotly reads <b>, <a href> … in titles; a name with markup is shown as typed."""
    report = build_report(assessment, COMMUNE, 2023, source_text="<a href='x'>nguồn</a>")
    report = dataclasses.replace(report, commune="Xã <b>Mới</b>")
    progress, grid, *indicators = report.figures(large=False)
    assert indicators  # 2023 has unmet criteria: their charts carry the source line too
    for figure in (progress, grid):
        title = figure.figure.layout.title
        assert "<b>Mới</b>" not in title.text and "&lt;b&gt;Mới&lt;/b&gt;" in title.text
        assert "<a href" not in title.subtitle.text
    assert all("<a href" not in f.figure.layout.title.subtitle.text for f in indicators)


@pytest.mark.parametrize(
    ("uploader", "demo"),
    [("lan.canbo", False), (DEMO_USER, True)],
    ids=["a commune's own duong-quang-2025.xlsx", "the seeded demo"],
)
def test_demo_label_is_the_uploads_recorded_provenance_not_its_file_name(
    uploader: str, demo: bool, tmp_path: Path
) -> None:
    """One rule (ntm.demo.is_demo) for the exports and the dashboard's badge: who the upload
    was recorded from. A real return named like the bundled one is not labelled synthetic."""
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    with Store(url) as store:
        store.migrate()
        store.import_file(DEMO / "duong-quang-2025.xlsx", user=uploader)
        report = report_from_store(store, COMMUNE, 2025)
    assert report.demo is demo
    banner = t("export.demo_banner", "vi")
    deck = Presentation(io.BytesIO(build_pptx(report, render=blank_png)))
    texts = [s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame]
    assert any(banner in text for text in texts) is demo
    with contextlib.contextmanager(use_database)(url):
        assert services.data_info(COMMUNE).demo is demo


def test_the_exports_list_self_assessments_the_thresholds_contradict() -> None:
    """Issue 12: the deck, the PDF and the workbook carry the cross-check of the office's own
    verdicts ("tự đánh giá Đạt, nhưng 79,6% < 85%"), with the cell it came from."""
    from office_corpus import decision_grid

    from ntm.attainment import assess
    from ntm.criteria import shipped_sets
    from ntm.exports.pdf import build_pdf
    from ntm.exports.xlsx import build_xlsx

    result = read_return(decision_grid(), "tu-danh-gia-2024.xlsx")
    crit = shipped_sets()["vn-ntm-xa-2021-2025"]
    values = result.values
    assessment = assess(values, keys={"Dương Quang": "tdmnpb"}, criteria=crit)
    report = build_report(assessment, "Dương Quang", 2024, values=values)
    (line,) = report.self_check_lines()
    assert line == (
        "14.2 · Toàn xã: tự đánh giá Đạt, nhưng 79,6% < 85% "
        "(tu-danh-gia-2024.xlsx › Tự đánh giá › E16)"
    )
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(report)))
    sheet = wb["Đối chiếu tự đánh giá"]
    assert [c.value for c in sheet[2]] == [
        "Toàn xã",
        "14.2",
        "tự đánh giá Đạt, nhưng 79,6% < 85%",
        "tu-danh-gia-2024.xlsx › Tự đánh giá › E16",
    ]
    deck = Presentation(io.BytesIO(build_pptx(report, render=blank_png)))
    texts = [s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame]
    assert any("Tự đánh giá khác kết quả tính (1 chỉ tiêu)" in t for t in texts)
    assert any("79,6% < 85%" in t for t in texts)
    pdf = build_pdf(report, render=blank_png)
    assert pdf.startswith(b"%PDF")
