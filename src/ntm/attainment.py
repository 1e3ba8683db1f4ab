"""Attainment: indicator → criterion → unit, for villages and for the commune as a whole.

Rules (DESIGN §3; Decision 18/2022/QĐ-TTg art. 4 for "all criteria"):
- A measured value is compared with the threshold rule that applies to the commune's region or
  group and the period (`ntm.criteria.pick_threshold`). Status: `met`, `unmet`, `missing` (no
  value), `no_threshold` (the set has no value for it: never guessed), `not_applicable`,
  `info` (measured for context, never judged).
- An indicator with several parts (12.2 men/women, 17.1 two shares, 5 schools) is met when all
  its judged parts are met, unmet as soon as one is unmet, otherwise unknown.
- A criterion is met when all its indicators are met, unmet as soon as one is unmet, otherwise
  unknown (a needed value or threshold is missing). A criterion with no indicators in an
  incomplete set is unknown.
- The commune value of a village-scope indicator is the commune's own figure when its return
  gives one, otherwise the aggregate of its villages by the indicator's rule (`ratio` of summed
  numerators over summed denominators, `sum`, `all`, `min`, `max`, `mean`, `share` of villages
  answering yes). If any village of the commune lacks the value, the aggregate is missing.
- A village is assessed on the village-scope indicators only; its criteria are those that have
  at least one; it is "at standard" when all of them are met.

Everything is computed with vectorised pandas operations: a province (≈700k values) is
assessed in well under two seconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ntm.criteria import CriteriaSet, ThresholdRule, pick_threshold, set_for_year, shipped_sets
from ntm.errors import Code, NoCriteriaSetError, Problem

MET, UNMET, MISSING, NO_THRESHOLD, NOT_APPLICABLE, INFO = (
    "met",
    "unmet",
    "missing",
    "no_threshold",
    "not_applicable",
    "info",
)
# Criterion / unit level: met, unmet or unknown.
UNKNOWN = "unknown"

COMMUNE = ""  # internal village value of the commune as a whole; None in every output

PartKeys = str | Mapping[str, str]
UNIT_COLUMNS = ["commune", "village", "period", "criteria_set"]


@dataclass
class Assessment:
    """The result of assessing a set of values.

    - `parts`: one row per (commune, village, period, part code): the finest level.
    - `indicators`: one row per (commune, village, period, indicator code).
    - `criteria`: one row per (commune, village, period, criterion).
    - `units`: one row per (commune, village, period) with criteria_met / criteria_total.
    - `blockers`: for each unmet commune part, the villages whose own value is unmet or missing.
    `village` is None for the commune as a whole.
    """

    parts: pd.DataFrame
    indicators: pd.DataFrame
    criteria: pd.DataFrame
    units: pd.DataFrame
    blockers: pd.DataFrame
    sets: dict[str, CriteriaSet]
    problems: list[Problem] = field(default_factory=list)

    def to_json(self, problems: Iterable[Problem] = (), lang: str = "vi") -> dict[str, Any]:
        """The `ntm assess --format json` object (DESIGN §5)."""
        return assessment_json(self, [*problems, *self.problems], lang)


# --- threshold table -------------------------------------------------------------------------


def _part_table(crit: CriteriaSet) -> pd.DataFrame:
    rows = []
    for order, (criterion, ind) in enumerate(crit.indicators()):
        for part in ind.measured:
            rows.append(
                {
                    "criteria_set": crit.id,
                    "criterion": criterion.number,
                    "indicator": ind.code,
                    "code": part.code,
                    "kind": part.kind,
                    "direction": part.direction,
                    "scope": ind.scope,
                    "aggregation": ind.aggregation,
                    "informational": part.informational,
                    "order": order,
                    # For `all`: the answer every village must give (Đạt = 1, e.g. 9.1 "no
                    # makeshift house" = 0); the commune takes the failing answer if any has it.
                    "required": _required_answer(part.thresholds),
                }
            )
    return pd.DataFrame(rows)


def _required_answer(rules: Iterable[ThresholdRule]) -> float:
    answers = {float(r.value) for r in rules if isinstance(r.value, bool)}
    return answers.pop() if len(answers) == 1 else 1.0


def _threshold_rows(crit: CriteriaSet, key: str, year: int) -> list[dict[str, Any]]:
    """One row per part: base threshold, and the conditional one with its denominator limit."""
    rows = []
    for _, ind in crit.indicators():
        for part in ind.measured:
            base = pick_threshold(part.thresholds, key, year)
            cond = pick_threshold(part.thresholds, key, year, denominator=-math.inf)
            cond_limit = cond.when_denominator_at_most if cond is not None else None
            rows.append(
                {
                    "criteria_set": crit.id,
                    "key": key,
                    "period": year,
                    "code": part.code,
                    "threshold": _as_float(base.value) if base else np.nan,
                    "applies": base.applies if base else True,
                    "verified": bool(base.verified) if base else False,
                    "cond_limit": cond_limit if cond_limit is not None else np.nan,
                    "cond_threshold": _as_float(cond.value) if cond and cond_limit else np.nan,
                    "cond_verified": bool(cond.verified) if cond else False,
                }
            )
    return rows


def _as_float(value: float | bool | None) -> float:
    if value is None:
        return np.nan
    return float(value)


# --- assessment ------------------------------------------------------------------------------


def _key_for(keys: Mapping[str, PartKeys] | None, commune: str, crit: CriteriaSet) -> str:
    if not keys or commune not in keys:
        return "general"
    entry = keys[commune]
    if isinstance(entry, str):
        return entry
    return entry.get(crit.keyed_by) or "general"


def assess(
    values: pd.DataFrame,
    *,
    keys: Mapping[str, PartKeys] | None = None,
    criteria: CriteriaSet | None = None,
    extra_sets: Iterable[CriteriaSet] = (),
) -> Assessment:
    """Assess every (commune, village, period) in `values`.

    `keys` maps a commune to its region (Decision 318) or group (Decision 51/2025) id, or to a
    mapping {"region": ..., "group": ...}; a commune without one is judged on the general
    thresholds. `criteria` forces one set for all periods; otherwise each period uses the set in
    force (`set_for_year`), preferring `extra_sets` (user-imported sets) when complete.
    """
    problems: list[Problem] = []
    frame = values.copy()
    frame["village"] = frame["village"].astype("object").where(frame["village"].notna(), COMMUNE)
    frame["period"] = frame["period"].astype("int64")

    # A stored set (imported or edited by a user) replaces the shipped file of the same id.
    by_id = {**shipped_sets(), **{s.id: s for s in extra_sets}}
    candidates = list(by_id.values())
    set_by_period: dict[int, CriteriaSet] = {}
    for period in sorted(frame["period"].unique().tolist()):
        if criteria is not None:
            set_by_period[period] = criteria
            continue
        try:
            set_by_period[period] = set_for_year(period, "commune", candidates)
        except NoCriteriaSetError:
            problems.append(Problem(Code.NO_CRITERIA_SET, params={"year": period}))
    frame = frame[frame["period"].isin(list(set_by_period))]
    sets = {s.id: s for s in set_by_period.values()}
    for crit in sets.values():
        if not crit.complete:
            problems.append(
                Problem(
                    Code.CRITERIA_SET_INCOMPLETE,
                    params={"criteria_set": crit.id, "missing": "; ".join(crit.missing)},
                )
            )

    frame["criteria_set"] = frame["period"].map({p: s.id for p, s in set_by_period.items()})
    tables = [_part_table(s) for s in sets.values()]
    part_table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    if part_table.empty or frame.empty:
        return _empty_assessment(frame, sets, problems, keys)

    # Only codes the set knows are judged (unknown codes were reported by validation).
    frame = frame.merge(part_table, on=["criteria_set", "code"], how="inner")
    communes = _commune_rows(frame, part_table, set_by_period)
    villages = frame[(frame["village"] != COMMUNE) & (frame["scope"] == "village")]
    commune_units = _unit_index(frame, village=False)
    village_units = _unit_index(villages, village=True)

    # Every commune unit is judged on every part of its set (missing where no value).
    commune_grid = commune_units.merge(part_table, on="criteria_set")
    commune_grid = commune_grid.merge(
        communes, on=["commune", "period", "criteria_set", "code"], how="left", suffixes=("", "_v")
    )
    village_parts = part_table[part_table["scope"] == "village"]
    village_grid = village_units.merge(village_parts, on="criteria_set").merge(
        villages[["commune", "village", "period", "code", "value", "numerator", "denominator"]],
        on=["commune", "village", "period", "code"],
        how="left",
    )
    grid = pd.concat(
        [commune_grid.assign(village=COMMUNE), village_grid], ignore_index=True, sort=False
    )
    grid = _judge(grid, sets, set_by_period, keys, problems)
    parts = grid[
        [
            "commune",
            "village",
            "period",
            "criteria_set",
            "key",
            "criterion",
            "indicator",
            "code",
            "kind",
            "direction",
            "informational",
            "order",
            "value",
            "numerator",
            "denominator",
            "threshold",
            "verified",
            "status",
            "gap",
        ]
    ]
    indicators = _roll_up_indicators(parts)
    crit_frame = _roll_up_criteria(indicators, sets, commune_units, village_units)
    units = _roll_up_units(crit_frame)
    blockers = _blockers(parts)
    return Assessment(
        parts=_public(parts),
        indicators=_public(indicators),
        criteria=_public(crit_frame),
        units=_public(units),
        blockers=blockers,
        sets=sets,
        problems=problems,
    )


def _public(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True)
    out["village"] = out["village"].astype("object").where(out["village"] != COMMUNE, None)
    return out


def _unit_index(frame: pd.DataFrame, *, village: bool) -> pd.DataFrame:
    cols = (
        ["commune", "village", "period", "criteria_set"]
        if village
        else [
            "commune",
            "period",
            "criteria_set",
        ]
    )
    return frame[cols].drop_duplicates().reset_index(drop=True)


def _commune_rows(
    frame: pd.DataFrame, part_table: pd.DataFrame, set_by_period: Mapping[int, CriteriaSet]
) -> pd.DataFrame:
    """The commune's value of every part: its own figure, else its villages' aggregate."""
    own = frame[frame["village"] == COMMUNE][
        ["commune", "period", "criteria_set", "code", "value", "numerator", "denominator"]
    ]
    village_rows = frame[(frame["village"] != COMMUNE) & (frame["scope"] == "village")]
    aggregated = _aggregate(village_rows, frame)
    combined = aggregated.merge(
        own, on=["commune", "period", "criteria_set", "code"], how="outer", suffixes=("_agg", "")
    )
    has_own = combined["value"].notna()
    for col in ("value", "numerator", "denominator"):
        combined[col] = combined[col].where(has_own, combined[f"{col}_agg"])
    return combined[
        ["commune", "period", "criteria_set", "code", "value", "numerator", "denominator"]
    ]


def _aggregate(village_rows: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Aggregate village values to the commune, one rule per indicator (DESIGN §3)."""
    keys = ["commune", "period", "criteria_set", "code"]
    if village_rows.empty:
        return pd.DataFrame(columns=[*keys, "value", "numerator", "denominator"])
    rows = village_rows.copy()
    # Villages of a commune-period: every village that reported anything in it.
    village_count = (
        frame[frame["village"] != COMMUNE]
        .groupby(["commune", "period"])["village"]
        .nunique()
        .rename("villages")
    )
    rows["has_ratio"] = rows["numerator"].notna() & rows["denominator"].notna()
    rows["yes"] = (rows["value"] == 1.0).astype(float)
    grouped = rows.groupby([*keys, "aggregation", "required"], sort=False)
    agg = grouped.agg(
        n_value=("value", "count"),
        n_ratio=("has_ratio", "sum"),
        num=("numerator", "sum"),
        den=("denominator", "sum"),
        v_sum=("value", "sum"),
        v_min=("value", "min"),
        v_max=("value", "max"),
        v_mean=("value", "mean"),
        yes=("yes", "sum"),
    ).reset_index()
    agg = agg.merge(village_count, left_on=["commune", "period"], right_index=True)
    complete = agg["n_value"] >= agg["villages"]
    rule = agg["aggregation"]
    ratio_ok = (agg["n_ratio"] >= agg["villages"]) & (agg["den"] > 0)
    value = np.select(
        [
            rule.eq("ratio") & ratio_ok,
            rule.eq("ratio"),  # shares without numerator/denominator: unweighted mean
            rule.eq("sum"),
            rule.eq("all") & agg["required"].eq(1.0),
            rule.eq("all"),
            rule.eq("min"),
            rule.eq("max"),
            rule.eq("mean"),
            rule.eq("share"),
        ],
        [
            100.0 * agg["num"] / agg["den"].where(agg["den"] > 0, np.nan),
            agg["v_mean"],
            agg["v_sum"],
            agg["v_min"],
            agg["v_max"],
            agg["v_min"],
            agg["v_max"],
            agg["v_mean"],
            100.0 * agg["yes"] / agg["villages"],
        ],
        default=np.nan,
    )
    agg["value"] = np.where(complete, value, np.nan)
    agg["numerator"] = np.where(rule.eq("ratio") & ratio_ok & complete, agg["num"], np.nan)
    agg["denominator"] = np.where(rule.eq("ratio") & ratio_ok & complete, agg["den"], np.nan)
    return agg[[*keys, "value", "numerator", "denominator"]]


