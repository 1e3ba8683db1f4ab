"""The catalogue of the sets in use: one row per measured part (indicator, or one of its
sub-values), numbered so that the engine works on integers; and the thresholds of a set for
one region/group and year."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ntm.criteria import CriteriaSet, Part, ThresholdRule, pick_threshold


def part_table(crit: CriteriaSet) -> pd.DataFrame:
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


def threshold_rows(
    crit: CriteriaSet, key: str, year: int, parts: list[Part] | None = None
) -> list[dict[str, Any]]:
    """One row per part: base threshold, and the conditional one with its denominator limit.

    `parts`: the set's measured parts in order, when the caller has them already.
    """
    rows = []
    if parts is None:
        parts = [part for _, ind in crit.indicators() for part in ind.measured]
    for part in parts:
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


@dataclass
class Catalog:
    """The parts of the sets in use; each array is indexed by part id (a part-table row)."""

    table: pd.DataFrame
    set_ids: list[str]
    set_of: np.ndarray  # set index of each part
    parts_by_set: list[np.ndarray]  # part ids of each set, in part-table order
    village_parts_by_set: list[np.ndarray]  # the same, village-scope parts only
    village_scope: np.ndarray
    aggregation: np.ndarray  # rule names
    share: np.ndarray  # aggregation == "share"
    required: np.ndarray
    informational: np.ndarray
    order: np.ndarray
    directions: pd.Index  # names of the direction codes
    direction: np.ndarray  # direction code of each part
    indicator: np.ndarray  # id of the part's (set, criterion, indicator)
    criterion: np.ndarray  # id of the part's (set, criterion)
    criteria: list[tuple[str, str]]  # (set, criterion number) of each criterion id
    criterion_set: np.ndarray  # set index of each criterion id
    criterion_numbers: pd.Index  # number of each criterion id
    criterion_order: np.ndarray  # position of each criterion id in its set
    empty_criteria: list[np.ndarray]  # per set: ids of its criteria without indicators
    code_rank: np.ndarray  # rank of the part's code in text order

    def text(self, column: str, parts: np.ndarray) -> Any:
        return self.table[column].array.take(parts)

    def direction_code(self, name: str) -> int:
        return int(self.directions.get_loc(name)) if name in self.directions else -1


def catalog(sets: Mapping[str, CriteriaSet]) -> Catalog | None:
    tables = [t for t in (part_table(s) for s in sets.values()) if not t.empty]
    if not tables:
        return None
    table = pd.concat(tables, ignore_index=True)
    set_ids = list(sets)
    set_of = np.array([set_ids.index(s) for s in table["criteria_set"]], dtype=np.int64)
    village_scope = table["scope"].eq("village").to_numpy(dtype=bool)
    pids = np.arange(len(table), dtype=np.int64)
    directions = list(dict.fromkeys([*table["direction"].tolist(), "=="]))
    code_rank = {c: i for i, c in enumerate(sorted(set(table["code"].tolist())))}
    # Criteria by (set, number), those of the sets first so that empty ones have an id too.
    crit_ids: dict[tuple[str, str], int] = {}
    for s in sets.values():
        for c in s.criteria:
            crit_ids.setdefault((s.id, c.number), len(crit_ids))
    order = {(s.id, c.number): i for s in sets.values() for i, c in enumerate(s.criteria)}
    ind_ids: dict[tuple[str, str, str], int] = {}
    indicator, criterion = [], []
    for set_id, number, code in zip(
        table["criteria_set"], table["criterion"], table["indicator"], strict=True
    ):
        indicator.append(ind_ids.setdefault((set_id, number, code), len(ind_ids)))
        criterion.append(crit_ids.setdefault((set_id, number), len(crit_ids)))
    aggregation = table["aggregation"].to_numpy(dtype=object)
    return Catalog(
        table=table,
        set_ids=set_ids,
        set_of=set_of,
        parts_by_set=[pids[set_of == s] for s in range(len(set_ids))],
        village_parts_by_set=[pids[(set_of == s) & village_scope] for s in range(len(set_ids))],
        village_scope=village_scope,
        aggregation=aggregation,
        share=aggregation == "share",
        required=table["required"].to_numpy(dtype="float64"),
        informational=table["informational"].to_numpy(dtype=bool),
        order=table["order"].to_numpy(dtype=np.int64),
        directions=pd.Index(directions),
        direction=np.array([directions.index(d) for d in table["direction"]], dtype=np.int64),
        indicator=np.array(indicator, dtype=np.int64),
        criterion=np.array(criterion, dtype=np.int64),
        criteria=list(crit_ids),
        criterion_set=np.array([set_ids.index(s) for s, _ in crit_ids], dtype=np.int64),
        criterion_numbers=pd.Index([n for _, n in crit_ids]),
        criterion_order=np.array([order.get(k, 0) for k in crit_ids], dtype=np.int64),
        empty_criteria=[
            np.array([crit_ids[(s.id, c.number)] for c in s.criteria if not c.indicators])
            .astype(np.int64)
            .reshape(-1)
            for s in sets.values()
        ],
        code_rank=np.array([code_rank[c] for c in table["code"]], dtype=np.int64),
    )
