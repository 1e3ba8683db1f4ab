"""Criteria sets as Excel sheets: lossless export → import, and every problem named by its cell."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from app_fixtures import ntm
from hostile import HOSTILE
from openpyxl.worksheet.worksheet import Worksheet

from ntm.criteria import CriteriaSet, parse_set, shipped_sets
from ntm.criteria_sheet import ROW_COLUMNS, ROWS_SHEET, export_bytes, read_sheet
from ntm.errors import Code
from ntm.returns import Limits

SMALL: dict[str, Any] = {
    "id": "tinh-thu",
    "title": {"vi": "Bộ tiêu chí thử của tỉnh", "en": "A province's test set"},
    "legal_basis": {"decision": "902/QĐ-UBND", "date": "2021-06-16"},
    "years": {"first": 2021, "last": 2025},
    "keyed_by": "region",
    "keys": [
        {"id": "general", "name": "Chung"},
        {"id": "tdmnpb", "name": "TDMNPB"},
        {"id": "dbsh", "name": "ĐBSH"},
    ],
    "complete": True,
    "criteria": [
        {
            "number": "1",
            "name": "Giao thông",
            "indicators": [
                {
                    "code": "1.1",
                    "name": "Đường thôn được cứng hóa",
                    "unit": "%",
                    "kind": "percent",
                    "scope": "village",
                    "aggregation": "ratio",
                    "thresholds": [
                        {"value": 70, "verified": True, "source": "QĐ 902"},
                        {"key": "tdmnpb", "value": 50, "verified": False, "source": "chép tay"},
                    ],
                },
                {
                    "code": "1.2",
                    "name": "Có quy ước",
                    "kind": "boolean",
                    "direction": "==",
                    "thresholds": [{"value": True, "verified": True, "source": "QĐ 902"}],
                },
            ],
        }
    ],
}


def _column(field: str) -> int:
    return [f for f, _ in ROW_COLUMNS].index(field) + 1


@pytest.mark.parametrize("set_id", sorted(shipped_sets()))
def test_export_then_import_gives_back_the_same_set(set_id: str) -> None:
    original = shipped_sets()[set_id]
    again, problems = read_sheet(export_bytes(original), f"{set_id}.xlsx")
    assert problems == []
    assert again == original


def test_import_can_take_a_new_id() -> None:
    original = parse_set(SMALL, "test")
    again, _ = read_sheet(export_bytes(original), "x.xlsx", set_id="tinh-thu-2")
    assert again is not None
    assert again.id == "tinh-thu-2"
    assert again.criteria == original.criteria


def _set_kind(sheet: Worksheet) -> None:
    sheet.cell(2, _column("kind"), "phần trăm")


def _blank_thresholds(sheet: Worksheet) -> None:
    # Row 2 is 1.1's general rule; row 3 its TDMNPB rule (another source): ĐBSH is left bare.
    general = len(ROW_COLUMNS) + 1
    sheet.cell(2, general).value = None


def _duplicate_row(sheet: Worksheet) -> None:
    sheet.append([c.value for c in sheet[4]])


def _text_threshold(sheet: Worksheet) -> None:
    sheet.cell(2, len(ROW_COLUMNS) + 1, "bảy mươi")


@pytest.mark.parametrize(
    ("label", "mutate", "cell", "words"),
    [
        ("unknown kind", _set_kind, "J2", "Loại"),
        ("missing threshold for a region", _blank_thresholds, "V2", "chưa có ngưỡng"),
        ("duplicate code", _duplicate_row, "D5", "hai lần"),
        ("threshold not a number", _text_threshold, "T2", "không phải là số"),
    ],
)
def test_sheet_with_errors_lists_each_problem_with_its_cell(
    label: str, mutate: Callable[[Worksheet], None], cell: str, words: str
) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(export_bytes(parse_set(SMALL, "t"))))
    mutate(wb[ROWS_SHEET])
    buffer = io.BytesIO()
    wb.save(buffer)
    crit, problems = read_sheet(buffer.getvalue(), "sai.xlsx")
    assert crit is None, label
    assert [(p.sheet, p.cell) for p in problems] == [(ROWS_SHEET, cell)], label
    assert words in problems[0].message(), label
    assert problems[0].file == "sai.xlsx"


def test_unreadable_file_is_one_problem() -> None:
    """Not a workbook at all: refused by the upload guard, as a return would be."""
    crit, problems = read_sheet(b"not a workbook", "rac.xlsx")
    assert crit is None
    assert [p.code.value for p in problems] == ["not_a_workbook"]


def test_exported_sheet_shows_unverified_thresholds() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(export_bytes(parse_set(SMALL, "t"))))
    sheet = wb[ROWS_SHEET]
    verified = [sheet.cell(r, _column("verified")).value for r in range(2, sheet.max_row + 1)]
    assert verified == ["TRUE", "FALSE", "TRUE"]


def test_small_set_fixture_is_valid() -> None:
    assert isinstance(parse_set(SMALL, "t"), CriteriaSet)


def test_shipped_crosswalk_maps_2021_2025_criteria_onto_2026_2030() -> None:
    """Criterion 1 (Quy hoạch) continues as 1; criterion 18 splits over 9 and 10."""
    from ntm.crosswalk import crosswalk_between

    walk = crosswalk_between("vn-ntm-xa-2021-2025", "vn-ntm-xa-2026-2030")
    assert walk is not None
    assert walk.criterion_targets("1") == ["1"]
    assert sorted(walk.criterion_targets("18")) == ["10", "9"]
    new_numbers = {c.number for c in shipped_sets()["vn-ntm-xa-2026-2030"].criteria}
    old_numbers = {c.number for c in shipped_sets()["vn-ntm-xa-2021-2025"].criteria}
    assert {p.target for p in walk.criteria_pairs} <= new_numbers
    assert {p.source for p in walk.criteria_pairs} <= old_numbers


# --- upload limits: a criteria sheet is an upload like a return (issue 14) ----------------------


@pytest.mark.parametrize(("make", "name", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_is_refused_before_openpyxl_parses_it(
    make: Callable[[], bytes], name: str, code: Code
) -> None:
    """The return reader's guard runs first: one problem, the same as for a return."""
    crit, problems = read_sheet(make(), name)
    assert crit is None
    assert [p.code for p in problems] == [code]