def _judge(
    grid: pd.DataFrame,
    sets: Mapping[str, CriteriaSet],
    set_by_period: Mapping[int, CriteriaSet],
    keys: Mapping[str, PartKeys] | None,
    problems: list[Problem],
) -> pd.DataFrame:
    # Resolve the threshold of every (set, key, period, part) once, then join.
    unit_keys = grid[["commune", "period", "criteria_set"]].drop_duplicates()
    unit_keys["key"] = [
        _key_for(keys, commune, sets[set_id])
        for commune, set_id in zip(unit_keys["commune"], unit_keys["criteria_set"], strict=True)
    ]
    for set_id, key in unit_keys[["criteria_set", "key"]].drop_duplicates().itertuples(index=False):
        if key != "general" and key not in sets[set_id].key_ids():
            problems.append(
                Problem(
                    Code.UNKNOWN_REGION,
                    params={
                        "text": key,
                        "criteria_set": set_id,
                        "choices": ", ".join(sets[set_id].key_ids()),
                    },
                )
            )
    grid = grid.merge(unit_keys, on=["commune", "period", "criteria_set"])
    threshold_rows = [
        row
        for set_id, key, period in unit_keys[["criteria_set", "key", "period"]]
        .drop_duplicates()
        .itertuples(index=False)
        for row in _threshold_rows(sets[set_id], key, period)
    ]
    thresholds = pd.DataFrame(threshold_rows)
    grid = grid.merge(thresholds, on=["criteria_set", "key", "period", "code"], how="left")

    # Conditional rule (e.g. criterion 5: ≤ 3 schools) replaces the base one where it holds.
    use_cond = grid["cond_limit"].notna() & (grid["denominator"] <= grid["cond_limit"])
    grid["threshold"] = grid["threshold"].where(~use_cond, grid["cond_threshold"])
    grid["verified"] = grid["verified"].where(~use_cond, grid["cond_verified"])

    # A village's answer to a "share of villages" indicator is yes/no: it must be yes.
    village_share = (grid["village"] != COMMUNE) & (grid["aggregation"] == "share")
    grid["direction"] = grid["direction"].where(~village_share, "==")
    grid["threshold"] = grid["threshold"].where(~village_share, 1.0)

    grid["value"] = grid["value"].astype("float64")
    grid["threshold"] = grid["threshold"].astype("float64")
    value, threshold, direction = grid["value"], grid["threshold"], grid["direction"]
    passes = np.select(
        [direction.eq(">="), direction.eq("<=")],
        [value >= threshold, value <= threshold],
        default=(value == threshold),
    )
    grid["status"] = np.select(
        [
            grid["informational"].astype(bool),
            ~grid["applies"].astype(bool),
            value.isna(),
            threshold.isna(),
            passes,
        ],
        [INFO, NOT_APPLICABLE, MISSING, NO_THRESHOLD, MET],
        default=UNMET,
    )
    # Gap: how far from the threshold, in the indicator's own unit (0 when met).
    is_number = ~direction.eq("==")
    raw_gap = np.where(direction.eq("<="), value - threshold, threshold - value)
    raw_gap = np.where(np.isnan(raw_gap), 0.0, raw_gap)
    grid["gap"] = np.where(
        is_number & grid["status"].isin([MET, UNMET]), np.maximum(raw_gap, 0.0), np.nan
    )
    return grid


