"""One indicator across a commune's villages and years (Tiêu chí)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ntm import formatting as fmt
from ntm.attainment import MET, UNMET
from ntm.formatting import sort_key
from ntm.i18n import DEFAULT_LANG
from ntm.views.blockers import shown_kind
from ntm.views.grid import criteria_set_of, criterion_names, whole_commune
from ntm.views.source import CommuneAssessment


@dataclass(frozen=True)
class IndicatorChoice:
    code: str
    label: str
    criterion: str
    criterion_name: str
    kind: str
    unit: str
    direction: str
    village_scope: bool


def indicator_choices(
    ca: CommuneAssessment, year: int, lang: str = DEFAULT_LANG
) -> list[IndicatorChoice]:
    """Every measured value of the set the year is judged on, in the set's order."""
    crit = criteria_set_of(ca, year)
    if crit is None:
        return []
    out = []
    for criterion, ind in crit.indicators():
        for part in ind.measured:
            out.append(
                IndicatorChoice(
                    code=part.code,
                    label=f"{part.code} — {part.name.get(lang)}",
                    criterion=criterion.number,
                    criterion_name=criterion.name.get(lang),
                    kind=part.kind,
                    unit=part.unit,
                    direction=part.direction,
                    village_scope=ind.scope == "village",
                )
            )
    return out


@dataclass(frozen=True)
class IndicatorView:
    code: str
    name: str
    criterion: str
    criterion_name: str
    kind: str
    unit: str
    direction: str
    threshold: float | None
    verified: bool
    village_kind: str  # how the by-village values read ("boolean" for villages' yes/no answers)
    by_village: pd.DataFrame  # label, value, status (this year; commune first)
    by_year: pd.DataFrame  # period, label, value, flag
    thresholds: pd.DataFrame  # period, threshold
    table: pd.DataFrame  # label, value, threshold, status, verified, gap
    criteria_set: str = ""  # the id of the set the year is judged on


def indicator(
    ca: CommuneAssessment, code: str, year: int, lang: str = DEFAULT_LANG
) -> IndicatorView | None:
    """The indicator `code` in `year` by village, and over the years; None without data."""
    a = ca.assessment
    rows = a.parts[(a.parts["commune"] == ca.commune) & (a.parts["code"] == code)]
    this = rows[rows["period"] == year]
    if this.empty:
        return None
    crit = a.sets[str(this.iloc[0]["criteria_set"])]
    names = criterion_names(crit, lang)
    _, part = crit.measured_codes()[code]
    whole = whole_commune(lang)

    def label(v: Any) -> str:
        return whole if v is None else str(v)

    ordered = this.assign(label=[label(v) for v in this["village"]])
    ordered = ordered.assign(
        _k=[(0, ("", "")) if v is None else (1, sort_key(str(v))) for v in ordered["village"]]
    ).sort_values("_k")
    commune_row = this[this["village"].isna()]
    threshold = commune_row["threshold"].iloc[0] if not commune_row.empty else None
    villages_threshold = this[this["village"].notna()]["threshold"].dropna()
    if (threshold is None or pd.isna(threshold)) and not villages_threshold.empty:
        threshold = villages_threshold.iloc[0]
    by_year = rows.assign(label=[label(v) for v in rows["village"]])
    last = by_year[by_year["period"] == year]
    flagged = set(last.loc[last["status"] != MET, "label"]) - {whole}
    kinds = [shown_kind(str(d), part.kind) for d in ordered["direction"]]
    # A "share of villages" indicator: each village answers yes/no, the commune has a share.
    # Its villages are drawn as yes/no on their own; the years show the commune's share.
    answers = part.kind != "boolean" and any(k == "boolean" for k in kinds)
    by_village = ordered[["label", "value", "status"]]
    if answers:
        by_village = by_village[ordered["village"].notna().to_numpy()]
        by_year = by_year[by_year["village"].isna()]
    table = pd.DataFrame(
        {
            "label": ordered["label"],
            "value": [
                fmt.value(v, k, part.unit, lang)
                for v, k in zip(ordered["value"], kinds, strict=True)
            ],
            "threshold": [
                fmt.threshold(v, str(d), k, part.unit, lang)
                for v, d, k in zip(ordered["threshold"], ordered["direction"], kinds, strict=True)
            ],
            "status": [str(s) for s in ordered["status"]],
            "verified": [bool(v) for v in ordered["verified"]],
            "gap": [
                fmt.gap(g, k, part.unit, lang) if s == UNMET else "—"
                for g, s, k in zip(ordered["gap"], ordered["status"], kinds, strict=True)
            ],
        }
    )
    criterion = str(this.iloc[0]["criterion"])
    return IndicatorView(
        code=code,
        name=part.name.get(lang),
        criterion=criterion,
        criterion_name=names.get(criterion, ""),
        kind=part.kind,
        unit=part.unit,
        direction=str(this.iloc[0]["direction"]),
        threshold=None if threshold is None or pd.isna(threshold) else float(threshold),
        verified=bool(commune_row["verified"].all()) if not commune_row.empty else False,
        village_kind="boolean" if answers else part.kind,
        by_village=by_village.reset_index(drop=True),
        by_year=by_year.assign(flag=by_year["label"].isin(flagged))[
            ["period", "label", "value", "flag"]
        ].reset_index(drop=True),
        thresholds=rows[rows["village"].isna()][["period", "threshold"]].reset_index(drop=True),
        table=table.reset_index(drop=True),
        criteria_set=crit.id,
    )
