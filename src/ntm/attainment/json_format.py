"""The DESIGN §5 JSON of an assessment (`ntm assess --format json`, `ntm report`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ntm.attainment.core import MET, UNMET, Assessment
from ntm.errors import Problem


def _json_number(value: Any, kind: str) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind == "boolean":
        return bool(value >= 0.5)
    return float(value)


def criteria_set_json(set_ids: Iterable[str]) -> str | list[str] | None:
    """DESIGN §5's top-level `criteria_set`: the set's id; null when nothing was assessed; the
    sorted list of ids when the units span two periods' sets (each unit names its own)."""
    ordered = sorted(set(set_ids))
    return (ordered[0] if len(ordered) == 1 else ordered) if ordered else None


def assessment_json(assessment: Assessment, problems: list[Problem], lang: str = "vi") -> dict:
    parts = assessment.parts
    indicators = assessment.indicators
    unit_cols = ["commune", "village", "period"]
    part_map: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in parts.itertuples(index=False):
        part_map.setdefault((row.commune, row.village, row.period, row.indicator), []).append(
            row._asdict()
        )
    ind_by_unit: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in indicators.itertuples(index=False):
        unit = (row.commune, row.village, row.period)
        kind = str(row.kind)
        entry: dict[str, Any]
        if row.n_parts > 1:
            members = part_map.get((*unit, row.code), [])
            entry = {
                "value": {p["code"]: _json_number(p["value"], p["kind"]) for p in members},
                "threshold": {p["code"]: _json_number(p["threshold"], p["kind"]) for p in members},
            }
        else:
            entry = {
                "value": _json_number(row.value, kind),
                "threshold": _json_number(row.threshold, kind),
            }
        status = str(row.status)
        entry["met"] = True if status == MET else False if status == UNMET else None
        entry["status"] = status
        entry["gap"] = _json_number(row.gap, "number")
        entry["verified"] = bool(row.verified)
        ind_by_unit.setdefault(unit, {})[str(row.code)] = entry
    crit_by_unit: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in assessment.criteria.itertuples(index=False):
        crit_by_unit.setdefault((row.commune, row.village, row.period), {})[str(row.criterion)] = (
            row.met
        )
    units = []
    for row in assessment.units.sort_values(["commune", "period"]).itertuples(index=False):
        unit = (row.commune, row.village, int(row.period))
        units.append(
            {
                **dict(zip(unit_cols, unit, strict=True)),
                "criteria_set": row.criteria_set,
                "criteria_set_revision": assessment.sets[row.criteria_set].revision,
                "indicators": ind_by_unit.get(unit, {}),
                "criteria": crit_by_unit.get(unit, {}),
                "criteria_met": int(row.criteria_met),
                "criteria_total": int(row.criteria_total),
            }
        )
    # Commune first within a commune-period, then its villages by name.
    units.sort(
        key=lambda u: (u["commune"], u["period"], u["village"] is not None, u["village"] or "")
    )
    return {
        "criteria_set": criteria_set_json(assessment.sets),
        "units": units,
        "problems": [p.to_json(lang) for p in problems],
    }