def _roll_up_indicators(parts: pd.DataFrame) -> pd.DataFrame:
    keys = ["commune", "village", "period", "criteria_set", "criterion", "indicator"]
    judged = parts.assign(
        unmet=parts["status"].eq(UNMET),
        unknown=parts["status"].isin([MISSING, NO_THRESHOLD]),
        missing=parts["status"].eq(MISSING),
        judged=parts["status"].isin([MET, UNMET, MISSING, NO_THRESHOLD]),
    )
    # Only judged parts speak for the indicator's verification (not "info" counts).
    judged["verified"] = judged["verified"].astype(bool) | ~judged["judged"]
    grouped = judged.groupby(keys, sort=False)
    out = grouped.agg(
        key=("key", "first"),
        order=("order", "first"),
        n_parts=("code", "size"),
        any_unmet=("unmet", "any"),
        any_unknown=("unknown", "any"),
        any_missing=("missing", "any"),
        any_judged=("judged", "any"),
        verified=("verified", "all"),
        value=("value", "first"),
        threshold=("threshold", "first"),
        gap=("gap", "first"),
        kind=("kind", "first"),
        direction=("direction", "first"),
    ).reset_index()
    out["status"] = np.select(
        [out["any_unmet"], out["any_missing"], out["any_unknown"], ~out["any_judged"]],
        [UNMET, MISSING, NO_THRESHOLD, NOT_APPLICABLE],
        default=MET,
    )
    # Multi-part indicators have no single value: their parts carry them.
    multi = out["n_parts"] > 1
    for col in ("value", "threshold", "gap"):
        out[col] = out[col].where(~multi, np.nan)
    out = out.rename(columns={"indicator": "code"})
    return out.drop(columns=["any_unmet", "any_unknown", "any_missing", "any_judged"])