def _small_sheet() -> bytes:
    return export_bytes(parse_set(SMALL, "test"))


@pytest.mark.parametrize(
    ("limits", "step", "code", "said"),
    [
        (Limits(), 0.0, None, ""),
        (Limits(max_file_bytes=2_000), 0.0, Code.FILE_TOO_LARGE, "Tệp quá lớn"),
        (Limits(max_rows=2), 0.0, Code.TOO_MANY_ROWS, "2"),
        (Limits(max_inflated_bytes=2_000), 0.0, Code.ARCHIVE_TOO_LARGE, ""),
        (Limits(parse_seconds=10), 11.0, Code.PARSE_TIMEOUT, "quá 10 giây"),
    ],
    ids=["within limits", "file size", "rows", "inflated size", "time"],
)
def test_the_upload_limits_apply_to_criteria_sheets(
    limits: Limits, step: float, code: Code | None, said: str
) -> None:
    """Size, inflated size, rows and time, as for returns (time from an injected clock that
    moves on `step` seconds each time it is read)."""
    now = [0.0]

    def clock() -> float:
        now[0] += step
        return now[0]

    crit, problems = read_sheet(_small_sheet(), "tinh.xlsx", limits=limits, clock=clock)
    if code is None:
        assert crit is not None and problems == []
        return
    assert crit is None and [p.code for p in problems] == [code]
    assert said in problems[0].message("vi")


def test_the_command_line_import_applies_the_configured_size_limit(tmp_path: Path) -> None:
    sheet = tmp_path / "tinh.xlsx"
    sheet.write_bytes(_small_sheet())
    env = {**os.environ, "NTM_MAX_FILE_MB": "0.001"}
    db = f"sqlite:///{tmp_path / 'ntm.db'}"
    done = ntm("criteria", "import", str(sheet), "--id", "tinh-thu", "--db", db, env=env)
    assert done.returncode == 1, done.stderr
    assert [p["code"] for p in json.loads(done.stdout)["problems"]] == ["file_too_large"]
