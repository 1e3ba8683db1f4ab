"""What blocks the rest, and what cannot be judged yet, for a commune's year.

- `blockers(ca, year, lang)`: each unmet criterion of the commune, its unmet indicators (value,
  threshold, gap) and, for each, the villages whose own value is unmet or missing
  (`Assessment.blockers`: the furthest first, missing last).
- `unknown(ca, year, lang)`: each criterion that cannot be judged, the codes without a value,
  those without a threshold, the registered villages that sent nothing for a missing aggregate
  (issue 13), and the reason in a sentence.

Values keep their numbers beside the texts written in the reader's language (`ntm.formatting`);
a village's answer to a "share of villages" indicator reads Có/Không (`shown_kind`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ntm import formatting as fmt
from ntm.attainment import MISSING, NO_THRESHOLD, UNKNOWN, UNMET
from ntm.criteria import Part
from ntm.i18n import DEFAULT_LANG, t
from ntm.views.grid import criteria_set_of, criterion_names
from ntm.views.source import CommuneAssessment


def shown_kind(direction: str, kind: str) -> str:
    """How to write a value: a "==" rule on a share is a yes/no answer (a village's answer to a
    "share of villages" indicator, as judged by ntm.attainment), so it reads Có/Không."""
    return "boolean" if direction == "==" else kind


def as_number(value: object) -> float | None:
    """A cell of an assessment frame as a float; None when missing or not a number."""
    if value is None:
        return None
    try:
        found = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(found) else found


@dataclass(frozen=True)
class VillageBehind:
    """A village holding an unmet commune indicator back: its own value unmet or missing."""

    village: str
    code: str
    status: str  # unmet | missing
    value: float | None
    gap: float | None
    value_text: str
    gap_text: str  # "" unless unmet with a gap in the indicator's unit


@dataclass(frozen=True)
class BlockedIndicator:
    """An unmet indicator of the commune and the villages behind it."""

    code: str
    name: str
    value: float | None
    threshold: float | None
    gap: float | None
    verified: bool
    value_text: str
    threshold_text: str
    gap_text: str
    villages: tuple[VillageBehind, ...]


@dataclass(frozen=True)
class BlockedCriterion:
    """An unmet criterion of the commune: its unmet indicators."""

    number: str
    name: str
    indicators: tuple[BlockedIndicator, ...]

    @property
    def villages(self) -> tuple[VillageBehind, ...]:
        return tuple(v for ind in self.indicators for v in ind.villages)


def village_behind(b: Any, part: Part, direction: str, lang: str) -> VillageBehind:
    """One row of `Assessment.blockers` as a village behind a commune indicator."""
    kind = shown_kind(direction, part.kind)
    status = str(b.status)
    gap = as_number(b.gap)
    gap_text = fmt.gap(gap, kind, part.unit, lang) if status == UNMET else ""
    return VillageBehind(
        village=str(b.village),
        code=str(b.code),
        status=status,
        value=as_number(b.value),
        gap=gap,
        value_text=fmt.value(b.value, kind, part.unit, lang),
        gap_text="" if gap_text == fmt.MISSING else gap_text,
    )


def blockers(ca: CommuneAssessment, year: int, lang: str = DEFAULT_LANG) -> list[BlockedCriterion]:
    """Every unmet criterion of the commune in `year`, in the set's order."""
    crit = criteria_set_of(ca, year)
    if crit is None:
        return []
    names = criterion_names(crit, lang)
    measured = ca.measured(crit)
    commune_parts, village_parts = ca.parts(year), ca.parts(year, villages=True)
    directions = dict(
        zip(village_parts["code"].astype(str), village_parts["direction"].astype(str), strict=True)
    )
    held = ca.assessment.blockers
    held = held[(held["commune"] == ca.commune) & (held["period"] == year)]
    out = []
    crits = ca.criteria(year)
    for number_ in crits.loc[crits["status"] == UNMET, "criterion"].astype(str):
        unmet = commune_parts[
            (commune_parts["criterion"] == number_) & (commune_parts["status"] == UNMET)
        ]
        indicators = []
        for p in unmet.itertuples(index=False):
            code = str(p.code)
            part = measured[code]
            behind = held[held["code"] == code]
            direction = directions.get(code, part.direction)
            indicators.append(
                BlockedIndicator(
                    code=code,
                    name=part.name.get(lang),
                    value=as_number(p.value),
                    threshold=as_number(p.threshold),
                    gap=as_number(p.gap),
                    verified=bool(p.verified),
                    value_text=fmt.value(p.value, part.kind, part.unit, lang),
                    threshold_text=fmt.threshold(
                        p.threshold, part.direction, part.kind, part.unit, lang
                    ),
                    gap_text=fmt.gap(p.gap, part.kind, part.unit, lang),
                    villages=tuple(
                        village_behind(b, part, direction, lang)
                        for b in behind.itertuples(index=False)
                    ),
                )
            )
        out.append(BlockedCriterion(number_, names.get(number_, ""), tuple(indicators)))
    return out


@dataclass(frozen=True)
class UnknownCriterion:
    """A criterion of the commune that cannot be judged, and why."""

    number: str
    name: str
    status: str  # "unknown" (a value is missing) or "no_threshold" (only a threshold is)
    missing: tuple[str, ...]  # codes without a value
    no_threshold: tuple[str, ...]  # codes without a threshold
    unreported: tuple[tuple[str, tuple[str, ...]], ...]  # code → registered villages lacking it
    reason: str  # all of it in a sentence, in the reader's language


def unknown(ca: CommuneAssessment, year: int, lang: str = DEFAULT_LANG) -> list[UnknownCriterion]:
    """Every criterion of the commune in `year` that cannot be judged, in the set's order."""
    crit = criteria_set_of(ca, year)
    if crit is None:
        return []
    names = criterion_names(crit, lang)
    commune_parts = ca.parts(year)
    gaps = ca.assessment.unreported
    gaps = gaps[(gaps["commune"] == ca.commune) & (gaps["period"] == year)]
    crits = ca.criteria(year)
    out = []
    for row in crits[crits["status"] == UNKNOWN].itertuples(index=False):
        number_ = str(row.criterion)
        these = commune_parts[commune_parts["criterion"] == number_]
        missing = tuple(these.loc[these["status"] == MISSING, "code"].astype(str))
        no_thr = tuple(these.loc[these["status"] == NO_THRESHOLD, "code"].astype(str))
        unreported = tuple(
            (str(code), tuple(str(v) for v in group["village"]))
            for code, group in gaps[gaps["code"].isin(missing)].groupby("code", sort=True)
        )
        reasons = []
        if missing:
            reasons.append(t("ui.overview.reason_missing", lang, codes=", ".join(missing)))
            reasons += [
                t("ui.overview.reason_unreported", lang, code=code, villages=", ".join(villages))
                for code, villages in unreported
            ]
        if no_thr:
            reasons.append(t("ui.overview.reason_no_threshold", lang, codes=", ".join(no_thr)))
        if not reasons:
            reasons.append(t("ui.overview.reason_not_loaded", lang))
        out.append(
            UnknownCriterion(
                number=number_,
                name=names.get(number_, ""),
                status=str(row.label),
                missing=missing,
                no_threshold=no_thr,
                unreported=unreported,
                reason="; ".join(reasons),
            )
        )
    return out
