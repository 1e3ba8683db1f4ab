"""Value-level checks on a tidy values frame: every problem collected, with a stable code."""

from __future__ import annotations

from typing import Any

import pytest
from hostile import mini_criteria

from ntm.errors import Code, Severity
from ntm.validation import check_rows, code_index, fmt_number, validate
from ntm.values import empty_values, make_values

NAN = float("nan")


def frame(*rows: dict[str, Any]) -> Any:
    base = {"commune": "Dương Quang", "village": None, "period": 2024, "sheet": "S", "cell": "F6"}
    return make_values([{**base, **row} for row in rows])


def problems_of(*rows: dict[str, Any]) -> list[tuple[Code, str]]:
    return [(p.code, p.cell) for p in validate(frame(*rows), mini_criteria(), "a.xlsx")]


CASES = {
    # -- fine
    "a percent in range": ([{"code": "2.1", "value": 95}], []),
    "0 and 100 are in range": ([{"code": "2.1", "value": 0}, {"code": "17.9", "value": 100}], []),
    "missing values are not checked": ([{"code": "2.1", "value": NAN}], []),
    "a negative value of a percent kind is out of range, not negative": (
        [{"code": "2.1", "value": -1}],
        [(Code.PERCENT_OUT_OF_RANGE, "F6")],
    ),
    "numerator equal to denominator": (
        [{"code": "2.2", "value": 100, "numerator": 5, "denominator": 5}],
        [],
    ),
    # -- codes
    "unknown code": ([{"code": "99.9", "value": 1}], [(Code.UNKNOWN_INDICATOR, "F6")]),
    "indicator measured by parts": (
        [{"code": "12.2", "value": 80}],
        [(Code.INDICATOR_HAS_PARTS, "F6")],
    ),
    # -- ranges
    "percent over 100": ([{"code": "2.1", "value": 100.5}], [(Code.PERCENT_OUT_OF_RANGE, "F6")]),
    "negative count": ([{"code": "5a", "value": -2}], [(Code.NEGATIVE_VALUE, "F6")]),
    "negative number": ([{"code": "17.4", "value": -0.5}], [(Code.NEGATIVE_VALUE, "F6")]),
    "negative money": ([{"code": "10", "value": -45}], [(Code.NEGATIVE_VALUE, "F6")]),
    "negative numerator": (
        [{"code": "2.2", "numerator": -1, "denominator": 5}],
        [(Code.NEGATIVE_VALUE, "F6")],
    ),
    "numerator over denominator (its percent is not reported twice)": (
        [{"code": "2.2", "value": 120, "numerator": 6, "denominator": 5}],
        [(Code.NUMERATOR_GT_DENOMINATOR, "F6")],
    ),
    # -- duplicates
    "same code, same value: fine": (
        [{"code": "2.1", "value": 95}, {"code": "2.1", "value": 95.0, "cell": "F9"}],
        [],
    ),
    "same code, other value": (
        [{"code": "2.1", "value": 95}, {"code": "2.1", "value": 90, "cell": "F9"}],
        [(Code.DUPLICATE_CODE, "F9")],
    ),
    "same code, other denominator": (
        [
            {"code": "2.2", "value": 90, "numerator": 45, "denominator": 50},
            {"code": "2.2", "value": 90, "numerator": 45, "denominator": 51, "cell": "F9"},
        ],
        [(Code.DUPLICATE_CODE, "F9")],
    ),
    "same code, one value missing": (
        [{"code": "2.1", "value": 95}, {"code": "2.1", "value": NAN, "cell": "F9"}],
        [(Code.DUPLICATE_CODE, "F9")],
    ),
    "same code in two villages: fine": (
        [
            {"code": "2.2", "value": 80, "village": "A"},
            {"code": "2.2", "value": 90, "village": "B"},
        ],
        [],
    ),
    "same code in two years: fine": (
        [{"code": "2.1", "value": 80}, {"code": "2.1", "value": 90, "period": 2023}],
        [],
    ),
}


@pytest.mark.parametrize(("rows", "expected"), CASES.values(), ids=CASES.keys())
def test_validate(rows: list[dict[str, Any]], expected: list[tuple[Code, str]]) -> None:
    assert problems_of(*rows) == expected


def test_severities() -> None:
    problems = validate(
        frame({"code": "99.9", "value": 1}, {"code": "2.1", "value": 101}),
        mini_criteria(),
        "a.xlsx",
    )
    assert [p.level for p in problems] == [Severity.WARNING, Severity.ERROR]
    assert all(p.file == "a.xlsx" and p.sheet == "S" for p in problems)


def test_duplicate_message_names_both_cells_and_the_unit() -> None:
    (problem,) = validate(
        frame(
            {"code": "2.2", "value": 80, "village": "Nà Rào", "sheet": "Nà Rào"},
            {"code": "2.2", "value": 85, "village": "Nà Rào", "sheet": "Tổng hợp", "cell": "C9"},
        ),
        mini_criteria(),
        "a.xlsx",
    )
    assert problem.params == {
        "code": "2.2",
        "unit": "Nà Rào",
        "first": "80",
        "first_cell": "Nà Rào!F6",
        "second": "85",
    }
    assert "Nà Rào!F6" in problem.message("vi")
    assert "85" in problem.message("en")


def test_check_rows_keeps_the_first_of_each_duplicate_and_known_codes_only() -> None:
    rows = frame(
        {"code": "2.1", "value": 95},
        {"code": "2.1", "value": 90, "cell": "F9"},
        {"code": "99.9", "value": 1},
    ).to_dict("records")
    _, kept = check_rows(rows, mini_criteria(), "a.xlsx")
    assert [(r["code"], r["value"]) for r in kept] == [("2.1", 95)]


def test_empty_frame() -> None:
    assert validate(empty_values(), mini_criteria(), "a.xlsx") == []


def test_every_message_renders_in_both_languages() -> None:
    rows = [
        {"code": "99.9", "value": 1},
        {"code": "12.2", "value": 1},
        {"code": "2.1", "value": 101},
        {"code": "5a", "value": -1},
        {"code": "2.2", "numerator": 6, "denominator": 5},
        {"code": "17.9", "value": 5},
        {"code": "17.9", "value": 6},
    ]
    problems = validate(frame(*rows), mini_criteria(), "a.xlsx")
    assert len({p.code for p in problems}) == 6
    for p in problems:
        assert p.message("vi") and p.message("en") and "{" not in p.message("en")


def test_code_index() -> None:
    index = code_index(mini_criteria())
    assert index.order.index("17.10") == index.order.index("17.9") + 1
    assert index.parents["17.1"] == ["17.1a", "17.1b"]
    assert index.measured["17.1a"].parent == "17.1"
    assert code_index(mini_criteria()) is index


@pytest.mark.parametrize(
    ("value", "text"),
    [(95.0, "95"), (95.5, "95.5"), (1e6, "1000000"), (1 / 3, "0.333333"), (-2.0, "-2")],
)
def test_fmt_number(value: float, text: str) -> None:
    assert fmt_number(value) == text
