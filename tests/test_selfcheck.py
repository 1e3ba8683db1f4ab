"""The office's own verdict ("Tự đánh giá") against the computed one (issue 12)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from office_corpus import decision_grid

from ntm.attainment import assess
from ntm.criteria import get_set, shipped_sets
from ntm.returns import read_return
from ntm.selfcheck import check_result, disagreements
from ntm.values import make_values

SET = "vn-ntm-xa-2021-2025"


def test_the_decision_grid_form_is_cross_checked() -> None:
    """14.2 self-assessed "Đạt" at 79.6% against ≥ 85%: named with its cell; the rows whose
    verdict agrees are not listed."""
    result = read_return(decision_grid(), "tu-danh-gia-2024.xlsx")
    found = check_result(result, shipped_sets())
    assert [(d.code, d.cell, d.claimed_met) for d in found] == [("14.2", "E16", True)]
    assert found[0].message() == "tự đánh giá Đạt, nhưng 79,6% < 85%"
    assert found[0].message("en") == "self-assessed as met, but 79.6% < 85%"
    assert found[0].where() == "tu-danh-gia-2024.xlsx › Tự đánh giá › E16"


ROWS = {
    # code, value, self-assessment → the message, or None when the two agree
    "met claimed, value short": ("14.2", 79.6, 1.0, "tự đánh giá Đạt, nhưng 79,6% < 85%"),
    "unmet claimed, value enough": ("14.2", 90.0, 0.0, "tự đánh giá Chưa đạt, nhưng 90% ≥ 85%"),
    "agree": ("14.2", 90.0, 1.0, None),
    "yes/no: met claimed, wrong answer": (
        "9.1",
        1.0,
        1.0,
        "tự đánh giá Đạt, nhưng câu trả lời là Có (yêu cầu Không)",
    ),
    "no threshold: nothing to compare": ("10", 40.0, 1.0, None),
    "no self-assessment": ("14.2", 79.6, math.nan, None),
}


@pytest.mark.parametrize(("code", "value", "claimed", "message"), ROWS.values(), ids=ROWS.keys())
def test_disagreements(code: str, value: float, claimed: float, message: str | None) -> None:
    values = make_values(
        [
            {
                "commune": "Dương Quang",
                "village": None,
                "period": 2024,
                "code": code,
                "value": value,
                "self_assessed": claimed,
                "file": "f.xlsx",
                "sheet": "Toàn xã",
                "cell": "E9",
            }
        ]
    )
    crit = get_set(SET)
    found = disagreements(assess(values, keys={"Dương Quang": "tdmnpb"}, criteria=crit), values)
    assert [d.message() for d in found] == ([] if message is None else [message])


def test_values_without_the_column_have_nothing_to_compare() -> None:
    frame = pd.DataFrame({"commune": ["A"], "code": ["2.1"], "value": [1.0]})
    assert disagreements(assess(make_values([]), criteria=get_set(SET)), frame) == []
