"""Tổng quan: the commune's year as the screen draws it, made of the other view models.

`overview(ca, year, lang)` puts together the headline (`ntm.views.headline`), the progress
frame, the grid (`ntm.views.grid`), the blockers and the unknown criteria
(`ntm.views.blockers`) in the shapes the page draws: the blockers and unknown criteria as
tables of text, the counts as plain numbers. The deck (`ntm.exports`) is built from the same
models, so both say the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ntm.criteria import CriteriaSet
from ntm.errors import Problem
from ntm.i18n import DEFAULT_LANG, t
from ntm.views.blockers import BlockedCriterion, VillageBehind, blockers, unknown
from ntm.views.grid import criteria_set_of, grid
from ntm.views.headline import Headline, headline, progress
from ntm.views.source import CommuneAssessment

BLOCKER_COLUMNS = ["code", "name", "value", "threshold", "gap", "villages", "verified"]
UNKNOWN_COLUMNS = ["criterion", "name", "reason"]


@dataclass(frozen=True)
class Blocker:
    """One unmet criterion as Tổng quan lists it: its unmet indicators with gaps and the
    villages holding each back, as text."""

    criterion: str
    name: str
    rows: pd.DataFrame  # BLOCKER_COLUMNS


@dataclass(frozen=True)
class Overview:
    commune: str
    year: int
    criteria_set: str  # the title of the set the year is judged on
    criteria_met: int
    criteria_total: int
    villages_at_standard: int
    villages_total: int
    previous_year: int | None
    change: int | None
    village_change: int | None
    progress: pd.DataFrame
    grid: pd.DataFrame  # row, column, status
    grid_rows: list[str]
    grid_columns: list[str]
    column_names: dict[str, str]
    blockers: list[Blocker]
    unknown: pd.DataFrame  # UNKNOWN_COLUMNS
    indicators_unmet: int
    thresholds_used: int
    thresholds_unverified: int
    problems: list[Problem] = field(default_factory=list)
    # The province village set "Thôn đạt chuẩn" is counted on, when the commune follows one for
    # the year (ntm.village_sets); otherwise the national village-level indicators.
    village_set: CriteriaSet | None = None
    # The villages of the commune's register valid in the year (village aggregates count them);
    # None: no register, the aggregates are over the villages that reported (issue 13).
    registered: list[str] | None = None
    # The same headline as a model (changes with their direction), for other front ends.
    headline: Headline | None = None


def village_sentence(v: VillageBehind, lang: str = DEFAULT_LANG) -> str:
    """ "Nà Cưởm 55,9%, còn thiếu 34,1 điểm %", "Nà Dì (chưa có số liệu)"."""
    if v.status == "missing":
        return t("ui.overview.village_missing", lang, village=v.village)
    if not v.gap_text:
        return f"{v.village} ({v.value_text})"
    return t("ui.overview.village_gap", lang, village=v.village, value=v.value_text, gap=v.gap_text)


def blocker_rows(item: BlockedCriterion, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "code": ind.code,
                "name": ind.name,
                "value": ind.value_text,
                "threshold": ind.threshold_text,
                "gap": ind.gap_text,
                "villages": "; ".join(village_sentence(v, lang) for v in ind.villages) or "—",
                "verified": ind.verified,
            }
            for ind in item.indicators
        ],
        columns=BLOCKER_COLUMNS if not item.indicators else None,
    )


def overview(ca: CommuneAssessment, year: int, lang: str = DEFAULT_LANG) -> Overview | None:
    """Tổng quan for `year`; None when the commune has no data that year."""
    top = headline(ca, year)
    crit = criteria_set_of(ca, year)
    cells = grid(ca, year, lang)
    if top is None or crit is None or cells is None:
        return None
    unknown_rows = [(u.number, u.name, u.reason) for u in unknown(ca, year, lang)]
    return Overview(
        commune=ca.commune,
        year=int(year),
        criteria_set=crit.title.get(lang),
        criteria_met=top.met,
        criteria_total=top.total,
        villages_at_standard=top.villages_at_standard,
        villages_total=top.villages_total,
        previous_year=top.previous_year,
        change=top.delta,
        village_change=top.village_change.by if top.village_change is not None else None,
        progress=progress(ca, lang=lang),
        grid=cells.cells,
        grid_rows=list(cells.rows),
        grid_columns=list(cells.columns),
        column_names=dict(cells.column_names),
        blockers=[
            Blocker(item.number, item.name, blocker_rows(item, lang))
            for item in blockers(ca, year, lang)
        ],
        unknown=pd.DataFrame(unknown_rows, columns=UNKNOWN_COLUMNS),
        indicators_unmet=top.indicators_unmet,
        thresholds_used=top.thresholds_used,
        thresholds_unverified=top.thresholds_unverified,
        problems=ca.problems,
        village_set=top.village_set,
        registered=list(top.registered) if top.registered is not None else None,
        headline=top,
    )
