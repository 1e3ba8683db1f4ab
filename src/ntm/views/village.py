"""One village of a commune: its values against the thresholds, its history, and its verdict
on the province village set when the commune follows one (Thôn)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ntm import formatting as fmt
from ntm.attainment import UNMET
from ntm.criteria import CriteriaSet, Part
from ntm.formatting import sort_key
from ntm.i18n import DEFAULT_LANG
from ntm.statuses import criterion_statuses
from ntm.views.blockers import shown_kind
from ntm.views.grid import criterion_names
from ntm.views.headline import progress
from ntm.views.source import CommuneAssessment

TABLE_COLUMNS = [
    "criterion",
    "code",
    "name",
    "value",
    "threshold",
    "status",
    "gap",
    "verified",
    "raw_status",
]
NOT_JUDGED = ("info", "not_applicable")


def villages_of(ca: CommuneAssessment, year: int | None = None) -> list[str]:
    """Villages judged (on the commune set's village indicators or on the province village
    set), by name."""
    frames = [ca.assessment.units, *([ca.villages.units] if ca.villages is not None else [])]
    names: set[str] = set()
    for units in frames:
        units = units[units["commune"] == ca.commune]
        if year is not None:
            units = units[units["period"] == year]
        names.update(str(v) for v in units["village"].dropna())
    return sorted(names, key=sort_key)


def set_without_indicators(ca: CommuneAssessment, year: int) -> CriteriaSet | None:
    """The set `year` is judged on, when it has no indicator yet (2026-2030 as shipped): no
    village can be judged that year, though its values may be stored."""
    units = ca.units()
    row = units[units["period"] == year]
    if row.empty:
        return None
    crit = ca.assessment.sets.get(str(row["criteria_set"].iloc[0]))
    return crit if crit is not None and not crit.measured_codes() else None


def indicator_table(
    parts: pd.DataFrame, crit: CriteriaSet, lang: str, measured: dict[str, Part] | None = None
) -> pd.DataFrame:
    """One row per measured value: criterion, code, name, value, threshold, status, gap,
    verified, raw_status (the engine's status)."""
    if measured is None:
        measured = {code: part for code, (_, part) in crit.measured_codes().items()}
    rows = []
    for p in parts.sort_values(["order", "code"]).itertuples(index=False):
        part = measured[str(p.code)]
        kind = shown_kind(str(p.direction), part.kind)
        judged = p.status not in NOT_JUDGED
        rows.append(
            {
                "criterion": str(p.criterion),
                "code": str(p.code),
                "name": part.name.get(lang),
                "value": fmt.value(p.value, kind, part.unit, lang),
                "threshold": fmt.threshold(p.threshold, str(p.direction), kind, part.unit, lang)
                if judged
                else "—",
                "status": fmt.status_label(str(p.status), lang),
                "gap": fmt.gap(p.gap, kind, part.unit, lang) if p.status == UNMET else "—",
                "verified": bool(p.verified) or not judged,
                "raw_status": str(p.status),
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


@dataclass(frozen=True)
class VillageView:
    village: str
    year: int
    criteria_met: int
    criteria_total: int
    at_standard: bool
    table: pd.DataFrame  # TABLE_COLUMNS
    history: pd.DataFrame  # as `progress` gives it


def village(
    ca: CommuneAssessment, name: str, year: int, lang: str = DEFAULT_LANG
) -> VillageView | None:
    """The village on the commune set's village indicators; None without data that year."""
    a = ca.assessment
    units = a.units[(a.units["commune"] == ca.commune) & (a.units["village"] == name)]
    this = units[units["period"] == year]
    if this.empty:
        return None
    row = this.iloc[0]
    crit = a.sets[str(row["criteria_set"])]
    parts = a.parts[
        (a.parts["commune"] == ca.commune)
        & (a.parts["village"] == name)
        & (a.parts["period"] == year)
    ]
    return VillageView(
        village=name,
        year=int(year),
        criteria_met=int(row["criteria_met"]),
        criteria_total=int(row["criteria_total"]),
        at_standard=bool(row["at_standard"]),
        table=indicator_table(parts, crit, lang, ca.measured(crit)),
        history=progress(ca, name, lang=lang),
    )


@dataclass(frozen=True)
class VillageSetView:
    """One village judged on the province village set in force (ntm.village_sets)."""

    criteria_set: CriteriaSet
    criteria_met: int
    criteria_total: int
    at_standard: bool
    criteria: pd.DataFrame  # criterion, name, status (as criterion_statuses names it)
    table: pd.DataFrame  # as VillageView.table; empty when the set has no indicators yet


def village_set_view(
    ca: CommuneAssessment, name: str, year: int, lang: str = DEFAULT_LANG
) -> VillageSetView | None:
    """The village on its province's village set, or None when the commune follows none for
    the year (or the village has nothing judged on it)."""
    judged = ca.villages
    crit = ca.village_set(year)
    if judged is None or crit is None:
        return None
    units = judged.units
    this = units[(units["village"] == name) & (units["period"] == year)]
    if this.empty:
        return None
    row = this.iloc[0]
    names = criterion_names(crit, lang)
    mine = (judged.criteria["village"] == name) & (judged.criteria["period"] == year)
    crits = judged.criteria[mine]
    labels = criterion_statuses(judged).loc[crits.index]
    parts = judged.parts[(judged.parts["village"] == name) & (judged.parts["period"] == year)]
    return VillageSetView(
        criteria_set=crit,
        criteria_met=int(row["criteria_met"]),
        criteria_total=int(row["criteria_total"]),
        at_standard=bool(row["at_standard"]),
        criteria=pd.DataFrame(
            {
                "criterion": crits["criterion"].astype(str).to_numpy(),
                "name": [names.get(str(n), "") for n in crits["criterion"]],
                "status": labels.to_numpy(),
            }
        ),
        table=indicator_table(parts, crit, lang),
    )
