"""ntm.views without streamlit: the view models every front end shows, from one assessment.

The demo returns of xã Dương Quang (TDMNPB, following Bắc Kạn's village set) are read and
assessed here, as the database would judge them; the expected numbers are written out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ntm import views
from ntm.attainment import Assessment, assess
from ntm.criteria import CriteriaSet, shipped_sets
from ntm.errors import Code
from ntm.returns import read_return
from ntm.views import Change, CommuneAssessment
from ntm.village_sets import assess_villages, chosen_sets

ROOT = Path(__file__).resolve().parents[1]
COMMUNE = "Dương Quang"
KEYS = {COMMUNE: "tdmnpb"}
VILLAGE_SET = "vn-bac-kan-thon-2021-2025"
VILLAGES = [
    "Bản Bung",
    "Bản Giềng",
    "Bản Pẻn",
    "Nà Cưởm",
    "Nà Dì",
    "Nà Ỏi",
    "Nà Rào",
    "Phặc Tràng",
    "Quan Nưa",
]


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    paths = sorted((ROOT / "data" / "demo").glob("duong-quang-*.xlsx"))
    return pd.concat([read_return(p).values for p in paths], ignore_index=True)


@pytest.fixture(scope="module")
def assessment(values: pd.DataFrame) -> Assessment:
    return assess(values, keys=KEYS)


@pytest.fixture(scope="module")
def ca(values: pd.DataFrame, assessment: Assessment) -> CommuneAssessment:
    """The commune as the database judges it: its village set too."""
    sets = chosen_sets([VILLAGE_SET])
    villages = assess_villages(values, sets, keys=KEYS)
    return views.commune_of(assessment, COMMUNE, villages=villages, values=values)


# --- headline ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "met", "unmet", "unknown", "change", "indicators_unmet"),
    [
        pytest.param(2021, 6, 11, 2, None, 17, id="first year: no change"),
        pytest.param(2022, 8, 9, 2, Change(2, 2021, "up"), 13, id="2022"),
        pytest.param(2023, 10, 7, 2, Change(2, 2022, "up"), 8, id="2023"),
        pytest.param(2024, 15, 2, 2, Change(5, 2023, "up"), 2, id="2024"),
        pytest.param(2025, 17, 0, 2, Change(2, 2024, "up"), 0, id="2025: all judged met"),
    ],
)
def test_the_headline_of_each_year(
    ca: CommuneAssessment,
    year: int,
    met: int,
    unmet: int,
    unknown: int,
    change: Change | None,
    indicators_unmet: int,
) -> None:
    """X/19, the change since the previous year with data (its direction is data), and the
    villages counted on Bắc Kạn's village set (shipped without indicators: none at standard)."""
    top = views.headline(ca, year)
    assert top is not None
    assert (top.met, top.total, top.unmet, top.unknown) == (met, 19, unmet, unknown)
    assert top.change == change
    assert top.delta == (None if change is None else change.by)
    assert top.indicators_unmet == indicators_unmet
    assert (top.villages_at_standard, top.villages_total) == (0, 9)
    assert top.village_set is not None and top.village_set.id == VILLAGE_SET
    assert (top.thresholds_used, top.thresholds_unverified) == (58, 47)
    assert top.registered is None  # no register: aggregates over the villages that reported


def test_no_headline_for_a_year_without_data(ca: CommuneAssessment) -> None:
    assert views.headline(ca, 2019) is None
    assert views.grid(ca, 2019) is None
    assert views.blockers(ca, 2019) == []


@pytest.mark.parametrize(
    ("now", "before", "by", "direction"),
    [(17, 15, 2, "up"), (11, 15, -4, "down"), (8, 8, 0, "none")],
    ids=["rise", "fall", "same"],
)
def test_a_change_carries_its_direction(now: int, before: int, by: int, direction: str) -> None:
    assert Change.between(now, before, 2024) == Change(by, 2024, direction)


@pytest.mark.parametrize(
    ("register", "total"),
    [
        pytest.param(None, 9, id="no register: the villages that reported"),
        pytest.param([*VILLAGES, "Pác Nặm"], 10, id="a registered village sent nothing"),
    ],
)
def test_villages_total_counts_the_register(
    values: pd.DataFrame, assessment: Assessment, register: list[str] | None, total: int
) -> None:
    reg = {(COMMUNE, 2025): register} if register else None
    ca = views.commune_of(assessment, COMMUNE, values=values, register=reg)
    top = views.headline(ca, 2025)
    assert top is not None and top.villages_total == total
    assert top.village_set is None  # not following a village set: national village criteria


