"""Attainment rules: indicator → criterion → unit, village aggregation, blockers."""

from __future__ import annotations

import math
from typing import Any

import pytest

from ntm.attainment import assess
from ntm.criteria import CriteriaSet, parse_set
from ntm.values import make_values


def _rule(value: Any, **extra: Any) -> dict[str, Any]:
    return {"value": value, "verified": True, "source": "test", **extra}


SMALL_SET: dict[str, Any] = {
    "id": "test-set",
    "title": "Bộ thử",
    "legal_basis": {"decision": "0/TEST", "date": "2022-01-01"},
    "years": {"first": 2021, "last": 2025},
    "keyed_by": "region",
    "keys": [{"id": "general", "name": "Chung"}, {"id": "tdmnpb", "name": "TDMNPB"}],
    "complete": True,
    "criteria": [
        {
            "number": "1",
            "name": "Quy hoạch",
            "indicators": [
                {
                    "code": "1.1",
                    "name": "Quy hoạch",
                    "kind": "boolean",
                    "direction": "==",
                    "thresholds": [_rule(True)],
                },
            ],
        },
        {
            "number": "2",
            "name": "Giao thông",
            "indicators": [
                {
                    "code": "2.2",
                    "name": "Đường thôn",
                    "kind": "percent",
                    "scope": "village",
                    "aggregation": "ratio",
                    "thresholds": [_rule(70), _rule(50, key="tdmnpb")],
                },
            ],
        },
        {
            "number": "9",
            "name": "Nhà ở",
            "indicators": [
                {
                    "code": "9.1",
                    "name": "Nhà tạm",
                    "kind": "boolean",
                    "direction": "==",
                    "scope": "village",
                    "aggregation": "all",
                    "thresholds": [_rule(False)],
                },
            ],
        },
        {
            "number": "11",
            "name": "Nghèo",
            "indicators": [
                {
                    "code": "11",
                    "name": "Tỷ lệ nghèo",
                    "kind": "percent",
                    "direction": "<=",
                    "scope": "village",
                    "aggregation": "ratio",
                    "thresholds": [{"value": None, "source": "to be supplied"}],
                },
            ],
        },
        {
            "number": "12",
            "name": "Lao động",
            "indicators": [
                {
                    "code": "12.2",
                    "name": "Lao động qua đào tạo",
                    "kind": "percent",
                    "parts": [
                        {"code": "12.2a", "name": "Nam", "thresholds": [_rule(70)]},
                        {"code": "12.2b", "name": "Nữ", "thresholds": [_rule(70)]},
                    ],
                },
            ],
        },
        {
            "number": "16",
            "name": "Văn hóa",
            "indicators": [
                {
                    "code": "16",
                    "name": "Tỷ lệ thôn đạt chuẩn văn hóa",
                    "kind": "percent",
                    "scope": "village",
                    "aggregation": "share",
                    "thresholds": [_rule(70)],
                },
            ],
        },
    ],
}


@pytest.fixture(scope="module")
def small_set() -> CriteriaSet:
    return parse_set(SMALL_SET, "test")


def _row(village: str | None, code: str, value: float | None, **extra: Any) -> dict[str, Any]:
    return {
        "commune": "Xã A",
        "village": village,
        "period": 2024,
        "code": code,
        "value": math.nan if value is None else value,
        **extra,
    }


def _commune(result: Any) -> dict[str, Any]:
    units = result.to_json()["units"]
    return next(u for u in units if u["village"] is None)


def test_criteria_met_counts_every_criterion_of_the_set(small_set: CriteriaSet) -> None:
    """A criterion is met when all its indicators are; unknown when a value or threshold lacks."""
    values = make_values(
        [
            _row(None, "1.1", 1.0),
            _row("Thôn 1", "2.2", 80.0, numerator=8, denominator=10),
            _row("Thôn 2", "2.2", 60.0, numerator=6, denominator=10),
            _row("Thôn 1", "9.1", 0.0),
            _row("Thôn 2", "9.1", 0.0),
            _row("Thôn 1", "11", 3.0),
            _row("Thôn 2", "11", 4.0),
            _row(None, "12.2a", 75.0),
            _row(None, "12.2b", 71.0),
            _row("Thôn 1", "16", 1.0),
            _row("Thôn 2", "16", 1.0),
        ]
    )
    unit = _commune(assess(values, criteria=small_set))
    assert unit["criteria"] == {"1": True, "2": True, "9": True, "11": None, "12": True, "16": True}
    assert (unit["criteria_met"], unit["criteria_total"]) == (5, 6)
    assert unit["indicators"]["2.2"] == {
        "value": 70.0,
        "threshold": 70.0,
        "met": True,
        "status": "met",
        "gap": 0.0,
        "verified": True,
    }
    assert unit["indicators"]["11"]["status"] == "no_threshold"
    assert unit["indicators"]["11"]["met"] is None


