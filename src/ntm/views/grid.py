"""The villages × criteria grid and the list of the commune's criteria for a year.

Statuses are named as people read them (`ntm.statuses.criterion_statuses`: "Chưa có ngưỡng"
apart from "Thiếu dữ liệu"); the commune as a whole is the first row, its villages follow in
Vietnamese alphabetical order (`ntm.formatting.sort_key`: Đ after D, Ỏ with O).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ntm.attainment import MET
from ntm.criteria import CriteriaSet
from ntm.formatting import sort_key
from ntm.i18n import DEFAULT_LANG, t
from ntm.views.source import CommuneAssessment


def whole_commune(lang: str = DEFAULT_LANG) -> str:
    """ "Toàn xã": the commune as a whole, where a village name would be."""
    return t("ui.whole_commune", lang)


def criteria_set_of(ca: CommuneAssessment, year: int) -> CriteriaSet | None:
    """The commune set `year` is judged on (None: no data that year)."""
    units = ca.assessment.units
    this = units[(units["commune"] == ca.commune) & units["village"].isna()]
    this = this[this["period"] == year]
    return None if this.empty else ca.assessment.sets[str(this.iloc[0]["criteria_set"])]


def criterion_names(crit: CriteriaSet, lang: str = DEFAULT_LANG) -> dict[str, str]:
    return {c.number: c.name.get(lang) for c in crit.criteria}


@dataclass(frozen=True)
class Grid:
    """Rows (the commune, then its villages) × columns (every criterion of the set)."""

    year: int
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    column_names: Mapping[str, str]
    cells: pd.DataFrame  # row, column, status (one row per judged unit and criterion)

    @property
    def villages(self) -> tuple[str, ...]:
        return self.rows[1:]

    def status(self, row: str, column: str) -> str | None:
        found = self.cells[(self.cells["row"] == row) & (self.cells["column"] == column)]
        return None if found.empty else str(found["status"].iloc[0])


def grid(ca: CommuneAssessment, year: int, lang: str = DEFAULT_LANG) -> Grid | None:
    """The grid of `year`; None when the commune has no data that year."""
    crit = criteria_set_of(ca, year)
    if crit is None:
        return None
    a = ca.assessment
    mine = (a.criteria["commune"] == ca.commune) & (a.criteria["period"] == year)
    crits = a.criteria[mine]
    labels = ca.statuses.loc[crits.index]
    whole = whole_commune(lang)
    cells = pd.DataFrame(
        {
            "row": [whole if v is None or pd.isna(v) else str(v) for v in crits["village"]],
            "column": crits["criterion"].astype(str).to_numpy(),
            "status": labels.astype(str).to_numpy(),
        }
    )
    units = a.units
    villages = units[
        (units["commune"] == ca.commune) & (units["period"] == year) & units["village"].notna()
    ]
    names = sorted({str(v) for v in villages["village"]}, key=sort_key)
    return Grid(
        year=int(year),
        rows=(whole, *names),
        columns=tuple(c.number for c in crit.criteria),
        column_names=criterion_names(crit, lang),
        cells=cells,
    )


@dataclass(frozen=True)
class CriterionRow:
    """One criterion of the commune in a year, and how many of its villages meet it."""

    number: str
    name: str
    status: str  # as criterion_statuses names it
    villages_met: int | None = None  # None: the criterion has no village indicators
    villages_total: int | None = None


def criteria(ca: CommuneAssessment, year: int, lang: str = DEFAULT_LANG) -> list[CriterionRow]:
    """Every criterion of the commune's set in `year`, in the set's order."""
    crit = criteria_set_of(ca, year)
    if crit is None:
        return []
    a = ca.assessment
    frame = a.criteria.assign(status=ca.statuses)
    now = frame[(frame["commune"] == ca.commune) & (frame["period"] == year)]
    commune = now[now["village"].isna()].sort_values("order")
    villages = now[now["village"].notna()]
    names = criterion_names(crit, lang)
    out = []
    for row in commune.itertuples(index=False):
        number = str(row.criterion)
        of_villages = villages[villages["criterion"] == number]
        out.append(
            CriterionRow(
                number=number,
                name=names.get(number, number),
                status=str(row.status),
                villages_met=int((of_villages["status"] == MET).sum())
                if len(of_villages)
                else None,
                villages_total=len(of_villages) if len(of_villages) else None,
            )
        )
    return out
