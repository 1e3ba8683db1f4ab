"""The commune's headline for a year and its progress over the years.

- `headline(ca, year)`: criteria met X/N, unmet, unknown; the previous year with data and the
  change since it (a `Change`: its direction is data, from the number); villages at standard
  (on the province village set when the commune follows one for the year, else the national
  village-level criteria) with their change, given only when both years are counted the same
  way; a registered village that sent nothing counts in the total, not at standard (issue
  13); how many judged thresholds are not verified against the published decision.
- `progress(ca, village=None, until=None)`: one row per year for the progress chart, the
  unknown criteria split into those lacking a value and those lacking only a threshold, with
  the columns `ntm.charts.crosswalk_columns` adds when the criteria set changes.

Everything is read from the assessment; nothing here decides a status.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ntm.attainment import MET, NO_THRESHOLD, UNMET
from ntm.charts import crosswalk_columns
from ntm.criteria import CriteriaSet
from ntm.i18n import DEFAULT_LANG
from ntm.views.source import CommuneAssessment


@dataclass(frozen=True)
class Change:
    """A count against an earlier year: by how much, since which year, which way it went."""

    by: int
    since: int
    direction: str  # "up", "down" or "none"

    @classmethod
    def between(cls, now: int, before: int, since: int) -> Change:
        by = int(now) - int(before)
        return cls(by, int(since), "up" if by > 0 else "down" if by < 0 else "none")


@dataclass(frozen=True)
class Headline:
    """What Tổng quan and the deck's first slide say about a commune's year."""

    commune: str
    year: int
    criteria_set: str  # the id of the set the year is judged on
    met: int
    total: int
    unmet: int
    unknown: int
    previous_year: int | None
    previous_met: int | None
    previous_total: int | None
    change: Change | None  # criteria met, since the previous year
    villages_at_standard: int
    villages_total: int
    village_change: Change | None  # None: no earlier year, or counted another way then
    village_set: CriteriaSet | None  # the province village set villages are counted on
    registered: tuple[str, ...] | None  # the village register of the year (None: none)
    indicators_unmet: int
    thresholds_used: int  # the commune's judged values (met or unmet)
    thresholds_unverified: int  # of those, judged on a threshold not verified

    # The names the exports have always read (ntm.exports.Report.headline).
    @property
    def previous(self) -> int | None:
        return self.previous_year

    @property
    def delta(self) -> int | None:
        return None if self.change is None else self.change.by


def years(ca: CommuneAssessment) -> list[int]:
    """The years the commune (as a whole) has data for, in order."""
    return [int(p) for p in ca.units()["period"]]


def previous_year(ca: CommuneAssessment, year: int) -> int | None:
    """The latest year before `year` the commune has data for."""
    earlier = [p for p in years(ca) if p < int(year)]
    return max(earlier) if earlier else None


def headline(ca: CommuneAssessment, year: int) -> Headline | None:
    """The commune's headline for `year`; None when it has no data that year."""
    units = ca.units()
    this = units[units["period"] == year]
    if this.empty:
        return None
    row = this.iloc[0]
    prev = previous_year(ca, year)
    prev_row = units[units["period"] == prev].iloc[0] if prev is not None else None
    mine = ca.parts(year)
    judged = mine[mine["status"].isin([MET, UNMET])]
    at_standard, total, basis = villages_at_standard(ca, year)
    village_change = None
    if prev is not None:
        before, _, prev_basis = villages_at_standard(ca, prev)
        if prev_basis == basis:
            village_change = Change.between(at_standard, before, prev)
    registered = ca.registered(year)
    if registered is not None:  # a registered village that sent nothing is not at standard
        total = max(total, len(registered))
    return Headline(
        commune=ca.commune,
        year=int(year),
        criteria_set=str(row["criteria_set"]),
        met=int(row["criteria_met"]),
        total=int(row["criteria_total"]),
        unmet=int(row["criteria_unmet"]),
        unknown=int(row["criteria_unknown"]),
        previous_year=prev,
        previous_met=int(prev_row["criteria_met"]) if prev_row is not None else None,
        previous_total=int(prev_row["criteria_total"]) if prev_row is not None else None,
        change=(
            Change.between(row["criteria_met"], prev_row["criteria_met"], prev)
            if prev_row is not None and prev is not None
            else None
        ),
        villages_at_standard=at_standard,
        villages_total=total,
        village_change=village_change,
        village_set=ca.village_set(year) if basis else None,
        registered=tuple(registered) if registered is not None else None,
        indicators_unmet=int((mine["status"] == UNMET).sum()),
        thresholds_used=len(judged),
        thresholds_unverified=int((~judged["verified"].astype(bool)).sum()),
    )


def villages_at_standard(ca: CommuneAssessment, year: int) -> tuple[int, int, str | None]:
    """Villages at standard in `year`, how many were judged, and the id of the province village
    set they are counted on (None: the national village-level criteria)."""
    vset = ca.village_set(year)
    if vset is None or ca.villages is None:
        units = ca.assessment.units
        mine = units[
            (units["commune"] == ca.commune) & (units["period"] == year) & units["village"].notna()
        ]
        return int(mine["at_standard"].astype(bool).sum()), len(mine), None
    units = ca.villages.units
    mine = units[(units["commune"] == ca.commune) & (units["period"] == year)]
    return int(mine["at_standard"].astype(bool).sum()), len(mine), vset.id


def progress(
    ca: CommuneAssessment,
    village: str | None = None,
    *,
    until: int | None = None,
    lang: str = DEFAULT_LANG,
) -> pd.DataFrame:
    """The commune's (or a village's) rows per year for the progress chart, up to `until`."""
    a = ca.assessment
    units, crits = a.units, a.criteria
    if village is None:
        unit_rows = (units["commune"] == ca.commune) & units["village"].isna()
        crit_rows = (crits["commune"] == ca.commune) & crits["village"].isna()
    else:
        unit_rows = (units["commune"] == ca.commune) & (units["village"] == village)
        crit_rows = (crits["commune"] == ca.commune) & (crits["village"] == village)
    if until is not None:
        unit_rows &= units["period"] <= until
        crit_rows &= crits["period"] <= until
    mine = units[unit_rows].sort_values("period")
    frame = mine[
        [
            "period",
            "criteria_set",
            "criteria_met",
            "criteria_unmet",
            "criteria_unknown",
            "criteria_total",
        ]
    ].reset_index(drop=True)
    labels = ca.statuses
    flagged = crits.loc[crit_rows & (labels == NO_THRESHOLD), "period"].astype("int64")
    counts = flagged.value_counts()
    no_threshold = pd.Series([int(counts.get(int(p), 0)) for p in frame["period"]], dtype="int64")
    frame = frame.assign(
        criteria_unknown=frame["criteria_unknown"].astype("int64") - no_threshold,
        criteria_no_threshold=no_threshold,
    )
    return crosswalk_columns(frame, crits[crit_rows], a.sets, lang)