@pytest.mark.parametrize(
    ("label", "code", "rows", "expected_value"),
    [
        (
            "ratio of summed numerators",
            "2.2",
            [("T1", 90.0, 9, 10), ("T2", 10.0, 1, 10), ("T3", 100.0, 20, 20)],
            75.0,
        ),
        (
            "ratio without denominators falls back to the mean",
            "2.2",
            [("T1", 90.0, None, None), ("T2", 60.0, None, None)],
            75.0,
        ),
        (
            "all: one village with a makeshift house fails the commune",
            "9.1",
            [("T1", 0.0, None, None), ("T2", 1.0, None, None)],
            1.0,
        ),
        (
            "all: no makeshift house anywhere",
            "9.1",
            [("T1", 0.0, None, None), ("T2", 0.0, None, None)],
            0.0,
        ),
        (
            "share of villages answering yes",
            "16",
            [
                ("T1", 1.0, None, None),
                ("T2", 0.0, None, None),
                ("T3", 1.0, None, None),
                ("T4", 1.0, None, None),
            ],
            75.0,
        ),
        (
            "a village lacking the value leaves the commune value missing",
            "2.2",
            [("T1", 90.0, 9, 10), ("T2", None, None, None)],
            None,
        ),
    ],
)
def test_commune_value_is_aggregated_from_villages(
    small_set: CriteriaSet,
    label: str,
    code: str,
    rows: list[tuple[Any, ...]],
    expected_value: float | None,
) -> None:
    values = make_values(
        [
            _row(village, code, value, numerator=num, denominator=den)
            for village, value, num, den in rows
        ]
    )
    unit = _commune(assess(values, criteria=small_set))
    got = unit["indicators"][code]["value"]
    if code == "9.1" and expected_value is not None:
        assert got is bool(expected_value), label
    else:
        assert got == expected_value, label


def test_commune_own_figure_beats_the_village_aggregate(small_set: CriteriaSet) -> None:
    values = make_values(
        [
            _row(None, "2.2", 72.0),
            _row("T1", "2.2", 10.0, numerator=1, denominator=10),
        ]
    )
    assert _commune(assess(values, criteria=small_set))["indicators"]["2.2"]["value"] == 72.0


@pytest.mark.parametrize(
    ("label", "region", "value", "status", "gap"),
    [
        ("general threshold 70: 65 is 5 points short", "general", 65.0, "unmet", 5.0),
        ("TDMNPB threshold 50: 65 is met", "tdmnpb", 65.0, "met", 0.0),
        ("no value is missing, never unmet", "general", None, "missing", None),
    ],
)
def test_threshold_follows_the_region(
    small_set: CriteriaSet,
    label: str,
    region: str,
    value: float | None,
    status: str,
    gap: float | None,
) -> None:
    values = make_values([_row(None, "2.2", value)])
    unit = _commune(assess(values, criteria=small_set, keys={"Xã A": region}))
    assert unit["indicators"]["2.2"]["status"] == status, label
    assert unit["indicators"]["2.2"]["gap"] == gap, label


@pytest.mark.parametrize(
    ("label", "men", "women", "met"),
    [
        ("both above", 75.0, 72.0, True),
        ("women below: the indicator is unmet", 80.0, 60.0, False),
        ("one missing, other met: unknown", 80.0, None, None),
        ("one missing, other unmet: unmet", 50.0, None, False),
    ],
)
def test_indicator_with_parts_needs_all_parts(
    small_set: CriteriaSet, label: str, men: float | None, women: float | None, met: bool | None
) -> None:
    values = make_values([_row(None, "12.2a", men), _row(None, "12.2b", women)])
    unit = _commune(assess(values, criteria=small_set))
    assert unit["indicators"]["12.2"]["met"] is met, label
    assert unit["criteria"]["12"] is met, label


def test_villages_holding_back_an_unmet_commune_indicator(small_set: CriteriaSet) -> None:
    values = make_values(
        [
            _row("Nà Rào", "2.2", 40.0, numerator=4, denominator=10),
            _row("Bản Giềng", "2.2", 90.0, numerator=9, denominator=10),
            _row("Quan Nưa", "2.2", 55.0, numerator=11, denominator=20),
        ]
    )
    result = assess(values, criteria=small_set)
    blockers = result.blockers[["village", "value", "gap"]].to_dict("records")
    assert blockers == [
        {"village": "Nà Rào", "value": 40.0, "gap": 30.0},
        {"village": "Quan Nưa", "value": 55.0, "gap": 15.0},
    ]


def test_village_units_count_only_village_criteria(small_set: CriteriaSet) -> None:
    values = make_values(
        [
            _row("T1", "2.2", 80.0),
            _row("T1", "9.1", 0.0),
            _row("T1", "11", 2.0),
            _row("T1", "16", 1.0),
        ]
    )
    units = assess(values, criteria=small_set).to_json()["units"]
    village = next(u for u in units if u["village"] == "T1")
    assert village["criteria"] == {"2": True, "9": True, "11": None, "16": True}
    assert (village["criteria_met"], village["criteria_total"]) == (3, 4)


def test_period_without_criteria_set_is_a_problem_not_a_crash() -> None:
    values = make_values(
        [{"commune": "Xã A", "village": None, "period": 2012, "code": "1.1", "value": 1.0}]
    )
    out = assess(values).to_json()
    assert out["units"] == []
    assert [p["code"] for p in out["problems"]] == ["no_criteria_set"]
