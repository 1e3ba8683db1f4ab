"""What changed since the previous year with data: criteria and indicators newly met or no
longer met, villages at standard, criteria met per village.

Statuses are compared only when both years are judged on the same criteria set
(`Changes.comparable`); the villages at standard come from the headline (`ntm.views.headline`),
so the deck's change line and Tổng quan's count the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from ntm import formatting as fmt
from ntm.attainment import MET
from ntm.i18n import DEFAULT_LANG
from ntm.views.grid import criteria_set_of, criterion_names
from ntm.views.headline import Headline, headline
from ntm.views.source import CommuneAssessment


@dataclass(frozen=True)
class StatusChange:
    number: str
    name: str
    before: str
    after: str
    before_text: str
    after_text: str


@dataclass(frozen=True)
class VillageChange:
    village: str
    before: int | None
    after: int
    total: int


@dataclass(frozen=True)
class Changes:
    previous: int | None
    comparable: bool  # same criteria set in both years
    newly_met: tuple[StatusChange, ...] = ()
    newly_unmet: tuple[StatusChange, ...] = ()
    other: tuple[StatusChange, ...] = ()
    indicators_newly_met: tuple[str, ...] = ()
    indicators_newly_unmet: tuple[str, ...] = ()
    villages: tuple[VillageChange, ...] = ()
    at_standard_before: int | None = None
    at_standard_after: int = 0


def changes(
    ca: CommuneAssessment, year: int, lang: str = DEFAULT_LANG, top: Headline | None = None
) -> Changes | None:
    """The changes from the previous year to `year`; None when `year` has no data."""
    top = top or headline(ca, year)
    crit = criteria_set_of(ca, year)
    if top is None or crit is None:
        return None
    previous = top.previous_year
    after_count = top.villages_at_standard
    before_count = after_count - top.village_change.by if top.village_change is not None else None
    comparable = previous is not None and _set_of(ca, previous) == crit.id
    if previous is None or not comparable:
        return Changes(
            previous=previous,
            comparable=False,
            at_standard_before=before_count,
            at_standard_after=after_count,
        )
    a = ca.assessment
    names = criterion_names(crit, lang)
    cf = a.criteria[(a.criteria["commune"] == ca.commune) & a.criteria["village"].isna()]
    was = cf[cf["period"] == previous]
    before = dict(zip(was["criterion"], was["status"], strict=True))
    newly_met, newly_unmet, other = [], [], []
    for number, status in _ordered(cf[cf["period"] == year], "criterion"):
        old = before.get(number)
        if old is None or old == status:
            continue
        change = StatusChange(
            number=str(number),
            name=names.get(str(number), str(number)),
            before=str(old),
            after=str(status),
            before_text=fmt.status_label(str(old), lang),
            after_text=fmt.status_label(str(status), lang),
        )
        if status == MET:
            newly_met.append(change)
        elif old == MET:
            newly_unmet.append(change)
        else:
            other.append(change)

    pc = a.parts[(a.parts["commune"] == ca.commune) & a.parts["village"].isna()]
    was = pc[pc["period"] == previous]
    p_before = dict(zip(was["code"], was["status"], strict=True))
    met_codes, unmet_codes = [], []
    for code, status in _ordered(pc[pc["period"] == year], "code"):
        old = p_before.get(code)
        if old is None or old == status:
            continue
        if status == MET:
            met_codes.append(str(code))
        elif old == MET:
            unmet_codes.append(str(code))

    units = a.units
    mine = units[(units["commune"] == ca.commune) & units["village"].notna()]
    then = mine[mine["period"] == previous]
    before_met = dict(zip(then["village"], then["criteria_met"], strict=True))
    villages = []
    for row in mine[mine["period"] == year].sort_values("village").itertuples(index=False):
        old_met = before_met.get(row.village)
        if old_met is not None and int(old_met) == int(row.criteria_met):
            continue
        villages.append(
            VillageChange(
                village=str(row.village),
                before=None if old_met is None else int(old_met),
                after=int(row.criteria_met),
                total=int(row.criteria_total),
            )
        )
    return Changes(
        previous=previous,
        comparable=True,
        newly_met=tuple(newly_met),
        newly_unmet=tuple(newly_unmet),
        other=tuple(other),
        indicators_newly_met=tuple(met_codes),
        indicators_newly_unmet=tuple(unmet_codes),
        villages=tuple(villages),
        at_standard_before=before_count,
        at_standard_after=after_count,
    )


def _set_of(ca: CommuneAssessment, year: int) -> str | None:
    crit = criteria_set_of(ca, year)
    return None if crit is None else crit.id


def _ordered(frame: object, key: str) -> list[tuple[object, object]]:
    rows = frame.sort_values("order")  # type: ignore[attr-defined]
    return list(zip(rows[key], rows["status"], strict=True))