def _roll_up_criteria(
    indicators: pd.DataFrame,
    sets: Mapping[str, CriteriaSet],
    commune_units: pd.DataFrame,
    village_units: pd.DataFrame,
) -> pd.DataFrame:
    keys = ["commune", "village", "period", "criteria_set", "criterion"]
    flags = indicators.assign(
        unmet=indicators["status"].eq(UNMET),
        unknown=indicators["status"].isin([MISSING, NO_THRESHOLD]),
    )
    agg = (
        flags.groupby(keys, sort=False)
        .agg(any_unmet=("unmet", "any"), any_unknown=("unknown", "any"))
        .reset_index()
    )
    agg["status"] = np.select([agg["any_unmet"], agg["any_unknown"]], [UNMET, UNKNOWN], default=MET)
    agg = agg.drop(columns=["any_unmet", "any_unknown"])
    # Criteria without indicators (an incomplete set) are unknown for the commune.
    empty_rows = [
        {"criteria_set": s.id, "criterion": c.number}
        for s in sets.values()
        for c in s.criteria
        if not c.indicators
    ]
    if empty_rows:
        empty = commune_units.merge(pd.DataFrame(empty_rows), on="criteria_set").assign(
            village=COMMUNE, status=UNKNOWN
        )
        agg = pd.concat([agg, empty[[*keys, "status"]]], ignore_index=True)
    order = {(s.id, c.number): i for s in sets.values() for i, c in enumerate(s.criteria)}
    agg["order"] = [
        order[(s, c)] for s, c in zip(agg["criteria_set"], agg["criterion"], strict=True)
    ]
    agg["met"] = agg["status"].map({MET: True, UNMET: False}).astype("object")
    agg["met"] = agg["met"].where(agg["status"] != UNKNOWN, None)
    return agg.sort_values(["commune", "village", "period", "order"]).reset_index(drop=True)


