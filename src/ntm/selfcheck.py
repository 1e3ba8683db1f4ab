"""The office's own verdict against the computed one (issue 12, "Tự đánh giá").

Self-assessment forms carry, beside each value, the office's verdict ("Đạt" / "Chưa đạt"). The
reader keeps it (`self_assessed`: 1.0 met, 0.0 not met) and never judges with it; this module
lists every indicator where it disagrees with what the value gives against the threshold in
force: "tự đánh giá Đạt, nhưng 79,6% < 85%". It is what a province appraisal would catch,
caught before the dossier is sent. Values without a threshold or without a value are not
compared (nothing to disagree with), and say so through their status elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ntm import formatting as fmt
from ntm.attainment import MET, UNMET, Assessment, assess
from ntm.criteria import CriteriaSet
from ntm.i18n import DEFAULT_LANG, t
from ntm.values import ReadResult

_KEYS = ["commune", "village", "period", "code"]
_NEGATED = {">=": "<", "<=": ">", "==": "≠"}
_HOLDS = {">=": "≥", "<=": "≤", "==": "="}


@dataclass(frozen=True)
class Disagreement:
    commune: str
    village: str | None
    period: int
    code: str
    claimed_met: bool
    value: float
    threshold: float
    direction: str
    kind: str
    unit: str
    file: str
    sheet: str
    cell: str

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """ "tự đánh giá Đạt, nhưng 79,6% < 85%" (the comparison that decides)."""
        shown = fmt.value(self.value, self.kind, self.unit, lang)
        if self.kind == "boolean":
            required = fmt.value(self.threshold, "boolean", "", lang)
            key = "selfcheck.boolean_met" if self.claimed_met else "selfcheck.boolean_unmet"
            return t(key, lang, value=shown, required=required)
        sign = _NEGATED[self.direction] if self.claimed_met else _HOLDS[self.direction]
        limit = fmt.value(self.threshold, self.kind, self.unit, lang)
        key = "selfcheck.met" if self.claimed_met else "selfcheck.unmet"
        return t(key, lang, value=shown, sign=sign, threshold=limit)

    def where(self) -> str:
        return " › ".join(x for x in (self.file, self.sheet, self.cell) if x)

    def to_json(self, lang: str = DEFAULT_LANG) -> dict[str, Any]:
        return {
            "commune": self.commune,
            "village": self.village,
            "period": self.period,
            "code": self.code,
            "self_assessment": "met" if self.claimed_met else "unmet",
            "computed": "unmet" if self.claimed_met else "met",
            "value": self.value,
            "threshold": self.threshold,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message(lang),
        }


def disagreements(assessment: Assessment, values: pd.DataFrame) -> list[Disagreement]:
    """Every value whose self-assessment says met where the computed verdict is unmet, or the
    other way round, in the order of the values."""
    if "self_assessed" not in values or values.empty:
        return []
    claimed = values[values["self_assessed"].notna()]
    if claimed.empty or assessment.parts.empty:
        return []
    parts = assessment.parts[[*_KEYS, "value", "threshold", "direction", "kind", "status"]]
    left = claimed[[*_KEYS, "self_assessed", "file", "sheet", "cell"]].copy()
    parts = parts.copy()
    parts["village"] = parts["village"].astype("object").where(parts["village"].notna(), "")
    left["village"] = left["village"].astype("object").where(left["village"].notna(), "")
    joined = left.merge(parts, on=_KEYS, how="inner")
    met = joined["status"] == MET
    unmet = joined["status"] == UNMET
    claimed_met = joined["self_assessed"] >= 0.5
    wrong = joined[(claimed_met & unmet) | (~claimed_met & met)]
    units = _units(assessment)
    out = []
    for row in wrong.itertuples(index=False):
        out.append(
            Disagreement(
                commune=str(row.commune),
                village=str(row.village) or None,
                period=int(row.period),
                code=str(row.code),
                claimed_met=bool(row.self_assessed >= 0.5),
                value=float(row.value),
                threshold=float(row.threshold),
                direction=str(row.direction),
                kind=str(row.kind),
                unit=units.get(str(row.code), ""),
                file=str(row.file or ""),
                sheet=str(row.sheet or ""),
                cell=str(row.cell or ""),
            )
        )
    return out


def _units(assessment: Assessment) -> dict[str, str]:
    out: dict[str, str] = {}
    for crit in assessment.sets.values():
        for _, ind in crit.indicators():
            for part in ind.measured:
                out.setdefault(part.code, part.unit)
    return out


def check_result(result: ReadResult, sets: Mapping[str, CriteriaSet]) -> list[Disagreement]:
    """The disagreements in one return as read (the preview, `ntm assess`): its values judged
    on the set and the region/group the reader settled on (`sets`: the known sets by id)."""
    values = result.values
    if values.empty or not values["self_assessed"].notna().any():
        return []
    meta = result.meta
    crit = sets.get(meta.criteria_set or "")
    if crit is None or meta.commune is None:
        return []
    key = {k: v for k, v in (("region", meta.region), ("group", meta.group)) if v}
    assessment = assess(values, keys={meta.commune: key} if key else None, criteria=crit)
    return disagreements(assessment, values)


def self_assessment_json(
    assessment: Assessment, values: pd.DataFrame, lang: str = DEFAULT_LANG
) -> list[dict[str, Any]] | None:
    """The "self_assessment" field of `ntm assess` / `ntm report` JSON: the disagreements, or
    None (the field left out) when no value carries a self-assessment to compare."""
    if "self_assessed" not in values or not values["self_assessed"].notna().any():
        return None
    return [d.to_json(lang) for d in disagreements(assessment, values)]
