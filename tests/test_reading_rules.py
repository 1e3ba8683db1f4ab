"""The reader's rules one family at a time (issue 12): a table of cases for each.

tests/test_office_returns.py reads whole office-shaped workbooks; these tables pin each rule
down on its own, with the expected value written beside the input.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from ntm.errors import Code
from ntm.returns.codes import code_prefix
from ntm.returns.labels import header_role, village_prefix
from ntm.returns.layout import _village_like
from ntm.returns.legacy import convert_sheets, is_tcvn3, to_unicode
from ntm.returns.values import cell_value, money_factor
from ntm.validation import CodeInfo

NAN = math.nan


def info(kind: str, *, required: float | None = None, aggregation: str = "commune_only") -> Any:
    scope = "commune" if aggregation == "commune_only" else "village"
    return CodeInfo("x", kind, scope, aggregation, ("tên",), unit="", required=required)


YES_NO_MET_BY_YES = info("boolean", required=1.0)  # 1.1 "có quy hoạch": "Có" is required
YES_NO_MET_BY_NO = info("boolean", required=0.0)  # 9.1 "Nhà tạm, dột nát": "Không"
SHARE = info("percent", aggregation="share")  # 6.3, 16: a village answers yes or no
PERCENT = info("percent")

VALUES = {
    # label: (indicator, raw cell, percent-formatted cell, on a village, value, problem)
    "answer Có": (YES_NO_MET_BY_YES, "Có", False, False, 1.0, None),
    "answer Không": (YES_NO_MET_BY_NO, "Không", False, False, 0.0, None),
    "verdict Đạt, yes required": (YES_NO_MET_BY_YES, "Đạt", False, False, 1.0, None),
    "verdict Đạt, no required": (YES_NO_MET_BY_NO, "Đạt", False, False, 0.0, None),
    "verdict Không đạt, no required": (YES_NO_MET_BY_NO, "Không đạt", False, False, 1.0, None),
    "verdict Chưa đạt chuẩn, yes required": (
        YES_NO_MET_BY_YES,
        "Chưa đạt chuẩn",
        False,
        False,
        0.0,
        None,
    ),
    "tick, yes required": (YES_NO_MET_BY_YES, "x", False, False, 1.0, None),
    "tick, no required": (YES_NO_MET_BY_NO, "✓", False, False, NAN, Code.AMBIGUOUS_TICK),
    "verdict, no answer known": (
        info("boolean"),
        "Đạt",
        False,
        False,
        NAN,
        Code.VERDICT_WITHOUT_ANSWER,
    ),
    "1 and 0": (YES_NO_MET_BY_NO, 1, False, False, 1.0, None),
    "free text": (YES_NO_MET_BY_YES, "đang làm", False, False, NAN, Code.NOT_YES_NO),
    "share: 100 %": (SHARE, "100 %", False, True, 1.0, None),
    "share: 100": (SHARE, 100, False, True, 1.0, None),
    "share: 1 in a percent cell": (SHARE, 1.0, True, True, 1.0, None),
    "share: Đạt": (SHARE, "Đạt", False, True, 1.0, None),
    "share: 0%": (SHARE, "0%", False, True, 0.0, None),
    "share: 50": (SHARE, 50, False, True, NAN, Code.SHARE_NOT_YES_NO),
    "share on the commune sheet: a percent": (SHARE, 80, False, False, 80.0, None),
    "percent: Đạt": (PERCENT, "Đạt", False, False, NAN, Code.VERDICT_NOT_A_VALUE),
    "percent: Có": (PERCENT, "Có", False, False, NAN, Code.NOT_A_NUMBER),
    "percent: 0.95 in a percent cell": (PERCENT, 0.95, True, False, 95.0, None),
    "percent: decimal comma": (PERCENT, "79,6%", False, False, 79.6, None),
}


@pytest.mark.parametrize(
    ("ind", "raw", "percent_cell", "village", "value", "problem"),
    VALUES.values(),
    ids=VALUES.keys(),
)
def test_cell_values(
    ind: CodeInfo, raw: Any, percent_cell: bool, village: bool, value: float, problem: Code | None
) -> None:
    got, bad = cell_value(raw, ind, village=village, percent_cell=percent_cell)
    assert bad == problem
    assert (math.isnan(got) and math.isnan(value)) or got == pytest.approx(value)


MONEY = {
    # (value as written, unit written, set's unit) → (value in the set's unit, problem)
    "đồng": (52_300_000, "đồng/người/năm", "triệu đồng/người/năm", 52.3, Code.MONEY_CONVERTED),
    "nghìn đồng": (52_300, "nghìn đồng", "triệu đồng/người/năm", 52.3, Code.MONEY_CONVERTED),
    "triệu đồng": (52.3, "Triệu đồng/người/năm", "triệu đồng/người/năm", 52.3, None),
    "no unit, small": (52.3, "", "triệu đồng/người/năm", 52.3, None),
    "no unit, surely đồng": (52_300_000, "", "triệu đồng/người/năm", 52.3, Code.MONEY_CONVERTED),
    "no unit, unclear": (52_300, "", "triệu đồng/người/năm", 52_300, Code.MONEY_UNIT_UNCLEAR),
}


@pytest.mark.parametrize(
    ("value", "unit", "set_unit", "expected", "problem"), MONEY.values(), ids=MONEY.keys()
)
def test_money_units(
    value: float, unit: str, set_unit: str, expected: float, problem: Code | None
) -> None:
    factor, got = money_factor(value, unit, set_unit)
    assert got == problem
    assert value * factor == pytest.approx(expected)


HEADERS = {
    "Kết quả thực hiện": "value",
    "Hiện trạng": "value",
    "Kết quả năm 2023": "value",
    "Tự đánh giá": "assessment",
    "Chỉ tiêu đạt chuẩn": "threshold",
    "Chỉ tiêu theo vùng": "threshold",
    "Kế hoạch năm 2025": "plan",
    "Cùng kỳ năm trước": "previous",
    "So sánh": "compare",
    "STT": "row",
    "TT": "row",
    "Nội dung tiêu chí": "name",
    "Tên tiêu chí": "criterion",
    "Đơn vị tính": "unit",
    "đơn vị thực hiện": "other",
    "Nà Dì": None,
}


@pytest.mark.parametrize(("text", "role"), HEADERS.items(), ids=HEADERS.keys())
def test_header_roles(text: str, role: str | None) -> None:
    assert header_role(text) == role


VILLAGE_HEADERS = {
    "Nà Dì": True,
    "Thôn 3": True,
    "Bản Giềng": True,
    "Khu dân cư số 2": True,
    "đơn vị thực hiện": False,
    "Kế hoạch năm 2025": False,
    "2023": False,
}


@pytest.mark.parametrize(("text", "village"), VILLAGE_HEADERS.items(), ids=VILLAGE_HEADERS.keys())
def test_wide_columns_that_are_villages(text: str, village: bool) -> None:
    assert _village_like(text) is village


def test_village_prefix_keeps_a_numbered_village() -> None:
    assert village_prefix("Thôn 3") == "thon"
    assert village_prefix("Thôn") is None


CODE_PREFIXES = {
    "2.2. Tỷ lệ đường thôn": "2.2",
    "17.10 Tỷ lệ hộ phân loại": "17.10",
    "TC 3.1 - Tỷ lệ diện tích": "3.1",
    "7. Xã có chợ": "7",
    "2 nhà văn hóa": None,
    "Xã có chợ nông thôn": None,
}


@pytest.mark.parametrize(("name", "code"), CODE_PREFIXES.items(), ids=CODE_PREFIXES.keys())
def test_codes_at_the_start_of_a_name(name: str, code: str | None) -> None:
    assert code_prefix(name) == code


TCVN3 = {
    # as the cell shows it → as meant (reference §2b: "M· chØ tiªu" is "Mã chỉ tiêu")
    "M· chØ tiªu": "Mã chỉ tiêu",
    "B¶o Th¾ng": "Bảo Thắng",
    "D\xad¬ng Quang": "Dương Quang",
    "§\xad\xeang th«n": "Đường thôn",
}


@pytest.mark.parametrize(("shown", "meant"), TCVN3.items(), ids=TCVN3.values())
def test_tcvn3_text_is_read_as_unicode(shown: str, meant: str) -> None:
    assert is_tcvn3(shown) or "«" in shown
    assert to_unicode(shown) == meant


def test_tcvn3_book_level_and_unicode_left_alone() -> None:
    """In a Latin-1 book with a sure TCVN3 cell, "Néi dung" (no sure character) is TCVN3 too;
    a book that also holds Unicode Vietnamese converts only the sure cells."""
    legacy: list[list[object]] = [["M· chØ tiªu", "Néi dung"]]
    assert convert_sheets([legacy]).count == 2
    assert legacy == [["Mã chỉ tiêu", "Nội dung"]]
    mixed: list[list[object]] = [["M· chØ tiªu", "Café", "Dương Quang"]]
    assert convert_sheets([mixed]).count == 1
    assert mixed == [["Mã chỉ tiêu", "Café", "Dương Quang"]]
