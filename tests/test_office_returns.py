"""Office-shaped returns (tests/office_corpus.py) read against the shipped Decision 318 set.

For each workbook: the unit the reader understood, every value it used, every problem it
named, and the rule of issue 12: each non-empty value cell of a table is used or named in a
problem (cells in tables = cells used + cells reported), checked cell by cell against the file.
"""

from __future__ import annotations

import io
import math
from typing import Any

import openpyxl
import pytest
from office_corpus import CASES, OfficeCase
from openpyxl.utils.cell import coordinate_from_string

from ntm.returns import read_return
from ntm.returns.cells import a1
from ntm.returns.labels import yes_no_word
from ntm.returns.numbers import parse_number_text
from ntm.values import ReadResult

DATA_ROLES = {"value", "numerator", "denominator", "assessment", "village", "commune", "unknown"}


def read(case: OfficeCase) -> ReadResult:
    return read_return(case.build(), case.filename, **case.context)


def sheet_cells(data: bytes, filename: str) -> dict[str, dict[tuple[int, int], Any]]:
    """Every non-empty cell of every sheet, zero-based, read independently of the reader."""
    out: dict[str, dict[tuple[int, int], Any]] = {}
    if filename.endswith(".xls"):
        import xlrd

        book = xlrd.open_workbook(file_contents=data)
        for sheet in book.sheets():
            out[sheet.name] = {
                (r, c): sheet.cell_value(r, c)
                for r in range(sheet.nrows)
                for c in range(sheet.row_len(r))
                if sheet.cell_value(r, c) not in ("", None)
            }
        return out
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    for ws in wb.worksheets:
        out[ws.title] = {
            (cell.row - 1, cell.column - 1): cell.value
            for row in ws.iter_rows()
            for cell in row
            if cell.value is not None and str(cell.value).strip()
        }
    return out


def looks_like_a_value(value: Any) -> bool:
    if isinstance(value, int | float):
        return True
    text = str(value)
    return yes_no_word(text) is not None or parse_number_text(text, allow_percent=True) is not None


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_office_return_is_read_as_meant(case: OfficeCase) -> None:
    result = read(case)
    assert result.meta.commune == case.commune
    assert result.meta.period == case.period
    assert set(result.meta.villages) == set(case.villages)
    got = {
        (None if v is None or v != v else v, code): value
        for v, code, value in zip(
            result.values["village"], result.values["code"], result.values["value"], strict=True
        )
    }
    assert got.keys() == case.values.keys(), result.values
    for key, expected in case.values.items():
        assert math.isclose(got[key], expected, abs_tol=1e-9), (key, got[key])
    assert result.ok is not case.refused, [p.to_json() for p in result.problems]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_office_return_problems_are_the_expected_ones(case: OfficeCase) -> None:
    result = read(case)
    reported = [(p.code.value, p.sheet, p.cell) for p in result.problems]
    expected = list(case.problems)
    if case.region is None and not case.refused:
        expected.append(("missing_region", "", ""))

    def matches(problem: tuple[str, str, str], want: tuple[str, str, str]) -> bool:
        return problem[0] == want[0] and all(
            w == "" or p == w for p, w in zip(problem[1:], want[1:], strict=True)
        )

    for want in expected:
        assert any(matches(p, want) for p in reported), (want, reported)
    unexpected = [
        p
        for p in reported
        if not any(matches(p, w) for w in expected)
        and not (case.refused and p[0] == "missing_region")
    ]
    assert unexpected == [], [p.message() for p in result.problems]
    if case.region is not None:
        assert result.meta.region == case.region


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_no_value_cell_is_dropped_in_silence(case: OfficeCase) -> None:
    """cells in tables = cells used + cells reported, cell by cell."""
    data = case.build()
    result = read_return(data, case.filename, **case.context)
    assert result.summary is not None
    cells = sheet_cells(data, case.filename)
    used = {(row["sheet"], row["cell"]) for row in result.values.to_dict("records")}
    used_rows = {
        (row["sheet"], coordinate_from_string(row["cell"])[1])
        for row in result.values.to_dict("records")
    }
    named = {(p.sheet, p.cell) for p in result.problems}
    named |= {(ref.split("!", 1)[0], ref.split("!", 1)[1]) for ref in result.summary.not_used}
    in_tables = accounted = 0
    for sheet in result.summary.sheets:
        roles = {col: role for col, (role, _) in sheet.columns.items()}
        first_data = sheet.header_rows[1]  # zero-based index of the first row below the header
        rows: dict[int, dict[int, Any]] = {}
        for (r, c), value in cells[sheet.sheet].items():
            if r >= first_data:
                rows.setdefault(r, {})[c] = value
        for r, row in rows.items():
            for c, value in row.items():
                letter = a1(r, c).rstrip("0123456789")
                role = roles.get(letter, "unknown")
                if role not in DATA_ROLES:
                    continue  # a label: code, name, unit, criterion, threshold, row number
                if not looks_like_a_value(value) and not any(
                    (sheet.sheet, a1(r, cc)) in named or (sheet.sheet, r + 1) in used_rows
                    for cc in row
                ):
                    continue  # the signature block under a table
                in_tables += 1
                cell = (sheet.sheet, a1(r, c))
                if (
                    cell in used
                    or cell in named
                    or (
                        role in ("numerator", "denominator", "assessment")
                        and (sheet.sheet, r + 1) in used_rows
                    )
                ):
                    accounted += 1
                else:
                    pytest.fail(f"{sheet.sheet}!{a1(r, c)} ({value!r}) is neither used nor named")
    assert in_tables == accounted