def _roll_up_units(criteria: pd.DataFrame) -> pd.DataFrame:
    keys = ["commune", "village", "period", "criteria_set"]
    flags = criteria.assign(
        is_met=criteria["status"].eq(MET),
        is_unmet=criteria["status"].eq(UNMET),
        is_unknown=criteria["status"].eq(UNKNOWN),
    )
    units = (
        flags.groupby(keys, sort=False)
        .agg(
            criteria_met=("is_met", "sum"),
            criteria_unmet=("is_unmet", "sum"),
            criteria_unknown=("is_unknown", "sum"),
            criteria_total=("criterion", "size"),
        )
        .reset_index()
    )
    units["at_standard"] = units["criteria_met"] == units["criteria_total"]
    return units.sort_values(["commune", "period", "village"]).reset_index(drop=True)


def _blockers(parts: pd.DataFrame) -> pd.DataFrame:
    """For every unmet commune part, the villages whose own value is unmet or missing."""
    commune_unmet = parts[(parts["village"] == COMMUNE) & parts["status"].eq(UNMET)][
        ["commune", "period", "criterion", "indicator", "code"]
    ]
    village_bad = parts[(parts["village"] != COMMUNE) & parts["status"].isin([UNMET, MISSING])][
        ["commune", "period", "code", "village", "value", "threshold", "gap", "status"]
    ]
    out = commune_unmet.merge(village_bad, on=["commune", "period", "code"])
    return out.sort_values(
        ["commune", "period", "code", "gap"], ascending=[True, True, True, False]
    )


