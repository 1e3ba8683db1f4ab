"""The Excel return reader (DESIGN §4): one parametrised table per rule.

Each case builds a small workbook in code (tests/hostile.py), reads it against a small criteria
set with the awkward cases (17.1 with parts next to 17.10, parts, yes/no, percent by ratio) and
checks the tidy values and the problems (code and A1 cell).
"""

from __future__ import annotations

import datetime as dt
import math
import time
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hostile import LONG_HEADER, long_return, mini_criteria, with_cached_value, xls, xlsx

from ntm.criteria import get_set
from ntm.errors import Code, Severity
from ntm.returns import (
    DEFAULT_LIMITS,
    Limits,
    fold,
    is_percent_format,
    parse_code_text,
    parse_number_text,
    read_return,
)
from ntm.values import VALUE_COLUMNS, ReadResult, empty_values

NAN = float("nan")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# The stored profile gives the region, as in the app: the tables below are not about it.
PROFILE = {"Dương Quang": {"region": "tdmnpb"}}


def read(data: bytes, name: str = "bao-cao.xlsx", **kwargs: Any) -> ReadResult:
    kwargs.setdefault("criteria", mini_criteria())
    kwargs.setdefault("commune_keys", PROFILE)
    return read_return(data, name, **kwargs)


def codes_of(result: ReadResult) -> list[str]:
    return [p.code.value for p in result.problems]


def value_of(result: ReadResult, code: str, village: str | None = None) -> float:
    frame = result.values
    rows = frame[(frame["code"] == code)]
    rows = rows[rows["village"].isna()] if village is None else rows[rows["village"] == village]
    assert len(rows) == 1, f"{code}/{village}: {len(rows)} rows in\n{frame}"
    return float(rows["value"].iloc[0])


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


# --- metadata ------------------------------------------------------------------------------

