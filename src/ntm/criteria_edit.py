"""Correcting thresholds in place (the Cài đặt page's table editor and its tests).

An edit never changes a set in place: it gives a new CriteriaSet that storage saves as the next
revision, with who/when/before/after in the audit log (ntm.storage). The table the user edits
has one row per judged value (an indicator or a part) with the threshold that applies to the
commune's region or group; a changed row becomes a rule for exactly that region/group.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ntm.criteria import GENERAL_KEY, CriteriaSet, Criterion, Indicator, Part, ThresholdRule

EDITABLE = ["threshold", "verified", "source"]


@dataclass(frozen=True)
class ThresholdChange:
    code: str
    key: str
    before: float | bool | None
    after: float | bool | None
    verified: bool
    source: str


def _base_rule(part: Part, key: str) -> ThresholdRule | None:
    """The rule without year or condition that applies to `key` (its own, else the general)."""
    own = [
        r
        for r in part.thresholds
        if r.key == key and r.year is None and r.when_denominator_at_most is None
    ]
    if own:
        return own[0]
    general = [
        r
        for r in part.thresholds
        if r.key in (None, GENERAL_KEY) and r.year is None and r.when_denominator_at_most is None
    ]
    return general[0] if general else None


def thresholds_frame(crit: CriteriaSet, key: str) -> pd.DataFrame:
    """One row per judged value: what the user sees and may edit for region/group `key`."""
    rows = []
    for criterion, ind in crit.indicators():
        for part in ind.measured:
            if part.informational:
                continue
            rule = _base_rule(part, key)
            value = rule.value if rule is not None and rule.applies else None
            rows.append(
                {
                    "criterion": criterion.number,
                    "code": part.code,
                    "name": part.name.vi if ind.parts else ind.name.vi,
                    "unit": part.unit if ind.parts else ind.unit,
                    "kind": part.kind,
                    "direction": part.direction,
                    "threshold": (float(value) if value is not None else math.nan),
                    "verified": bool(rule.verified) if rule is not None else False,
                    "source": rule.source if rule is not None else "",
                }
            )
    return pd.DataFrame(rows)


def _as_value(kind: str, value: Any) -> float | bool | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind == "boolean":
        return bool(float(value) >= 0.5) if not isinstance(value, bool) else value
    return float(value)


def changes_between(crit: CriteriaSet, key: str, edited: pd.DataFrame) -> list[ThresholdChange]:
    """What the user changed in the table (rows compared by code)."""
    before = thresholds_frame(crit, key).set_index("code")
    changes = []
    for row in edited.to_dict("records"):
        code = str(row["code"])
        if code not in before.index:
            continue
        old = before.loc[code]
        kind = str(old["kind"])
        old_value, new_value = _as_value(kind, old["threshold"]), _as_value(kind, row["threshold"])
        if (
            old_value != new_value
            or bool(old["verified"]) != bool(row["verified"])
            or str(old["source"]) != str(row["source"] or "")
        ):
            changes.append(
                ThresholdChange(
                    code, key, old_value, new_value, bool(row["verified"]), str(row["source"] or "")
                )
            )
    return changes


def _with_rule(part: Part, change: ThresholdChange) -> Part:
    rule = ThresholdRule(
        key=None if change.key == GENERAL_KEY else change.key,
        value=change.after,
        verified=change.verified,
        source=change.source,
    )
    kept = [
        r
        for r in part.thresholds
        if not (r.key == rule.key and r.year is None and r.when_denominator_at_most is None)
    ]
    return part.model_copy(update={"thresholds": [*kept, rule]})


def apply_changes(crit: CriteriaSet, changes: list[ThresholdChange]) -> CriteriaSet:
    """A new set with each change written as the rule for its region/group."""
    by_code = {c.code: c for c in changes}
    criteria: list[Criterion] = []
    for criterion in crit.criteria:
        indicators: list[Indicator] = []
        for ind in criterion.indicators:
            if ind.parts:
                parts = [
                    _with_rule(p, by_code[p.code]) if p.code in by_code else p for p in ind.parts
                ]
                indicators.append(ind.model_copy(update={"parts": parts}))
            elif ind.code in by_code:
                as_part = _with_rule(ind.measured[0], by_code[ind.code])
                indicators.append(ind.model_copy(update={"thresholds": as_part.thresholds}))
            else:
                indicators.append(ind)
        criteria.append(criterion.model_copy(update={"indicators": indicators}))
    edited = crit.model_copy(update={"criteria": criteria})
    # Re-validate: an edit must obey the same schema as a file.
    return CriteriaSet.model_validate(edited.model_dump())
