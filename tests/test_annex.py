"""The decision's annex read as published (issue 16 item 4): threshold text, layouts, drafts.

- Every printed threshold is read as printed or flagged for a person, none is invented: the
  corpus of tests/annex_corpus.py (Decision 318's region layout with the YAML's indicators,
  and a make-believe 2026-2030 group layout), each as Word, Excel and a LibreOffice-rendered
  PDF, is read back and scored cell by cell against what was printed.
- A draft judges nothing: its thresholds are unverified until approval, approval is refused
  while a cell is flagged, and then every threshold names the document and its sha256.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from annex_corpus import Annex, build, code_of, write_rows_docx

from ntm.annex import ANNEX, CRITERIA_SHEET, file_kind, read_annex
from ntm.annex.draft import (
    AnnexDraft,
    Approval,
    CorrectionError,
    NotReady,
    approve,
    build_set,
    correct,
    flagged,
)
from ntm.annex.thresholds import describe, read_threshold
from ntm.criteria import get_set, shipped_sets
from ntm.criteria_sheet import export_bytes
from ntm.errors import Code

P, G = ">=", "<="


# --- the threshold text, as printed ------------------------------------------------------------


def _p(text: str, expected: Any, content: str = "", label: str = "") -> Any:
    return pytest.param(text, content, expected, id=label or text)


@pytest.mark.parametrize(
    ("text", "content", "expected"),
    [
        # percentages: with or without spaces, decimal comma, bare 100%
        _p("≥70%", (P, 70.0, "percent", "%"), label="percent-tight"),
        _p("≥ 70%", (P, 70.0, "percent", "%"), label="percent-spaced"),
        _p("≥ 70 %", (P, 70.0, "percent", "%"), label="percent-space-before-sign"),
        _p(">= 70%", (P, 70.0, "percent", "%"), label="percent-ascii-operator"),
        _p("≤ 16,5%", (G, 16.5, "percent", "%"), label="at-most-decimal-comma"),
        _p("100%", (P, 100.0, "percent", "%"), label="bare-100-is-at-least"),
        _p("0%", (G, 0.0, "percent", "%"), label="bare-0-is-at-most"),
        _p("Từ 70% trở lên", (P, 70.0, "percent", "%"), label="words-from-upwards"),
        _p("Tối thiểu 85%", (P, 85.0, "percent", "%"), label="words-minimum"),
        _p("Không quá 5%", (G, 5.0, "percent", "%"), label="words-not-above"),
        _p("≥ 70", (P, 70.0, "percent", "%"), "Tỷ lệ hộ có điện", "no-sign-percent-by-content"),
        # yes/no answers and verdicts
        _p("Đạt", ("==", True, "boolean", ""), label="verdict-dat"),
        _p("Có", ("==", True, "boolean", ""), label="answer-co"),
        _p("Không", ("==", False, "boolean", ""), label="answer-khong"),
        _p("đạt.", ("==", True, "boolean", ""), label="verdict-lower-with-dot"),
        # money and other units
        _p("≥ 48 triệu đồng/người/năm", (P, 48.0, "money", "triệu đồng/người/năm"), label="money"),
        _p("≥ 1.286 triệu đồng", (P, 1286.0, "money", "triệu đồng"), label="money-dot-thousands"),
        _p("≥2 m²/người", (P, 2.0, "number", "m²/người"), label="m2-per-person"),
        _p("≥ 2,5 m2/người", (P, 2.5, "number", "m²/người"), label="m2-typed-as-m2"),
        _p("≥ 3", (P, 3.0, "number", ""), "Số mô hình sản xuất", "number-without-unit"),
        # flagged for a person, with the reason
        _p("100% (50% cứng hóa)", "compound", label="compound-bracket"),
        _p("≥ 95%, trong đó ≥ 15% nước sạch", "compound", label="compound-two-shares"),
        _p("70%", "no_direction", label="no-direction"),
        _p("48 triệu đồng/người/năm", "no_direction", label="money-without-direction"),
        _p("> 70%", "strict", label="strict-greater"),
        _p("< 5%", "strict", label="strict-less"),
        _p("≥ 120%", "out_of_range", label="percent-above-100"),
        _p("Đạt theo hướng dẫn của Bộ", "unknown", label="words-not-understood"),
        _p("Năm 2022: ≥ 48; năm 2025: ≥ 58", "compound", label="yearly-path"),
        _p("Không đạt", "unknown", label="a-verdict-not-a-threshold"),
        _p("1.2.3%", "compound", label="malformed-number"),
    ],
)
def test_threshold_text_is_read_as_printed_or_flagged(
    text: str, content: str, expected: Any
) -> None:
    reading = read_threshold(text, content)
    assert reading is not None
    if isinstance(expected, str):
        assert (reading.status, reading.reason, reading.value) == ("flagged", expected, None)
    else:
        assert reading.status == "parsed"
        assert (reading.direction, reading.value, reading.kind, reading.unit) == expected


@pytest.mark.parametrize("text", ["", " ", "-", "–", "—"])
def test_a_blank_or_dashed_cell_prints_no_threshold(text: str) -> None:
    assert read_threshold(text) is None


def test_not_applicable_is_a_reading_without_a_value() -> None:
    reading = read_threshold("Không áp dụng")
    assert reading is not None and (reading.status, reading.applies) == ("parsed", False)
    assert describe(reading) == "không áp dụng"


# --- the corpus: every printed threshold read as printed or flagged ------------------------------

# Figures per file: thresholds printed (indicator × column), read exactly as printed, flagged for
# a person (each where the print is compound or says no direction), wrong (read differently,
# missing, or invented where nothing was printed). The same grid in three formats gives the
# same figures.
FIGURES = {
    "318.docx": {"printed": 455, "parsed": 408, "flagged": 47, "wrong": 0},
    "318.xlsx": {"printed": 455, "parsed": 408, "flagged": 47, "wrong": 0},
    "318.pdf": {"printed": 455, "parsed": 408, "flagged": 47, "wrong": 0},
    "2026.docx": {"printed": 136, "parsed": 127, "flagged": 9, "wrong": 0},
    "2026.xlsx": {"printed": 136, "parsed": 127, "flagged": 9, "wrong": 0},
    "2026.pdf": {"printed": 136, "parsed": 127, "flagged": 9, "wrong": 0},
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Annex, Path]]:
    return build(tmp_path_factory.mktemp("annex"))


def read_file(path: Path, set_id: str = "thu-phu-luc") -> AnnexDraft:
    draft, problems = read_annex(
        path.read_bytes(), path.name, set_id=set_id, candidates=shipped_sets().values()
    )
    assert draft is not None, [p.message() for p in problems]
    assert problems == []
    return draft


def score(annex: Annex, draft: AnnexDraft) -> dict[str, Any]:
    cells = {(c.code, c.key): c for c in draft.cells}
    out: dict[str, Any] = {"printed": 0, "parsed": 0, "flagged": 0, "wrong": 0, "why": []}
    printed = set()
    for item in annex.truth:
        out["printed"] += 1
        printed.add((item.code, item.key))
        cell = cells.get((item.code, item.key))
        if cell is not None and cell.text != item.text:
            out["wrong"] += 1
            out["why"].append(("source text differs", item, cell.text))
        elif cell is None:
            out["wrong"] += 1
            out["why"].append(("missing", item))
        elif item.expect is None:
            if cell.status == "flagged":
                out["flagged"] += 1
            else:
                out["wrong"] += 1
                out["why"].append(("read a cell a person must read", item, cell))
        elif cell.status == "flagged":
            out["flagged"] += 1
            out["why"].append(("flagged a plain cell", item, cell.reason))
        elif (cell.direction, cell.value, cell.kind, cell.unit, cell.applies) == item.expect:
            out["parsed"] += 1
        else:
            out["wrong"] += 1
            out["why"].append(("read differently", item, cell))
    invented = [c for key, c in cells.items() if key not in printed]
    out["wrong"] += len(invented)
    out["why"] += [("invented", c) for c in invented]
    return out


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_printed_threshold_is_read_as_printed_or_flagged_none_invented(
    corpus: dict[str, tuple[Annex, Path]], name: str
) -> None:
    annex, path = corpus[name]
    draft = read_file(path)
    figures = score(annex, draft)
    why = figures.pop("why")
    print(f"annex corpus {name}: {figures}")
    assert figures == FIGURES[name], why[:10]
    # the table's structure: criteria, indicator codes, names and the source position
    assert [(c.number, c.name) for c in draft.criteria] == list(
        dict.fromkeys((r.criterion, r.criterion_name) for r in annex.rows)
    )
    assert len(draft.indicators) == len(annex.rows)
    rebuilt = [
        f"{i.code}. {i.name}" if row.content[0].isdigit() else i.name
        for i, row in zip(draft.indicators, annex.rows, strict=True)
    ]
    assert rebuilt == [row.content for row in annex.rows]
    assert [i.code for i in draft.indicators] == [code_of(row) for row in annex.rows]
    assert all(c.where.ref for c in draft.cells)


def test_the_layout_chooses_the_set_by_its_columns(corpus: dict[str, tuple[Annex, Path]]) -> None:
    """Region columns → the 2021-2025 set's regions; "Nhóm 1/2/3" → the 2026-2030 groups."""
    assert read_file(corpus["318.docx"][1]).keyed_by == "region"
    assert read_file(corpus["318.docx"][1]).based_on == "vn-ntm-xa-2021-2025"
    draft = read_file(corpus["2026.pdf"][1])
    assert (draft.based_on, draft.keyed_by) == ("vn-ntm-xa-2026-2030", "group")
    assert {c.key for c in draft.cells} == {"1", "2", "3"}
    assert [i.code for i in draft.indicators if i.criterion == "7"] == ["7"]  # one indicator