META_CASES = {
    # label rows                                              commune, village, period
    "labels with colons": (
        [["Xã:", "Dương Quang"], ["Thôn/Bản:", "Nà Rào"], ["Năm:", 2024]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "upper case, no colon": (
        [["XÃ", "Dương Quang"], ["THÔN", "Nà Rào"], ["NĂM", 2024]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "NFD labels and names": (
        [[nfd("Xã:"), nfd("Dương Quang")], [nfd("Bản:"), nfd("Nà Rào")], [nfd("Năm"), 2024]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "spaces around": (
        [["  Xã :  ", "  Dương   Quang "], [" Thôn / Bản ", "Nà Rào"], ["Năm :", 2024]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "label and value in one cell": (
        [["Xã: Dương Quang"], ["Thôn/Bản: Nà Rào"], ["Năm: 2024"]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "English": (
        [["Commune", "Dương Quang"], ["Village", "Nà Rào"], ["Year", "2024"]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "period as text": (
        [["Xã", "Dương Quang"], ["Thôn", "Nà Rào"], ["Kỳ báo cáo:", "Năm 2024"]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "period as a float": (
        [["Tên xã", "Dương Quang"], ["Tên thôn", "Nà Rào"], ["Period", 2024.0]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "period as a date": (
        [["Xã", "Dương Quang"], ["Thôn", "Nà Rào"], ["Năm báo cáo", dt.datetime(2024, 12, 31)]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "'Xã ' prefix dropped": (
        [["Xã:", "Xã Dương Quang"], ["Thôn:", "Nà Rào"], ["Năm:", 2024]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "labels side by side": (
        [["Xã:", "Dương Quang", "Năm:", 2024], ["Thôn/Bản:", "Nà Rào"]],
        ("Dương Quang", "Nà Rào", 2024),
    ),
    "commune sheet": (
        [["Xã:", "Dương Quang"], ["Thôn/Bản:", "Toàn xã"], ["Năm:", 2024]],
        ("Dương Quang", None, 2024),
    ),
}


@pytest.mark.parametrize(("labels", "expected"), META_CASES.values(), ids=META_CASES.keys())
def test_metadata_labels(labels: list[list[Any]], expected: tuple[Any, ...]) -> None:
    """Labels match whatever their case, diacritics, Unicode form, spacing or colon; names
    are stored NFC and stripped."""
    rows = [*labels, [], LONG_HEADER, ["2.2", "", 80]]
    result = read(xlsx({"Sheet1": rows}))
    assert codes_of(result) == []
    commune, village, period = expected
    assert (result.meta.commune, result.meta.period) == (commune, period)
    frame = result.values
    assert frame["commune"].tolist() == [commune]
    assert frame["village"].tolist() == [village]
    assert frame["period"].tolist() == [period]


def test_information_sheet_gives_the_commune_and_the_period() -> None:
    info = [
        ["Xã", "Dương Quang"],
        ["Năm", 2024],
        ["Vùng", "tdmnpb — Trung du và miền núi phía Bắc"],
        ["Bộ tiêu chí", "mini-2021-2025"],
        ["Ghi chú", "Dữ liệu minh họa"],
    ]
    sheet = [["Thôn/Bản:", "Nà Rào"], [], LONG_HEADER, ["2.2", "", 80]]
    result = read(xlsx({"Thông tin": info, "Nà Rào": sheet}))
    assert codes_of(result) == []
    assert result.meta.commune == "Dương Quang"
    assert result.meta.region == "tdmnpb"
    assert result.meta.villages == ["Nà Rào"]
    assert value_of(result, "2.2", "Nà Rào") == 80


META_PROBLEMS = {
    "no commune": (dict(commune=None), [Code.MISSING_COMMUNE]),
    "no period": (dict(period=None), [Code.MISSING_PERIOD]),
    "period that is no year": (dict(period="sắp tới"), [Code.BAD_PERIOD, Code.MISSING_PERIOD]),
    "no village on a sheet named Toàn xã": (dict(village=None, title="Toàn xã"), []),
    # A commune-wide indicator (2.1) says whose return it is: no warning.
    "no village, a commune indicator": (dict(village=None), []),
}


@pytest.mark.parametrize(("kwargs", "expected"), META_PROBLEMS.values(), ids=META_PROBLEMS.keys())
def test_metadata_problems(kwargs: dict[str, Any], expected: list[Code]) -> None:
    kwargs = {"village": "Nà Rào", **kwargs}
    result = read(long_return([["2.1", "", 95]], **kwargs))
    assert [p.code for p in result.problems] == expected
    if Code.MISSING_VILLAGE in expected:
        assert result.problems[0].level is Severity.WARNING
        assert result.values["village"].tolist() == [None]


REGIONS = {
    "id": ("tdmnpb", "tdmnpb"),
    "id and name as the template writes it": ("tdmnpb — Trung du và miền núi phía Bắc", "tdmnpb"),
    "name only, NFD": (nfd("Đồng bằng sông Hồng"), "dbsh"),
    "English name": ("Red River Delta", "dbsh"),
}


@pytest.mark.parametrize(("text", "expected"), REGIONS.values(), ids=REGIONS.keys())
def test_region(text: str, expected: str) -> None:
    rows = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        ["Vùng:", text],
        [],
        LONG_HEADER,
        ["2.1", "", 95],
    ]
    result = read(xlsx({"Toàn xã": rows}), commune_keys={})
    assert codes_of(result) == []
    assert result.meta.region == expected


def test_unknown_region_is_reported_with_the_choices() -> None:
    rows = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        ["Vùng:", "Sao Hỏa"],
        [],
        LONG_HEADER,
        ["2.1", "", 95],
    ]
    result = read(xlsx({"Toàn xã": rows}), commune_keys={})
    (problem,) = result.problems
    assert (problem.code, problem.cell) == (Code.UNKNOWN_REGION, "B3")
    assert "tdmnpb" in problem.params["choices"]


def test_criteria_set_chosen_by_the_period() -> None:
    result = read_return(long_return([["2.1", "", 95]], title="Toàn xã"), "a.xlsx")
    assert result.meta.criteria_set == "vn-ntm-xa-2021-2025"
    assert value_of(result, "2.1") == 95


def test_no_criteria_set_for_the_period() -> None:
    result = read_return(long_return([["2.1", "", 95]], title="Toàn xã", period=1999), "a.xlsx")
    assert codes_of(result) == ["no_criteria_set"]
    assert result.problems[0].params == {"year": 1999}


# --- the table -----------------------------------------------------------------------------

HEADERS = {
    "template": LONG_HEADER,
    "upper case": ["MÃ CHỈ TIÊU", "NỘI DUNG", "GIÁ TRỊ", "TỬ SỐ", "MẪU SỐ", "GHI CHÚ"],
    "NFD": [nfd(h) for h in LONG_HEADER],
    "short names": ["Mã", "Tên chỉ tiêu", "Kết quả", "Tử số", "Mẫu số", "Ghi chú"],
    "English": ["Code", "Indicator", "Value", "Numerator", "Denominator", "Note"],
    "remarks and spacing": [
        " Mã  số ",
        "Nội dung",
        "Giá trị (%)",
        "Tử số (hộ)",
        "Mẫu số (hộ)",
        "Ghi chú:",
    ],
}


@pytest.mark.parametrize("header", HEADERS.values(), ids=HEADERS.keys())
def test_header_names(header: list[str]) -> None:
    result = read(long_return([["2.2", "", 90, 45, 50, "đo đạc"]], header=header, village="A"))
    assert codes_of(result) == []
    row = result.values.iloc[0]
    assert (row["value"], row["numerator"], row["denominator"], row["note"]) == (
        90,
        45,
        50,
        "đo đạc",
    )


@pytest.mark.parametrize(("blank_rows", "found"), [(0, True), (26, True), (27, False)])
def test_header_row_within_the_first_30_rows(blank_rows: int, found: bool) -> None:
    """Three metadata rows, then blank rows: the header is row 4 + blank_rows (30 at most)."""
    result = read(long_return([["2.2", "", 90]], village="A", blank_rows=blank_rows))
    assert codes_of(result) == ([] if found else ["no_indicator_table"])


def test_wide_layout_one_column_per_village() -> None:
    rows = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        [],
        ["Mã", "Nội dung", "Nà Rào", nfd("Bản Giềng"), "Toàn xã", "Ghi chú"],
        ["2.2", "Đường thôn", 80, 90, 85, ""],
        ["6.3", "Nhà văn hóa", "Đạt", "Chưa đạt", 50, ""],
        ["1.1", "Quy hoạch", None, None, "Đạt", "đã duyệt"],
    ]
    result = read(xlsx({"Tổng hợp": rows}))
    assert codes_of(result) == []
    assert result.meta.villages == ["Nà Rào", "Bản Giềng"]
    assert value_of(result, "2.2", "Nà Rào") == 80
    assert value_of(result, "2.2", "Bản Giềng") == 90
    assert value_of(result, "2.2") == 85
    assert value_of(result, "6.3", "Bản Giềng") == 0.0  # a village's yes/no for a share
    assert value_of(result, "6.3") == 50
    assert value_of(result, "1.1") == 1.0
    cells = dict(
        zip(
            result.values["code"] + "/" + result.values["village"].fillna("xã"),
            result.values["cell"],
            strict=True,
        )
    )
    assert cells["2.2/Bản Giềng"] == "D5"


def test_two_header_rows_with_villages_under_a_merged_cell() -> None:
    rows = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        ["Mã chỉ tiêu", "Nội dung", "Kết quả thực hiện", None],
        [None, None, "Nà Rào", "Bản Giềng"],
        ["2.2", "", 80, 90],
    ]
    result = read(xlsx({"Sheet1": rows}))
    assert codes_of(result) == []
    assert value_of(result, "2.2", "Bản Giềng") == 90


def test_two_header_rows_with_value_numerator_denominator() -> None:
    rows = [
        ["Xã:", "Dương Quang"],
        ["Thôn:", "Nà Rào"],
        ["Năm:", 2024],
        ["Mã chỉ tiêu", "Nội dung", "Kết quả", None, None],
        [None, None, "Giá trị", "Tử số", "Mẫu số"],
        ["2.2", "", None, 45, 50],
    ]
    result = read(xlsx({"Sheet1": rows}))
    assert codes_of(result) == []
    assert value_of(result, "2.2", "Nà Rào") == 90


def test_one_sheet_per_village() -> None:
    sheets = {
        name: [
            ["Xã:", "Dương Quang"],
            ["Thôn/Bản:", name],
            ["Năm:", 2024],
            [],
            LONG_HEADER,
            ["2.2", "", value],
        ]
        for name, value in (("Nà Rào", 70), ("Bản Giềng", 75))
    }
    sheets["Toàn xã"] = [["Xã:", "Dương Quang"], ["Năm:", 2024], [], LONG_HEADER, ["2.1", "", 99]]
    result = read(xlsx(sheets))
    assert codes_of(result) == []
    assert (value_of(result, "2.2", "Nà Rào"), value_of(result, "2.2", "Bản Giềng")) == (70, 75)
    assert value_of(result, "2.1") == 99


def test_sheet_without_a_table_is_skipped_and_a_file_without_any_is_reported() -> None:
    result = read(xlsx({"Ghi chú": [["Báo cáo năm 2024"]]}))
    assert codes_of(result) == ["no_indicator_table"]


def test_values_frame_has_the_tidy_columns() -> None:
    result = read(long_return([["2.2", "", 90]], village="A"))
    assert list(result.values.columns) == VALUE_COLUMNS
    assert str(result.values["period"].dtype) == "int64"
    # The frame is assembled from ready arrays without pandas' checks: the same dtypes as an
    # empty values frame (object text, not pandas' string dtype) and concatenable with one.
    assert result.values.dtypes.equals(empty_values().dtypes)
    both = pd.concat([empty_values(), result.values], ignore_index=True)
    assert both.dtypes.equals(empty_values().dtypes)
    assert result.values["file"].tolist() == ["bao-cao.xlsx"]
    assert result.values["cell"].tolist() == ["C6"]


# --- codes ---------------------------------------------------------------------------------

CODES = {
    "plain": ("2.1", "2.1"),
    "decimal comma": ("2,1", "2.1"),
    "TC prefix": ("TC2.1", "2.1"),
    "Chỉ tiêu prefix": ("Chỉ tiêu 2.1", "2.1"),
    "CT prefix with space": ("CT 2.1", "2.1"),
    "spaces around": (" 2.1 ", "2.1"),
    "trailing dot": ("2.1.", "2.1"),
    "NFD prefix": (nfd("Chỉ tiêu 2.1"), "2.1"),
    "number": (2.1, "2.1"),
    "whole number": (10, "10"),
    "part letter": ("12.2a", "12.2a"),
    "part letter upper case": ("12.2B", "12.2b"),
    "part letter after a space": ("12.2 a", "12.2a"),
    "part named in brackets": ("12.2 (nữ)", "12.2b"),
    "part named in brackets, NFD": (nfd("12.2 (nữ)"), "12.2b"),
    "part of a criterion without minor": ("5a", "5a"),
    "17.10 as text": ("17.10", "17.10"),
}


@pytest.mark.parametrize(("raw", "expected"), CODES.values(), ids=CODES.keys())
def test_codes(raw: Any, expected: str) -> None:
    result = read(long_return([[raw, "", 12]], village="Toàn xã"))
    assert codes_of(result) == []
    assert result.values["code"].tolist() == [expected]


CODE_PROBLEMS = {
    "not in the set": ("99.9", Code.UNKNOWN_INDICATOR, {"code": "99.9"}),
    "not a code": ("abc", Code.UNKNOWN_INDICATOR, {"code": "abc"}),
    "indicator measured by parts": ("17.1", Code.INDICATOR_HAS_PARTS, {"code": "17.1"}),
}


@pytest.mark.parametrize(
    ("raw", "code", "params"), CODE_PROBLEMS.values(), ids=CODE_PROBLEMS.keys()
)
def test_code_problems(raw: str, code: Code, params: dict[str, str]) -> None:
    """Rows with an unknown code are left out with a warning naming the code cell."""
    result = read(long_return([["2.1", "", 95], [raw, "", 12]], village="Toàn xã"))
    (problem,) = result.problems
    assert (problem.code, problem.cell, problem.level) == (code, "A7", Severity.WARNING)
    assert params.items() <= problem.params.items()
    assert result.values["code"].tolist() == ["2.1"]


AMBIGUOUS = {
    # rows (code cell, name, value); the code the row with value 7 gets, or the problem
    "name says 17.10": ([(17.1, "Tỷ lệ hộ có phân loại chất thải rắn tại nguồn", 7)], "17.10"),
    "name (NFD) says part 17.1a": (
        [(17.1, nfd("Tỷ lệ hộ sử dụng nước sinh hoạt hợp vệ sinh"), 7)],
        "17.1a",
    ),
    "previous row is 17.9": ([("17.9", "", 1), (17.1, "", 7)], "17.10"),
    "next row is 17.1a": ([(17.1, "", 7), ("17.1a", "", 1), ("17.1b", "", 2)], "17.1"),
    "previous row is 12.2b": ([("12.2b", "", 1), (17.1, "", 7)], "17.1"),
    "nothing to go by": ([(17.1, "", 7)], Code.AMBIGUOUS_CODE),
    "a name that fits neither": ([(17.1, "Số km đường", 7)], Code.AMBIGUOUS_CODE),
}


@pytest.mark.parametrize(("rows", "expected"), AMBIGUOUS.values(), ids=AMBIGUOUS.keys())
def test_number_code_17_1_or_17_10(rows: list[tuple[Any, str, float]], expected: Any) -> None:
    """A code typed as a number arrives as 17.1 whether 17.1 or 17.10 was meant."""
    result = read(long_return([list(r) for r in rows], village="Toàn xã"))
    seven = result.values[result.values["value"] == 7]
    if isinstance(expected, Code):
        (problem,) = result.problems
        row = 6 + [r[2] for r in rows].index(7)
        assert (problem.code, problem.cell) == (expected, f"A{row}")
        assert problem.params["candidates"] == "17.1 / 17.10"
        assert seven.empty
    elif expected == "17.1":  # the indicator measured by its parts: its own value is refused
        assert codes_of(result) == ["indicator_has_parts"]
    else:
        assert codes_of(result) == []
        assert seven["code"].tolist() == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.1", ("2.1", "")),
        ("tc 17.10", ("17.10", "")),
        ("12.2 (nu)", ("12.2", "nu")),
        ("Tiêu chí 7", ("7", "")),
        ("I", None),
        ("Giao thông", None),
        ("2.1.3", None),
    ],
)
def test_parse_code_text(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_code_text(text) == expected


# --- values --------------------------------------------------------------------------------

YES_NO = {
    "Đạt": ("Đạt", 1.0),
    "đạt lower": ("đạt", 1.0),
    "ĐẠT upper": ("ĐẠT", 1.0),
    "Đạt NFD": (nfd("Đạt"), 1.0),
    "Có": ("Có", 1.0),
    "x": ("x", 1.0),
    "X": ("X", 1.0),
    "tick": ("✓", 1.0),
    "TRUE text": ("TRUE", 1.0),
    "TRUE cell": (True, 1.0),
    "1": (1, 1.0),
    "'1' text": ("1", 1.0),
    "Yes": ("Yes", 1.0),
    "Đạt with a full stop": ("Đạt.", 1.0),
    "Không đạt": ("Không đạt", 0.0),
    "Chưa đạt": ("Chưa đạt", 0.0),
    "Không": ("Không", 0.0),
    "Không đạt NFD": (nfd("Không đạt"), 0.0),
    "FALSE text": ("FALSE", 0.0),
    "FALSE cell": (False, 0.0),
    "0": (0, 0.0),
    "No": ("No", 0.0),
    "empty is missing": (None, None),
    "spaces are missing": ("   ", None),
    "partly": ("Đạt một phần", Code.NOT_YES_NO),
    "2": (2, Code.NOT_YES_NO),
    "a share": (0.5, Code.NOT_YES_NO),
    "a date": (dt.datetime(2024, 1, 1), Code.NOT_YES_NO),
}


@pytest.mark.parametrize(("raw", "expected"), YES_NO.values(), ids=YES_NO.keys())
def test_yes_no(raw: Any, expected: Any) -> None:
    """Whole phrases only: "Không đạt" contains "đạt" and is no; empty is missing, never no."""
    result = read(long_return([["1.1", "", raw]], title="Toàn xã"))
    if isinstance(expected, Code):
        (problem,) = result.problems
        assert (problem.code, problem.cell, problem.params["code"]) == (expected, "C5", "1.1")
        assert result.values.empty
    elif expected is None:
        assert codes_of(result) == [Code.NO_VALUES]  # its only row is blank: nothing to store
        assert result.values.empty
    else:
        assert codes_of(result) == []
        assert value_of(result, "1.1") == expected


PERCENTS = {
    # value cell, its number format, numerator, denominator -> value
    "percent format 0%": (0.95, "0%", None, None, 95.0),
    "percent format 0.0%": (0.955, "0.0%", None, None, 95.5),
    "percent format with sections": (0.5, "0.00%;[Red]-0.00%", None, None, 50.0),
    "95 is 95": (95, None, None, None, 95.0),
    "0.95 without a format is 0.95": (0.95, None, None, None, 0.95),
    "template's literal %": (95, '0.0" %"', None, None, 95.0),
    "text 95%": ("95%", None, None, None, 95.0),
    "text 95 %": ("95 %", None, None, None, 95.0),
    "decimal comma": ("95,5", None, None, None, 95.5),
    "decimal comma and %": ("95,5%", None, None, None, 95.5),
    "decimal point": ("95.5", None, None, None, 95.5),
    "numerator and denominator alone": (None, None, 45, 50, 90.0),
    "numerator and denominator as text": (None, None, "45", "50", 90.0),
    "value kept next to num/den": (91, None, 45, 50, 91.0),
    "denominator 0: missing": (None, None, 0, 0, NAN),
    "not a number": ("chín mươi", None, None, None, Code.NOT_A_NUMBER),
    "percent sign twice": ("95%%", None, None, None, Code.NOT_A_NUMBER),
    "a date": (dt.datetime(2024, 1, 1), None, None, None, Code.NOT_A_NUMBER),
}


@pytest.mark.parametrize(
    ("raw", "fmt", "num", "den", "expected"), PERCENTS.values(), ids=PERCENTS.keys()
)
def test_percent(raw: Any, fmt: str | None, num: Any, den: Any, expected: Any) -> None:
    result = read(
        long_return([["2.2", "", raw, num, den]], village="A", formats={"C6": fmt} if fmt else None)
    )
    if isinstance(expected, Code):
        assert [(p.code, p.cell) for p in result.problems] == [(expected, "C6")]
    else:
        assert codes_of(result) == []
        if math.isnan(expected):
            assert result.values["value"].isna().all()
        else:
            assert value_of(result, "2.2", "A") == pytest.approx(expected)


NUMBERS = {
    # code (kind), cell -> value
    "money with decimal comma": ("10", "45,6", 45.6),
    "Vietnamese thousands and decimals": ("17.4", "1.234,5", 1234.5),
    "English thousands and decimals": ("17.4", "1,234.5", 1234.5),
    "grouped thousands": ("17.4", "1.234.567", 1234567.0),
    "a count has no decimals": ("5a", "1.234", 1234.0),
    "a number keeps the decimal point": ("17.4", "1.234", 1.234),
    "spaces in digits": ("17.4", "1 234", 1234.0),
    "a number cell": ("17.4", 2.5, 2.5),
    "% on a number is not one": ("17.4", "5%", Code.NOT_A_NUMBER),
    "words": ("10", "45 triệu", Code.NOT_A_NUMBER),
}


@pytest.mark.parametrize(("code", "raw", "expected"), NUMBERS.values(), ids=NUMBERS.keys())
def test_numbers(code: str, raw: Any, expected: Any) -> None:
    result = read(long_return([[code, "", raw]], title="Toàn xã"))
    if isinstance(expected, Code):
        assert [(p.code, p.cell) for p in result.problems] == [(expected, "C5")]
    else:
        assert codes_of(result) == []
        assert value_of(result, code) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("1.234,5", "number", 1234.5),
        ("1,5", "number", 1.5),
        ("−5", "money", -5.0),
        ("+5", "number", 5.0),
        ("1,234,567", "number", 1234567.0),
        ("1,23,4", "number", None),
        ("1.2.3", "number", None),
        ("", "number", None),
        ("12a", "number", None),
        ("95%", "percent", None),
    ],
)
def test_parse_number_text(text: str, kind: str, expected: float | None) -> None:
    assert parse_number_text(text, kind=kind) == expected


@pytest.mark.parametrize(
    ("fmt", "percent"),
    [
        ("0%", True),
        ("0.00%", True),
        ('0.0" %"', False),
        ("0.0\\%", False),
        ("#,##0", False),
        ("[Red]0%", True),
        ('"%"0', False),
    ],
)
def test_percent_formats(fmt: str, percent: bool) -> None:
    assert is_percent_format(fmt) is percent


# --- formulas ------------------------------------------------------------------------------


def test_formula_uses_its_cached_value() -> None:
    data = long_return([["2.2", "", "=45/50*100"]], village="A")
    result = read(with_cached_value(data, 1, "C6", 90.0))
    assert codes_of(result) == []
    assert value_of(result, "2.2", "A") == 90


def test_percent_formatted_formula_uses_its_cached_value() -> None:
    data = long_return([["2.2", "", "=45/50"]], village="A", formats={"C6": "0%"})
    result = read(with_cached_value(data, 1, "C6", 0.9))
    assert value_of(result, "2.2", "A") == pytest.approx(90)


@pytest.mark.parametrize(
    ("row", "cell"),
    [(["2.2", "", "=45/50*100"], "C6"), (["2.2", "", None, "=40+5", 50], "D6")],
    ids=["value", "numerator"],
)
def test_formula_without_cached_value(row: list[Any], cell: str) -> None:
    result = read(long_return([row], village="A"))
    assert [(p.code, p.cell) for p in result.problems] == [(Code.FORMULA_NO_CACHED_VALUE, cell)]


def test_formula_outside_the_value_columns_is_not_reported() -> None:
    result = read(long_return([["2.2", "=1+1", 90]], village="A"))
    assert codes_of(result) == []


# --- problems name the real cell -----------------------------------------------------------


def test_problem_cells_are_the_real_cells() -> None:
    rows = [
        [],
        ["Xã:", None, "Dương Quang"],
        ["Thôn/Bản:", None, "Nà Rào"],
        ["Năm:", None, 2024],
        *([[]] * 5),
        [None, "Mã chỉ tiêu", "Nội dung", "Giá trị"],
        [None, "17.10", "", 95],
        [None, "2.2", "", "nhiều"],
    ]
    result = read(xlsx({"Sheet1": rows}))
    assert [(p.code, p.sheet, p.cell) for p in result.problems] == [
        (Code.NOT_A_NUMBER, "Sheet1", "D12")
    ]
    assert result.values["cell"].tolist() == ["D11"]


def test_duplicate_codes() -> None:
    """The same value twice is fine; a different value is an error naming both cells."""
    result = read(
        long_return([["2.1", "", 95], ["2,1", "", "95"], ["TC2.1", "", 90]], village="Toàn xã")
    )
    (problem,) = result.problems
    assert (problem.code, problem.cell) == (Code.DUPLICATE_CODE, "C8")
    assert problem.params["first_cell"] == "C6"
    assert problem.params["unit"] == "Dương Quang"
    assert result.values["value"].tolist() == [95]


def test_out_of_range_values_are_errors() -> None:
    result = read(
        long_return(
            [["2.2", "", 120], ["17.4", "", -1], ["17.10", "", None, 60, 50]], village="Toàn xã"
        )
    )
    assert [(p.code, p.cell) for p in result.problems] == [
        (Code.PERCENT_OUT_OF_RANGE, "C6"),
        (Code.NEGATIVE_VALUE, "C7"),
        (Code.NUMERATOR_GT_DENOMINATOR, "C8"),
    ]
    assert not result.ok


# --- files ---------------------------------------------------------------------------------


def test_legacy_xls() -> None:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Thôn/Bản:", "Nà Rào"],
        ["Năm:", 2024],
        [],
        ["Mã chỉ tiêu", "Giá trị", "Tử số", "Mẫu số"],
        ["2.2", None, 45, 50],
        ["9.1", "Không đạt"],
        [17.1, 33],
    ]
    result = read(xls({"Báo cáo": rows}), "bao-cao.xls")
    assert codes_of(result) == ["ambiguous_code"]
    assert value_of(result, "2.2", "Nà Rào") == 90
    # 9.1 "Nhà tạm, dột nát" is met by the answer "Không": the verdict "Không đạt" means "Có".
    assert value_of(result, "9.1", "Nà Rào") == 1


def test_path_source_and_file_name(tmp_path: Path) -> None:
    path = tmp_path / "xa-duong-quang.xlsx"
    path.write_bytes(long_return([["2.1", "", 95]], title="Toàn xã"))
    result = read_return(path, criteria=mini_criteria())
    assert result.file == "xa-duong-quang.xlsx"
    assert result.values["file"].tolist() == ["xa-duong-quang.xlsx"]


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    result = read_return(tmp_path / "nowhere.xlsx")
    assert codes_of(result) == ["unreadable_file"]


@pytest.mark.parametrize(
    ("limits", "code"),
    [
        (Limits(max_file_bytes=1000), "file_too_large"),
        (Limits(parse_seconds=0.0), "parse_timeout"),
        (Limits(max_rows=3), "too_many_rows"),
        (Limits(max_sheets=0), "too_many_sheets"),
        (Limits(max_inflated_bytes=1000), "archive_too_large"),
    ],
    ids=["size", "time", "rows", "sheets", "inflated"],
)
def test_limits(limits: Limits, code: str) -> None:
    result = read(long_return([["2.1", "", 95]], title="Toàn xã"), limits=limits)
    assert codes_of(result) == [code]
    assert result.values.empty


def test_fold() -> None:
    assert fold(nfd("  Thôn / BẢN  ĐẠT ")) == "thon / ban dat"


def test_notes() -> None:
    """A note is kept with its row, even without a value; beside a heading it is no problem."""
    rows = [
        ["2", "Giao thông", None, None, None, "xem biểu chi tiết"],
        ["2.2", "", 80, None, None, "đo năm 2024"],
        ["17.10", "", None, None, None, "chưa điều tra"],
    ]
    result = read(long_return(rows, village="A"))
    assert codes_of(result) == []
    assert result.values["code"].tolist() == ["2.2", "17.10"]
    assert result.values["note"].tolist() == ["đo năm 2024", "chưa điều tra"]
    assert math.isnan(result.values["value"].iloc[1])


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Thôn \u202eabc", "Thôn abc"),
        ("Thôn\u200b Hạ", "Thôn Hạ"),
        ("\ufeffNà Rào", "Nà Rào"),
        ("Thôn\u200d Thượng", "Thôn Thượng"),
        ("Nà\tRào\n", "Nà Rào"),
    ],
    ids=["bidi override", "zero-width space", "byte-order mark", "zero-width joiner", "tabs"],
)
def test_names_lose_format_and_control_characters(raw: str, stored: str) -> None:
    result = read(long_return([["2.2", "", 80, None, None, f"ghi{raw[-1]}chú"]], village=raw))
    assert result.values["village"].tolist() == [stored]
    assert result.meta.villages == [stored]


def test_a_blank_template_is_refused_with_a_reason(tmp_path: Path) -> None:
    """Storing an unfilled return would add an empty revision and tell nobody."""
    from ntm.template import write_template

    path = tmp_path / "trong.xlsx"
    write_template(path, "Xã Trống", 2024, ["Thôn A"], get_set("vn-ntm-xa-2021-2025"), key="tdmnpb")
    result = read_return(path)
    assert [(p.code, p.is_error) for p in result.problems] == [(Code.NO_VALUES, True)]
    assert "chưa có giá trị chỉ tiêu nào" in result.problems[0].message()


def test_no_set_for_the_year_names_the_cell_that_gives_the_year() -> None:
    sheet = [["Xã:", "Dương Quang"], ["Năm:", 2019], [], LONG_HEADER, ["2.2", "", 80]]
    result = read(xlsx({"Toàn xã": sheet}), criteria=None)  # the set chosen by the year
    (problem,) = result.problems
    assert (problem.code, problem.sheet, problem.cell) == (Code.NO_CRITERIA_SET, "Toàn xã", "B2")


def test_calamine_opens_the_inflated_parts_stored_with_the_others_as_uploaded() -> None:
    """The guard's inflated XML is handed on stored (not inflated twice); nothing else changes."""
    import io
    import zipfile

    from ntm.returns import _Guard

    data = long_return([["2.2", "", 95]], village="A")
    guard = _Guard("bao-cao.xlsx", DEFAULT_LIMITS, time.monotonic() + 10)
    archive = guard.zip_book(data, "bao-cao.xlsx").archive
    assert archive is not None
    upload, copy = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(archive))
    assert copy.testzip() is None
    assert copy.namelist() == upload.namelist()
    for before, after in zip(upload.infolist(), copy.infolist(), strict=True):
        assert copy.read(after) == upload.read(before)
        # The guard inflates what calamine reads: not the document properties nor the theme.
        inflated = not before.filename.startswith(("docProps/", "xl/theme/", "_rels/"))
        stored = after.compress_type == zipfile.ZIP_STORED
        assert stored if inflated else after.compress_type == before.compress_type
    assert value_of(read(data), "2.2", "A") == 95
