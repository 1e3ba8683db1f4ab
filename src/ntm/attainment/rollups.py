"""Roll-ups: parts → indicators → criteria → units, the blockers of each unmet commune part,
and the registered villages behind a missing aggregate; each a frame for the `Assessment`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ntm.attainment.aggregation import Grid
from ntm.attainment.arrays import expand, first_rows, group_any, inner_join
from ntm.attainment.catalogue import Catalog
from ntm.attainment.core import (
    C_MET,
    C_UNKNOWN,
    C_UNMET,
    CRIT_MET,
    CRIT_STATUS,
    S_MET,
    S_MISSING,
    S_NA,
    S_NO_THRESHOLD,
    S_UNMET,
    STATUS,
    objects,
)
from ntm.attainment.encoding import Rows


def parts_frame(grid: Grid, rows: Rows, cat: Catalog) -> pd.DataFrame:
    part = grid.part
    return pd.DataFrame(
        {
            "commune": rows.communes.take(grid.commune),
            "village": objects(rows.villages[grid.village]),
            "period": rows.periods[grid.period],
            "criteria_set": pd.Index(cat.set_ids).take(cat.set_of[part]),
            "key": grid.key_names.take(grid.key),
            "criterion": cat.text("criterion", part),
            "indicator": cat.text("indicator", part),
            "code": codes_of(cat, part, rows),
            "kind": cat.text("kind", part),
            "direction": cat.directions.take(grid.direction),
            "informational": cat.informational[part],
            "order": cat.order[part],
            "value": grid.value,
            "numerator": grid.numerator,
            "denominator": grid.denominator,
            "threshold": grid.threshold,
            "verified": grid.verified,
            "status": STATUS.take(grid.status),
            "gap": grid.gap,
        }
    )


def codes_of(cat: Catalog, part: np.ndarray, rows: Rows) -> Any:
    """The part codes; text as the input's code column is (a merge on it gives its dtype)."""
    codes = cat.text("code", part)
    return codes if codes.dtype == rows.code_dtype else objects(np.asarray(codes, dtype=object))


@dataclass
class Indicators:
    frame: pd.DataFrame
    unit: np.ndarray  # (commune, period, village) of each row as one integer
    criterion: np.ndarray  # criterion id
    status: np.ndarray  # status code


def roll_up_indicators(grid: Grid, rows: Rows, cat: Catalog) -> Indicators:
    unit = grid.unit(rows.n_periods, rows.n_villages)
    n_ind = int(cat.indicator.max()) + 1
    group, uniques = pd.factorize(unit * n_ind + cat.indicator[grid.part])
    n = len(uniques)
    first = first_rows(group, n)
    status = grid.status
    judged = status >= S_MISSING  # missing, no threshold, met, unmet
    any_unmet = group_any(group, status == S_UNMET, n)
    any_missing = group_any(group, status == S_MISSING, n)
    any_unknown = group_any(group, (status == S_MISSING) | (status == S_NO_THRESHOLD), n)
    any_judged = group_any(group, judged, n)
    # Only judged parts speak for the indicator's verification (not "info" counts).
    verified = ~group_any(group, ~(grid.verified.astype(bool) | ~judged), n)
    n_parts = np.bincount(group, minlength=n)
    ind_status = np.select(
        [any_unmet, any_missing, any_unknown, ~any_judged],
        [S_UNMET, S_MISSING, S_NO_THRESHOLD, S_NA],
        default=S_MET,
    )
    # Multi-part indicators have no single value: their parts carry them.
    multi = n_parts > 1
    part = grid.part[first]

    def single(values: np.ndarray) -> np.ndarray:
        return np.where(multi, np.nan, values[first])

    frame = pd.DataFrame(
        {
            "commune": rows.grouped_communes.take(grid.commune[first]),
            "village": objects(rows.villages[grid.village[first]]),
            "period": rows.periods[grid.period[first]],
            "criteria_set": pd.Index(cat.set_ids).take(cat.set_of[part]),
            "criterion": cat.text("criterion", part),
            "code": cat.text("indicator", part),
            "key": grid.key_names.take(grid.key[first]),
            "order": cat.order[part],
            "n_parts": n_parts.astype(np.int64),
            "verified": verified,
            "value": single(grid.value),
            "threshold": single(grid.threshold),
            "gap": single(grid.gap),
            "kind": cat.text("kind", part),
            "direction": cat.directions.take(grid.direction[first]),
            "status": STATUS.take(ind_status),
        }
    )
    return Indicators(frame, unit[first], cat.criterion[part], ind_status)


@dataclass
class CriteriaRows:
    unit: np.ndarray  # (commune, period, village) as one integer, rows sorted
    status: np.ndarray  # criterion status code
    criterion: np.ndarray  # criterion id