def test_a_merged_cell_keeps_the_place_it_was_printed(
    corpus: dict[str, tuple[Annex, Path]],
) -> None:
    """318: 1.1 prints one "Đạt" across the general and the 7 region columns: 8 thresholds,
    one source cell."""
    draft = read_file(corpus["318.xlsx"][1])
    cells = [c for c in draft.cells if c.code == "1.1"]
    assert len(cells) == 8 and {c.text for c in cells} == {"Đạt"}
    assert {c.where.ref for c in cells} == {"Phụ lục I!D6"}  # title, blank, 2 header rows, I.
    flagged_22 = [c for c in draft.cells if c.code == "2.2" and c.status == "flagged"]
    assert [(c.column, c.text, c.reason) for c in flagged_22] == [
        ("Trung du miền núi phía Bắc", "100% (50% cứng hóa)", "compound")
    ]


# --- from draft to an approved set ---------------------------------------------------------------


def _fixed(draft: AnnexDraft) -> AnnexDraft:
    for index, cell in flagged(draft):
        draft = correct(draft, index, "100%" if cell.text.startswith("100%") else "≥ 70%", "an")
    return draft


def test_a_draft_is_unverified_and_approval_waits_for_every_flagged_cell(
    corpus: dict[str, tuple[Annex, Path]],
) -> None:
    base = get_set("vn-ntm-xa-2026-2030")
    draft = read_file(corpus["2026.docx"][1], set_id="vn-ntm-xa-2026-2030")
    preview = build_set(draft, base)
    assert preview.indicator_count() == 47 and preview.unverified_count() == 47
    approval = Approval(user="an", at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    with pytest.raises(NotReady) as refused:
        approve(draft, base, approval)
    assert len(refused.value.cells) == 9
    fixed = _fixed(draft)
    assert flagged(fixed) == []
    crit = approve(fixed, base, approval)
    assert (crit.complete, crit.indicator_count(), crit.unverified_count()) == (True, 47, 0)
    rules = [r for _, ind in crit.indicators() for r in ind.thresholds]
    assert {r.source for r in rules} == {
        f"51/2025/QĐ-TTg Phụ lục I: phu-luc-2026.docx (sha256 {draft.source.sha256})"
    }
    one = crit.indicator("2.1")
    assert one is not None
    assert [(r.key, r.value) for r in one.thresholds] == [("1", 100.0), ("2", 100.0), ("3", 70.0)]


def test_a_correction_keeps_the_printed_text_and_is_refused_when_it_does_not_fit(
    corpus: dict[str, tuple[Annex, Path]],
) -> None:
    draft = read_file(corpus["2026.docx"][1])
    index, cell = flagged(draft)[0]
    assert (cell.code, cell.text) == ("2.1", "100% (50% cứng hóa)")
    with pytest.raises(CorrectionError) as kind:
        correct(draft, index, "Đạt", "an")  # the other groups print percentages
    assert kind.value.reason == "kind_differs"
    with pytest.raises(CorrectionError) as unread:
        correct(draft, index, "100% (50%)", "an")
    assert unread.value.reason == "compound"
    fixed = correct(draft, index, "100%", "an").cells[index]
    assert (fixed.status, fixed.text, fixed.correction, fixed.value) == (
        "corrected",
        "100% (50% cứng hóa)",
        "100%",
        100.0,
    )
    assert fixed.corrected_by == "an" and fixed.where == cell.where


def test_the_318_layout_keeps_the_base_sets_scope_and_collapses_equal_regions(
    corpus: dict[str, tuple[Annex, Path]],
) -> None:
    base = get_set("vn-ntm-xa-2021-2025")
    draft = _fixed(read_file(corpus["318.pdf"][1], set_id="vn-ntm-xa-2021-2025"))
    crit = build_set(draft, base)
    road = crit.indicator("2.2")
    assert road is not None and (road.scope, road.aggregation) == ("village", "ratio")
    # 2.2: general ≥ 70, TDMNPB corrected to 100 by a person, the other regions print 70
    assert [(r.key, r.value) for r in road.thresholds] == [(None, 70.0), ("tdmnpb", 100.0)]
    stunting = crit.indicator("15.3")
    assert stunting is not None and stunting.direction == "<="
    assert [(r.key, r.value) for r in stunting.thresholds] == [
        ("tdmnpb", 24.0), ("dbsh", 16.5), ("btb", 25.0), ("dhntb", 22.0), ("tn", 26.5),
        ("dnb", 14.5), ("dbscl", 19.0),
    ]  # fmt: skip
    houses = crit.indicator("9.1")
    assert houses is not None and [r.value for r in houses.thresholds] == [False]


# --- files that are not an annex table -----------------------------------------------------------


def test_the_criteria_sheet_and_an_annex_workbook_are_told_apart(
    corpus: dict[str, tuple[Annex, Path]],
) -> None:
    sheet = export_bytes(get_set("vn-ntm-xa-2021-2025"))
    assert file_kind("bo-tieu-chi.xlsx", sheet) == CRITERIA_SHEET
    assert file_kind("phu-luc.xlsx", corpus["2026.xlsx"][1].read_bytes()) == ANNEX
    assert file_kind("phu-luc.docx", b"") == ANNEX
    assert file_kind("phu-luc.doc", b"") is None


def _codes(problems: list[Any]) -> list[str]:
    return [p.code.value for p in problems]


def test_a_file_without_the_criteria_table_is_refused(tmp_path: Path) -> None:
    letter = write_rows_docx([["Kính gửi", "UBND các tỉnh"]], tmp_path / "cong-van.docx")
    draft, problems = read_annex(
        letter.read_bytes(), letter.name, set_id="x", candidates=shipped_sets().values()
    )
    assert draft is None and _codes(problems) == [Code.ANNEX_NO_TABLE]
    broken, problems = read_annex(b"not a zip", "hong.docx", set_id="x", candidates=[])
    assert broken is None and _codes(problems) == [Code.ANNEX_UNREADABLE]


def test_an_unknown_region_column_is_named_and_nothing_is_read(tmp_path: Path) -> None:
    rows = [
        ["TT", "Tên tiêu chí", "Nội dung tiêu chí", "Chỉ tiêu chung", "Chỉ tiêu theo vùng", ""],
        ["", "", "", "", "Trung du miền núi phía Bắc", "Vùng Tây Bắc Bộ"],
        ["1", "Quy hoạch", "1.1. Có quy hoạch", "Đạt", "Đạt", "Đạt"],
    ]
    path = write_rows_docx(rows, tmp_path / "phu-luc.docx")
    draft, problems = read_annex(
        path.read_bytes(), path.name, set_id="x", candidates=shipped_sets().values()
    )
    assert draft is None and _codes(problems) == [Code.ANNEX_UNKNOWN_COLUMN]
    assert problems[0].params["header"] == "Vùng Tây Bắc Bộ"
    assert problems[0].cell == "bảng 1 · hàng 2 · cột 6"


def test_a_one_row_header_and_a_row_without_code_are_read_or_reported(tmp_path: Path) -> None:
    """Groups named in the header row itself; a row with thresholds but no code after an
    indicator is reported, never attached to a guessed indicator."""
    rows = [
        ["TT", "Tên tiêu chí", "Nội dung tiêu chí", "Nhóm 1", "Nhóm 2", "Nhóm 3"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
        ["1", "Quy hoạch", "1.1. Có quy hoạch", "Đạt", "Đạt", "Đạt"],
        ["", "", "- riêng xã biên giới", "≥ 50%", "", ""],
        ["2", "Hạ tầng", "Tỷ lệ đường xã được cứng hóa", "100%", "≥ 90%", "≥ 80%"],
    ]
    path = write_rows_docx(rows, tmp_path / "phu-luc-nhom.docx")
    draft, problems = read_annex(
        path.read_bytes(), path.name, set_id="x", candidates=shipped_sets().values()
    )
    assert draft is not None and draft.based_on == "vn-ntm-xa-2026-2030"
    assert [(i.code, i.name) for i in draft.indicators] == [
        ("1.1", "Có quy hoạch"),
        ("2", "Tỷ lệ đường xã được cứng hóa"),
    ]
    assert [(s.reason, s.where.row) for s in draft.skipped] == [("no_code", 4)]
    assert _codes(problems) == [Code.ANNEX_ROW_SKIPPED]
    assert [c.value for c in draft.cells if c.code == "2"] == [100.0, 90.0, 80.0]


def test_a_percent_formatted_excel_cell_prints_as_excel_shows_it() -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["TT", "Tên tiêu chí", "Nội dung tiêu chí", "Nhóm 1", "Nhóm 2", "Nhóm 3"])
    sheet.append([1, "Quy hoạch", "1.1. Tỷ lệ thôn có quy hoạch", 1, 0.9, "≥ 80%"])
    sheet["D2"].number_format = sheet["E2"].number_format = "0%"
    buffer = io.BytesIO()
    wb.save(buffer)
    draft, _ = read_annex(
        buffer.getvalue(), "phu-luc.xlsx", set_id="x", candidates=shipped_sets().values()
    )
    assert draft is not None
    assert [(c.text, c.status, c.value) for c in draft.cells] == [
        ("100%", "parsed", 100.0),
        ("90%", "flagged", None),  # printed without "≥": a person says which way
        ("≥ 80%", "parsed", 80.0),
    ]