def _empty_assessment(
    frame: pd.DataFrame,
    sets: dict[str, CriteriaSet],
    problems: list[Problem],
    keys: Mapping[str, PartKeys] | None,
) -> Assessment:
    """No judged part at all (e.g. an incomplete set with no indicators): criteria unknown."""
    units_rows = []
    crit_rows = []
    for (commune, period, set_id), _ in frame.groupby(["commune", "period", "criteria_set"]):
        crit = sets[set_id]
        for c_order, criterion in enumerate(crit.criteria):
            crit_rows.append(
                {
                    "commune": commune,
                    "village": None,
                    "period": period,
                    "criteria_set": set_id,
                    "criterion": criterion.number,
                    "status": UNKNOWN,
                    "order": c_order,
                    "met": None,
                }
            )
        units_rows.append(
            {
                "commune": commune,
                "village": None,
                "period": period,
                "criteria_set": set_id,
                "criteria_met": 0,
                "criteria_unmet": 0,
                "criteria_unknown": len(crit.criteria),
                "criteria_total": len(crit.criteria),
                "at_standard": False,
            }
        )
    empty_parts = pd.DataFrame(
        columns=["commune", "village", "period", "criteria_set", "criterion", "code", "status"]
    )
    return Assessment(
        parts=empty_parts,
        indicators=empty_parts.copy(),
        criteria=pd.DataFrame(
            crit_rows, columns=[*UNIT_COLUMNS, "criterion", "status", "order", "met"]
        ),
        units=pd.DataFrame(
            units_rows,
            columns=[
                *UNIT_COLUMNS,
                "criteria_met",
                "criteria_unmet",
                "criteria_unknown",
                "criteria_total",
                "at_standard",
            ],
        ),
        blockers=pd.DataFrame(columns=["commune", "period", "code", "village"]),
        sets=sets,
        problems=problems,
    )


# --- JSON ------------------------------------------------------------------------------------


def _json_number(value: Any, kind: str) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind == "boolean":
        return bool(value >= 0.5)
    return float(value)


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
    set_ids = sorted(assessment.sets)
    return {
        "criteria_set": set_ids[0] if len(set_ids) == 1 else set_ids,
        "units": units,
        "problems": [p.to_json(lang) for p in problems],
    }