def test_the_village_change_needs_both_years_counted_the_same_way(
    values: pd.DataFrame, assessment: Assessment
) -> None:
    """A village set covering 2025 only: 2025 is counted on it, 2024 on the national village
    criteria, so no change is given for 2025; 2024 against 2023 (both national) has one."""
    (vset,) = chosen_sets([VILLAGE_SET])
    only_2025 = vset.model_copy(update={"years": vset.years.model_copy(update={"first": 2025})})
    villages = assess_villages(values, [only_2025], keys=KEYS)
    ca = views.commune_of(assessment, COMMUNE, villages=villages, village_sets=[only_2025])
    top_2025, top_2024 = views.headline(ca, 2025), views.headline(ca, 2024)
    assert top_2025 is not None and top_2024 is not None
    assert top_2025.village_set is not None and top_2025.village_change is None
    assert top_2024.village_set is None and top_2024.village_change == Change(0, 2023, "none")


# --- grid, criteria, blockers, unknown ---------------------------------------------------------


def test_the_grid_has_the_commune_first_then_villages_in_vietnamese_order(
    ca: CommuneAssessment,
) -> None:
    grid = views.grid(ca, 2023, "vi")
    assert grid is not None
    assert grid.rows == ("Toàn xã", *VILLAGES)  # "Nà Ỏi" before "Nà Rào": Ỏ is an O
    assert grid.columns == tuple(str(n) for n in range(1, 20))
    assert grid.column_names["2"] == "Giao thông"
    assert (grid.status("Toàn xã", "10"), grid.status("Toàn xã", "2")) == ("no_threshold", "unmet")
    english = views.grid(ca, 2023, "en")
    assert english is not None and english.rows[0] == "Whole commune"


@pytest.mark.parametrize(
    ("year", "unmet"),
    [
        (2021, ["2", "3", "5", "6", "8", "9", "13", "14", "15", "17", "18"]),
        (2023, ["2", "3", "8", "9", "13", "14", "17"]),
        (2024, ["13", "17"]),
        (2025, []),
    ],
)
def test_blockers_are_the_unmet_criteria_in_the_sets_order(
    ca: CommuneAssessment, year: int, unmet: list[str]
) -> None:
    assert [b.number for b in views.blockers(ca, year, "vi")] == unmet
    crit_rows = {c.number: c.status for c in views.criteria(ca, year, "vi")}
    assert [n for n, s in crit_rows.items() if s == "unmet"] == unmet


@pytest.mark.parametrize(
    ("year", "code", "villages"),
    [
        (2021, "2.3", ["Nà Cưởm", "Phặc Tràng"]),
        (2022, "2.3", ["Nà Cưởm"]),
        (2024, "13.3", []),
        (
            2024,
            "17.7",
            [
                "Phặc Tràng",
                "Nà Cưởm",
                "Nà Ỏi",
                "Nà Rào",
                "Bản Pẻn",
                "Nà Dì",
                "Quan Nưa",
                "Bản Giềng",
            ],
        ),
    ],
    ids=["2021 roads", "2022 roads", "a commune-only indicator", "2024 environment"],
)
def test_each_unmet_indicator_lists_the_villages_behind_it_furthest_first(
    ca: CommuneAssessment, year: int, code: str, villages: list[str]
) -> None:
    found = {i.code: i for b in views.blockers(ca, year, "vi") for i in b.indicators}
    assert [v.village for v in found[code].villages] == villages
    assert found[code].value_text and found[code].threshold_text.startswith(("≥", "≤", "Có"))


def test_a_village_behind_reads_its_value_and_gap(ca: CommuneAssessment) -> None:
    (roads,) = [b for b in views.blockers(ca, 2022, "vi") if b.number == "2"]
    (behind,) = roads.villages
    assert (behind.village, behind.status) == ("Nà Cưởm", "unmet")
    assert (behind.value, behind.value_text) == (90.3, "90,3%")
    assert behind.gap_text == "9,7 điểm\u00a0%"  # as ntm.formatting writes a gap in points
    assert views.village_sentence(behind, "vi").startswith(f"Nà Cưởm ({behind.value_text}, thiếu")


