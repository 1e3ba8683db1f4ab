"""Judging: the threshold that applies to every grid row (the commune's region or group, the
year, a conditional rule such as criterion 5's), its status and its gap."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ntm.attainment.aggregation import Grid
from ntm.attainment.catalogue import Catalog, threshold_rows
from ntm.attainment.core import (
    S_INFO,
    S_MET,
    S_MISSING,
    S_NA,
    S_NO_THRESHOLD,
    S_UNMET,
    PartKeys,
)
from ntm.attainment.encoding import Rows
from ntm.criteria import CriteriaSet, Part
from ntm.errors import Code, Problem


def key_for(keys: Mapping[str, PartKeys] | None, commune: str, crit: CriteriaSet) -> str:
    if not keys or commune not in keys:
        return "general"
    entry = keys[commune]
    if isinstance(entry, str):
        return entry
    return entry.get(crit.keyed_by) or "general"


def judge(
    grid: Grid,
    rows: Rows,
    cat: Catalog,
    sets: Mapping[str, CriteriaSet],
    keys: Mapping[str, PartKeys] | None,
    problems: list[Problem],
) -> None:
    """Status, threshold and gap of every grid row."""
    n_periods, n_parts = rows.n_periods, len(cat.table)
    # The region/group of every commune-period judged, then the threshold of every (set, key,
    # period, part) once, looked up by integer.
    key_of_unit = np.zeros(len(rows.communes) * n_periods, dtype=np.int64)
    key_ids: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    resolved: dict[tuple[int, int], None] = {}
    for u in grid.commune_units.tolist():
        p = u % n_periods
        s = int(rows.set_of_period[p])
        if not len(cat.parts_by_set[s]):
            continue
        set_id = cat.set_ids[s]
        key = key_for(keys, rows.communes[u // n_periods], sets[set_id])
        key_of_unit[u] = key_ids.setdefault(key, len(key_ids))
        resolved[(key_of_unit[u], p)] = None
        if (set_id, key) in seen:
            continue
        seen.add((set_id, key))
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
    shape = (len(key_ids), n_periods, n_parts)
    base, cond = np.full(shape, np.nan), np.full(shape, np.nan)
    cond_limit = np.full(shape, np.nan)
    applies = np.ones(shape, dtype=bool)
    verified, cond_verified = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    names = list(key_ids)
    measured: dict[int, list[Part]] = {}
    for k, p in resolved:
        s = int(rows.set_of_period[p])
        pids = cat.parts_by_set[s]
        crit = sets[cat.set_ids[s]]
        if s not in measured:
            measured[s] = [part for _, ind in crit.indicators() for part in ind.measured]
        table = threshold_rows(crit, names[k], int(rows.periods[p]), measured[s])
        base[k, p, pids] = [r["threshold"] for r in table]
        applies[k, p, pids] = [r["applies"] for r in table]
        verified[k, p, pids] = [r["verified"] for r in table]
        cond_limit[k, p, pids] = [r["cond_limit"] for r in table]
        cond[k, p, pids] = [r["cond_threshold"] for r in table]
        cond_verified[k, p, pids] = [r["cond_verified"] for r in table]
    key = key_of_unit[grid.commune * n_periods + grid.period]
    at = (key, grid.period, grid.part)
    value = grid.value

    # Conditional rule (e.g. criterion 5: ≤ 3 schools) replaces the base one where it holds.
    use_cond = ~np.isnan(cond_limit[at]) & (grid.denominator <= cond_limit[at])
    threshold = np.where(use_cond, cond[at], base[at])
    grid.verified = np.where(use_cond, cond_verified[at], verified[at])

    # A village's answer to a "share of villages" indicator is yes/no: it must be yes.
    village_share = ~grid.whole & cat.share[grid.part]
    direction = np.where(village_share, cat.direction_code("=="), cat.direction[grid.part])
    threshold = np.where(village_share, 1.0, threshold)

    is_ge, is_le = direction == cat.direction_code(">="), direction == cat.direction_code("<=")
    passes = np.where(
        is_ge, value >= threshold, np.where(is_le, value <= threshold, value == threshold)
    )
    status = np.select(
        [cat.informational[grid.part], ~applies[at], np.isnan(value), np.isnan(threshold), passes],
        [S_INFO, S_NA, S_MISSING, S_NO_THRESHOLD, S_MET],
        default=S_UNMET,
    )
    # Gap: how far from the threshold, in the indicator's own unit (0 when met).
    is_number = direction != cat.direction_code("==")
    raw_gap = np.where(is_le, value - threshold, threshold - value)
    raw_gap = np.where(np.isnan(raw_gap), 0.0, raw_gap)
    judged = (status == S_MET) | (status == S_UNMET)
    grid.gap = np.where(is_number & judged, np.maximum(raw_gap, 0.0), np.nan)
    grid.key, grid.key_names = key, pd.Index(names)
    grid.threshold, grid.direction, grid.status = threshold, direction, status
