"""A return as read (the Nhập liệu preview) and the self-assessments the thresholds contradict.

The facts are the reader's (`ReadResult.summary`, its problems) and `ntm.selfcheck`'s: this
module only puts them in the shapes the screens and exports list, and never recomputes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ntm.criteria import CriteriaSet
from ntm.errors import Problem
from ntm.i18n import DEFAULT_LANG, t
from ntm.returns.summary import ReadingSummary
from ntm.selfcheck import Disagreement, check_result, disagreements
from ntm.values import ReadResult
from ntm.views.grid import whole_commune
from ntm.views.source import CommuneAssessment

PROBLEM_COLUMNS = ["file", "sheet", "cell", "level", "message", "code"]
UNIT_COLUMNS = ["commune", "unit", "period", "values"]


@dataclass(frozen=True)
class ReadingView:
    """What a return carries before it is stored: the reader's summary (units understood,
    what each column was taken to hold, values used of read), one row per unit with its value
    count, its problems, and the self-assessments its own values contradict."""

    summary: ReadingSummary | None
    units: pd.DataFrame  # UNIT_COLUMNS
    problems: tuple[Problem, ...]
    disagreements: tuple[Disagreement, ...]


def reading(
    result: ReadResult, sets: Mapping[str, CriteriaSet], lang: str = DEFAULT_LANG
) -> ReadingView:
    """`result` as the preview lists it; `sets`: the known criteria sets by id."""
    return ReadingView(
        summary=result.summary,
        units=values_summary(result, lang),
        problems=tuple(result.problems),
        disagreements=tuple(check_result(result, sets)),
    )


def values_summary(result: ReadResult, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """What a return carries: one row per unit (commune/village, year) with its value count."""
    values = result.values
    if values.empty:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    whole = whole_commune(lang)
    return (
        values.assign(unit=[whole if v is None or pd.isna(v) else v for v in values["village"]])
        .groupby(["commune", "unit", "period"], sort=False)["value"]
        .count()
        .reset_index(name="values")
    )


def problems_table(problems: Sequence[Problem], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Every problem as a row: file, sheet, cell, level, message, code."""
    return pd.DataFrame(
        [
            {
                "file": p.file,
                "sheet": p.sheet,
                "cell": p.cell,
                "level": t(f"ui.level.{p.level.value}", lang),
                "message": p.message(lang),
                "code": p.code.value,
            }
            for p in problems
        ],
        columns=PROBLEM_COLUMNS,
    )


def self_check(ca: CommuneAssessment, year: int) -> list[Disagreement]:
    """The commune's values of `year` whose self-assessment ("Tự đánh giá") the computed
    verdict contradicts (ntm.selfcheck), in the order of the values."""
    if ca.values is None:
        return []
    return [
        d
        for d in disagreements(ca.assessment, ca.values)
        if d.commune == ca.commune and d.period == int(year)
    ]