def roll_up_criteria(
    ind: Indicators, grid: Grid, rows: Rows, cat: Catalog
) -> tuple[pd.DataFrame, CriteriaRows]:
    n_crit = len(cat.criteria)
    group, uniques = pd.factorize(ind.unit * n_crit + ind.criterion)
    n = len(uniques)
    first = first_rows(group, n)
    any_unmet = group_any(group, ind.status == S_UNMET, n)
    any_unknown = group_any(group, (ind.status == S_MISSING) | (ind.status == S_NO_THRESHOLD), n)
    status = np.where(any_unmet, C_UNMET, np.where(any_unknown, C_UNKNOWN, C_MET))
    unit, criterion = ind.unit[first], ind.criterion[first]
    # Criteria without indicators (an incomplete set) are unknown for the commune.
    units = grid.commune_units
    empty_pos, empty_crit = expand(rows.set_of_period[units % rows.n_periods], cat.empty_criteria)
    if len(empty_crit):
        unit = np.concatenate([unit, units[empty_pos] * rows.n_villages + rows.whole])
        criterion = np.concatenate([criterion, empty_crit])
        status = np.concatenate([status, np.full(len(empty_crit), C_UNKNOWN)])
    village = unit % rows.n_villages
    commune_period = unit // rows.n_villages
    commune, period = commune_period // rows.n_periods, commune_period % rows.n_periods
    order = cat.criterion_order[criterion]
    sort = np.lexsort((order, period, village, commune))
    unit, criterion, status = unit[sort], criterion[sort], status[sort]
    commune, village, period = commune[sort], village[sort], period[sort]
    names = rows.grouped_communes
    if any(len(e) for e in cat.empty_criteria) and names.dtype != rows.communes.dtype:
        names = names.astype(object)  # as a concat with the (maybe empty) unknown rows types it
    frame = pd.DataFrame(
        {
            "commune": names.take(commune),
            "village": objects(rows.villages[village]),
            "period": rows.periods[period],
            "criteria_set": pd.Index(cat.set_ids).take(cat.criterion_set[criterion]),
            "criterion": cat.criterion_numbers.take(criterion),
            "status": CRIT_STATUS.take(status),
            "order": cat.criterion_order[criterion],
            "met": objects(CRIT_MET[status]),
        }
    )
    return frame, CriteriaRows(unit, status, criterion)


def roll_up_units(crit: CriteriaRows, rows: Rows, cat: Catalog) -> pd.DataFrame:
    group, uniques = pd.factorize(crit.unit)
    n = len(uniques)
    first = first_rows(group, n)
    met = np.bincount(group[crit.status == C_MET], minlength=n)
    unmet = np.bincount(group[crit.status == C_UNMET], minlength=n)
    unknown = np.bincount(group[crit.status == C_UNKNOWN], minlength=n)
    total = np.bincount(group, minlength=n)
    unit = crit.unit[first]
    village = unit % rows.n_villages
    commune_period = unit // rows.n_villages
    commune, period = commune_period // rows.n_periods, commune_period % rows.n_periods
    sort = np.lexsort((village, period, commune))
    set_of = cat.criterion_set[crit.criterion[first][sort]]
    return pd.DataFrame(
        {
            "commune": rows.grouped_communes.take(commune[sort]),
            "village": objects(rows.villages[village[sort]]),
            "period": rows.periods[period[sort]],
            "criteria_set": pd.Index(cat.set_ids).take(set_of),
            "criteria_met": met[sort].astype(np.int64),
            "criteria_unmet": unmet[sort].astype(np.int64),
            "criteria_unknown": unknown[sort].astype(np.int64),
            "criteria_total": total[sort].astype(np.int64),
            "at_standard": (met == total)[sort],
        }
    )


def blocker_frame(grid: Grid, rows: Rows, cat: Catalog) -> pd.DataFrame:
    """For every unmet commune part, the villages whose own value is unmet or missing."""
    status = grid.status
    commune_unmet = np.flatnonzero(grid.whole & (status == S_UNMET))
    village_bad = np.flatnonzero(~grid.whole & ((status == S_UNMET) | (status == S_MISSING)))
    key = (grid.commune * rows.n_periods + grid.period) * len(cat.table) + grid.part
    left, right = inner_join(key[commune_unmet], key[village_bad])
    left, right = commune_unmet[left], village_bad[right]
    # By commune, period, code; the largest gap first, missing ones last.
    gap = grid.gap[right]
    sort = np.lexsort(
        (
            np.where(np.isnan(gap), np.inf, -gap),
            cat.code_rank[grid.part[left]],
            grid.period[left],
            grid.commune[left],
        )
    )
    left, right = left[sort], right[sort]
    part = grid.part[left]
    frame = pd.DataFrame(
        {
            "commune": rows.communes.take(grid.commune[left]),
            "period": rows.periods[grid.period[left]],
            "criterion": cat.text("criterion", part),
            "indicator": cat.text("indicator", part),
            "code": codes_of(cat, part, rows),
            "village": objects(rows.villages[grid.village[right]]),
            "value": grid.value[right],
            "threshold": grid.threshold[right],
            "gap": grid.gap[right],
            "status": STATUS.take(status[right]),
        }
    )
    frame.index = pd.RangeIndex(len(sort)).take(sort)  # the labels of the rows before sorting
    return frame


def unreported_villages(
    parts: pd.DataFrame,
    grid: Grid,
    cat: Catalog,
    register: Mapping[tuple[str, int], Sequence[str]],
) -> pd.DataFrame:
    """For each village-scope commune part left missing, the registered villages without a
    value for it: (commune, period, code, village), by commune, period, code, village."""
    columns = ["commune", "period", "code", "village"]
    missing = grid.whole & (grid.status == S_MISSING) & cat.village_scope[grid.part]
    if not missing.any():
        return pd.DataFrame(columns=columns)
    gaps = parts.loc[missing, ["commune", "period", "code"]].astype(
        {"commune": object, "code": object}
    )
    listed = pd.DataFrame(
        [(c, int(y), v) for (c, y), names in register.items() for v in sorted(set(names))],
        columns=["commune", "period", "village"],
    ).astype({"commune": object, "village": object})
    wanted = gaps.merge(listed, on=["commune", "period"])
    given = parts.loc[
        ~grid.whole & ~np.isnan(grid.value), ["commune", "period", "code", "village"]
    ].astype({"commune": object, "code": object, "village": object})
    found = wanted.merge(given, on=columns, how="left", indicator=True)
    out = found.loc[found["_merge"] == "left_only", columns]
    return out.sort_values(columns).reset_index(drop=True)