def test_unknown_criteria_say_why(ca: CommuneAssessment) -> None:
    """318 criteria 10 (income) and 11 (poverty) ship without a threshold."""
    found = views.unknown(ca, 2025, "vi")
    assert [(u.number, u.status, u.missing, u.no_threshold) for u in found] == [
        ("10", "no_threshold", (), ("10",)),
        ("11", "no_threshold", (), ("11",)),
    ]
    assert found[0].reason.startswith("chưa có ngưỡng cho 10")


def test_the_changes_since_the_previous_year(ca: CommuneAssessment) -> None:
    ch = views.changes(ca, 2024, "vi")
    assert ch is not None and (ch.previous, ch.comparable) == (2023, True)
    assert [c.number for c in ch.newly_met] == ["2", "3", "8", "9", "14"]
    assert ch.indicators_newly_met == ("2.3", "3.2", "8.3", "9.1", "14.1", "17.6")
    assert [(v.village, v.before, v.after) for v in ch.villages] == [
        ("Bản Bung", 5, 6),
        ("Bản Pẻn", 4, 5),
    ]
    assert (ch.at_standard_before, ch.at_standard_after) == (0, 0)


def test_progress_splits_unknown_from_no_threshold(ca: CommuneAssessment) -> None:
    frame = views.progress(ca, until=2023)
    assert list(frame["period"]) == [2021, 2022, 2023]
    assert list(frame["criteria_no_threshold"]) == [2, 2, 2]
    assert list(frame["criteria_unknown"]) == [0, 0, 0]
    assert list(frame["criteria_met"]) == [6, 8, 10]


# --- the village and the indicator ------------------------------------------------------------


def test_a_village_and_an_indicator(ca: CommuneAssessment) -> None:
    assert views.villages_of(ca, 2025) == VILLAGES
    village = views.village(ca, "Bản Bung", 2024, "vi")
    assert village is not None and (village.criteria_met, village.criteria_total) == (6, 7)
    assert list(village.history["period"]) == [2021, 2022, 2023, 2024, 2025]
    own = views.village_set_view(ca, "Bản Bung", 2024, "vi")
    assert own is not None and own.criteria_set.id == VILLAGE_SET
    view = views.indicator(ca, "2.3", 2022, "vi")
    assert view is not None and view.by_village["label"].iloc[0] == "Toàn xã"
    assert [c.code for c in views.indicator_choices(ca, 2022, "vi")][:3] == ["1.1", "1.2", "2.1"]


# --- the criteria set a profile names ---------------------------------------------------------


def _known() -> dict[str, CriteriaSet]:
    return dict(shipped_sets())


@pytest.mark.parametrize(
    ("name", "chosen", "warned"),
    [
        pytest.param(None, None, False, id="no name: the set in force each year"),
        pytest.param("vn-ntm-xa-2021-2025", "vn-ntm-xa-2021-2025", False, id="a commune set"),
        pytest.param("khong-co", None, True, id="an unknown id: set in force, warned"),
        pytest.param(VILLAGE_SET, None, True, id="a village set is no commune set"),
    ],
)
def test_the_set_a_profile_names(name: str | None, chosen: str | None, warned: bool) -> None:
    crit, problems = views.criteria_of(name, _known(), [COMMUNE])
    assert (crit.id if crit else None) == chosen
    assert [p.code for p in problems] == ([Code.UNKNOWN_CRITERIA_SET] if warned else [])
    if warned:
        assert name is not None and name in problems[0].message("vi")
        assert COMMUNE in problems[0].message("en")


# --- a return as read --------------------------------------------------------------------------


def test_a_return_as_read_lists_its_units_and_the_self_assessments_it_contradicts() -> None:
    """The preview's facts are the reader's and ntm.selfcheck's, laid out, not recomputed."""
    from office_corpus import decision_grid

    result = read_return(decision_grid(), "tu-danh-gia-2024.xlsx")
    seen = views.reading(result, shipped_sets(), "vi")
    assert seen.summary is result.summary
    assert list(seen.units.columns) == ["commune", "unit", "period", "values"]
    assert list(seen.units["unit"]) == ["Toàn xã"]
    assert [(d.code, d.claimed_met, d.cell) for d in seen.disagreements] == [("14.2", True, "E16")]
    table = views.problems_table(seen.problems, "en")
    assert list(table.columns) == ["file", "sheet", "cell", "level", "message", "code"]
    assert len(table) == len(result.problems)
