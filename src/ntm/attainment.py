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
  answering yes), over the commune's villages: with a village register (`register`, issue
  13) its registered villages valid that year, and a registered village without the value
  makes the aggregate missing (`Assessment.unreported` names it; values of villages not
  registered are not aggregated); without one, the villages that reported anything that year,
  any of which lacking the value makes the aggregate missing.
- A village is assessed on the village-scope indicators only; its criteria are those that have
  at least one; it is "at standard" when all of them are met.

Everything is computed with vectorised numpy/pandas operations on integer codes: a province
of ≈ 800k values is assessed in about 0.2 s on two cores (`python bench/run.py`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ntm.criteria import (
    CriteriaSet,
    Part,
    ThresholdRule,
    choose_set,
    pick_threshold,
    shipped_sets,
)
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
    - `unreported`: for each commune part left missing, the registered villages without a
      value for it (only for communes with a village register).
    `village` is None for the commune as a whole.
    """

    parts: pd.DataFrame
    indicators: pd.DataFrame
    criteria: pd.DataFrame
    units: pd.DataFrame
    blockers: pd.DataFrame
    sets: dict[str, CriteriaSet]
    problems: list[Problem] = field(default_factory=list)
    unreported: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["commune", "period", "code", "village"])
    )

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


def _threshold_rows(
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


# --- assessment ------------------------------------------------------------------------------
#
# How it is computed (issue 7: a province of ≈ 700k values in well under two seconds). The rules
# above are applied to integer codes, never to text: commune, village and indicator code are
# factorised once (sorted, so that the order of the codes is the order of the text), a unit is
# one integer, a (unit, part) one integer, and every join is a look-up on such an integer. The
# text columns of the result are made once, at the end, by taking from small tables of names.
# Joins keep the semantics of a pandas merge on the text columns (the order of the left side;
# a repeated key gives one row per match), so the frames are the ones a merge would give.

# Status codes of parts and indicators, and of criteria; the names are what the frames show.
_STATUS = pd.Index([INFO, NOT_APPLICABLE, MISSING, NO_THRESHOLD, MET, UNMET])
_S_INFO, _S_NA, _S_MISSING, _S_NO_THRESHOLD, _S_MET, _S_UNMET = range(6)
_CRIT_STATUS = pd.Index([MET, UNMET, UNKNOWN])
_C_MET, _C_UNMET, _C_UNKNOWN = range(3)
_CRIT_MET = np.array([True, False, None], dtype=object)
_NO_ROWS = np.zeros(0, dtype=np.int64)


def _objects(values: np.ndarray) -> Any:
    """An object column as it is (a frame would read an array of text as its string dtype)."""
    return pd.Series(values, dtype=object, copy=False)


def _key_for(keys: Mapping[str, PartKeys] | None, commune: str, crit: CriteriaSet) -> str:
    if not keys or commune not in keys:
        return "general"
    entry = keys[commune]
    if isinstance(entry, str):
        return entry
    return entry.get(crit.keyed_by) or "general"


@dataclass
class _Catalog:
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


def _catalog(sets: Mapping[str, CriteriaSet]) -> _Catalog | None:
    tables = [t for t in (_part_table(s) for s in sets.values()) if not t.empty]
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
    return _Catalog(
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


@dataclass
class _Rows:
    """The judged input rows as integer codes, and the names the codes stand for."""

    commune: np.ndarray
    village: np.ndarray
    period: np.ndarray  # index into `periods`
    part: np.ndarray
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    communes: pd.Index  # sorted; the input's dtype
    grouped_communes: pd.Index  # the same, typed as a group-by key is (text → string dtype)
    villages: np.ndarray  # sorted, object; None for the commune as a whole
    whole: int  # the village code of the commune as a whole
    periods: np.ndarray  # sorted years
    set_of_period: np.ndarray
    code_dtype: Any  # the dtype of the code columns of the result (as a merge gives it)
    # With a village register: per commune-period unit the number of registered villages
    # (-1: none, the villages that reported count), and per row whether it is aggregated.
    registered: np.ndarray | None = None
    counted: np.ndarray | None = None

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    @property
    def n_villages(self) -> int:
        return len(self.villages)

    def unit(self) -> np.ndarray:
        """Commune-period unit of each row: commune × periods + period."""
        return self.commune * self.n_periods + self.period


def _encode(
    values: pd.DataFrame,
    period: np.ndarray,
    set_by_period: Mapping[int, CriteriaSet],
    cat: _Catalog,
) -> _Rows:
    """Only rows of a period in force and a code its set knows (unknown codes were reported by
    validation); the commune as a whole is village "" (`COMMUNE`), whatever marks it."""
    periods = np.array(sorted(set_by_period), dtype=np.int64)
    set_of_period = np.array(
        [cat.set_ids.index(set_by_period[int(y)].id) for y in periods], dtype=np.int64
    )
    p_idx = pd.Index(periods).get_indexer(period)
    code_idx, code_names = pd.factorize(values["code"])
    code_index = pd.Index(code_names)
    table_codes = cat.table["code"].to_numpy()
    # Part id of (period, code), -1 when the set does not know the code; the last row and
    # column stand for a period not in force and a missing code.
    lookup = np.full((len(periods) + 1, len(code_index) + 1), -1, dtype=np.int64)
    for p, s in enumerate(set_of_period):
        pids = cat.parts_by_set[s]
        found = code_index.get_indexer(table_codes[pids])
        lookup[p, found[found >= 0]] = pids[found >= 0]
    part = lookup[p_idx, code_idx]
    keep = part >= 0
    all_kept = bool(keep.all())

    def numbers(name: str) -> np.ndarray:
        out = values[name].to_numpy(dtype="float64", na_value=np.nan)
        return out if all_kept else out[keep]

    commune_idx, communes = values["commune"].factorize(sort=True, use_na_sentinel=False)
    village_idx, village_names = values["village"].factorize(sort=True)
    names = np.asarray(village_names, dtype=object)
    blank = np.flatnonzero(names == COMMUNE)
    if len(blank):
        whole = int(blank[0])
    else:  # "" sorts first: the commune as a whole takes code 0
        names = np.concatenate([np.array([COMMUNE], dtype=object), names])
        village_idx = village_idx + 1
        whole = 0
    village_idx = np.where(village_idx < 0, whole, village_idx)
    names[whole] = None
    table_dtype = cat.table["code"].dtype
    return _Rows(
        commune=np.asarray(commune_idx if all_kept else commune_idx[keep], dtype=np.int64),
        village=np.asarray(village_idx if all_kept else village_idx[keep], dtype=np.int64),
        period=np.asarray(p_idx if all_kept else p_idx[keep], dtype=np.int64),
        part=part if all_kept else part[keep],
        value=numbers("value"),
        numerator=numbers("numerator"),
        denominator=numbers("denominator"),
        communes=communes,
        grouped_communes=pd.Index(np.asarray(communes, dtype=object)),
        villages=names,
        whole=whole,
        periods=periods,
        set_of_period=set_of_period,
        code_dtype=table_dtype if values["code"].dtype == table_dtype else np.dtype(object),
    )


def _left_join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A left join on one integer key, as pandas merges: (left rows, right rows or -1)."""
    index = pd.Index(right)
    if index.is_unique:
        return np.arange(len(left)), index.get_indexer(left)
    merged = pd.DataFrame({"k": left, "l": np.arange(len(left))}).merge(
        pd.DataFrame({"k": right, "r": np.arange(len(right))}), on="k", how="left"
    )
    return merged["l"].to_numpy(), merged["r"].fillna(-1).to_numpy(dtype=np.int64)


def _inner_join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An inner join on one integer key, as pandas merges: (left rows, right rows)."""
    merged = pd.DataFrame({"k": left, "l": np.arange(len(left))}).merge(
        pd.DataFrame({"k": right, "r": np.arange(len(right))}), on="k", how="inner"
    )
    return merged["l"].to_numpy(), merged["r"].to_numpy()


def _take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """values[rows], NaN where the row is -1 (no match)."""
    if len(values) == 0:
        return np.full(len(rows), np.nan)
    return np.where(rows >= 0, values[rows], np.nan)


def _expand(unit_sets: np.ndarray, parts_by_set: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every part of each unit's set, units in order: (unit position, part id) per row."""
    sizes = np.array([len(p) for p in parts_by_set], dtype=np.int64)
    counts = sizes[unit_sets]
    unit_pos = np.repeat(np.arange(len(unit_sets)), counts)
    flat = np.concatenate([*parts_by_set, _NO_ROWS])
    offsets = np.cumsum(sizes) - sizes
    ends = np.cumsum(counts)
    within = np.arange(len(unit_pos)) - np.repeat(ends - counts, counts)
    return unit_pos, flat[np.repeat(offsets[unit_sets], counts) + within]


def _first_rows(group: np.ndarray, n_groups: int) -> np.ndarray:
    """The first row of each group (groups numbered in order of first appearance)."""
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else _NO_ROWS
    if len(starts) == n_groups:  # each group is one run of rows (always, in practice)
        return starts
    return np.unique(group, return_index=True)[1]


def _any(group: np.ndarray, flag: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(group[flag], minlength=n_groups) > 0


def assess(
    values: pd.DataFrame,
    *,
    keys: Mapping[str, PartKeys] | None = None,
    criteria: CriteriaSet | None = None,
    extra_sets: Iterable[CriteriaSet] = (),
    register: Mapping[tuple[str, int], Sequence[str]] | None = None,
) -> Assessment:
    """Assess every (commune, village, period) in `values`.

    `keys` maps a commune to its region (Decision 318) or group (Decision 51/2025) id, or to a
    mapping {"region": ..., "group": ...}; a commune without one is judged on the general
    thresholds. `criteria` forces one set for all periods; otherwise each period uses the set in
    force (`set_for_year`), preferring `extra_sets` (user-imported sets) when complete.
    `register`: (commune, year) → the villages registered and valid that year
    (`Store.village_register`); village-level aggregates of those communes count them.
    """
    problems: list[Problem] = []
    period = values["period"].astype("int64").to_numpy()

    # A stored set (imported or edited by a user) replaces the shipped file of the same id.
    by_id = {**shipped_sets(), **{s.id: s for s in extra_sets}}
    set_by_period: dict[int, CriteriaSet] = {}
    for year in sorted(pd.unique(period).tolist()):
        try:
            set_by_period[year] = choose_set(year, known=by_id, forced=criteria)
        except NoCriteriaSetError:
            problems.append(Problem(Code.NO_CRITERIA_SET, params={"year": year}))
    sets = {s.id: s for s in set_by_period.values()}
    for crit in sets.values():
        if not crit.complete:
            problems.append(
                Problem(
                    Code.CRITERIA_SET_INCOMPLETE,
                    # Both languages: the message is written in the reader's (errors.Problem).
                    params={
                        "criteria_set": crit.id,
                        "missing": {lang: crit.missing_text(lang) for lang in ("vi", "en")},
                    },
                )
            )

    cat = _catalog(sets)
    rows = _encode(values, period, set_by_period, cat) if cat is not None else None
    if cat is None or rows is None or len(rows.part) == 0:
        # Nothing to judge (an incomplete set with no indicators, or only codes the set does
        # not know): every criterion of every commune-period is unknown.
        in_force = np.isin(period, list(set_by_period))
        frame = pd.DataFrame(
            {"commune": values["commune"].to_numpy()[in_force], "period": period[in_force]}
        )
        frame["criteria_set"] = frame["period"].map({p: s.id for p, s in set_by_period.items()})
        return _empty_assessment(frame, sets, problems, keys)

    if register:
        _registered(rows, register)
    grid = _grid(rows, cat)
    _judge(grid, rows, cat, sets, keys, problems)
    indicators = _roll_up_indicators(grid, rows, cat)
    crit_frame, crit_rows = _roll_up_criteria(indicators, grid, rows, cat)
    result = Assessment(
        parts=_parts_frame(grid, rows, cat),
        indicators=indicators.frame,
        criteria=crit_frame,
        units=_roll_up_units(crit_rows, rows, cat),
        blockers=_blockers(grid, rows, cat),
        sets=sets,
        problems=problems,
    )
    if register:
        result.unreported = _unreported(result.parts, grid, cat, register)
    return result


def _registered(rows: _Rows, register: Mapping[tuple[str, int], Sequence[str]]) -> None:
    """Mark the rows that aggregate (registered villages; every village without a register)
    and count each commune-period's registered villages (`_Rows.registered`)."""
    n_periods, n_villages = rows.n_periods, rows.n_villages
    count = np.full(len(rows.communes) * n_periods, -1, dtype=np.int64)
    communes = pd.Index(np.asarray(rows.communes, dtype=object))
    villages = pd.Index(rows.villages)
    keys: list[np.ndarray] = []
    for (commune, year), names in register.items():
        c = communes.get_indexer([commune])[0]
        p = int(np.searchsorted(rows.periods, int(year)))
        if c < 0 or p >= n_periods or rows.periods[p] != int(year):
            continue
        unit = c * n_periods + p
        distinct = sorted(set(names))
        count[unit] = len(distinct)
        codes = villages.get_indexer(distinct)
        keys.append(unit * n_villages + codes[codes >= 0])
    unit = rows.unit()
    listed = np.concatenate([*keys, _NO_ROWS]) if keys else _NO_ROWS
    rows.registered = count
    rows.counted = (count[unit] < 0) | np.isin(unit * n_villages + rows.village, listed)


def _unreported(
    parts: pd.DataFrame,
    grid: _Grid,
    cat: _Catalog,
    register: Mapping[tuple[str, int], Sequence[str]],
) -> pd.DataFrame:
    """For each village-scope commune part left missing, the registered villages without a
    value for it: (commune, period, code, village), by commune, period, code, village."""
    columns = ["commune", "period", "code", "village"]
    missing = grid.whole & (grid.status == _S_MISSING) & cat.village_scope[grid.part]
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


def _commune_values(rows: _Rows, cat: _Catalog) -> pd.DataFrame:
    """The commune's value of every part: its own figure, else its villages' aggregate.

    Keyed by `k` = commune-period unit × parts + part id.
    """
    n_parts = len(cat.table)
    unit = rows.unit()
    is_whole = rows.village == rows.whole
    own = pd.DataFrame(
        {
            "k": unit[is_whole] * n_parts + rows.part[is_whole],
            "value": rows.value[is_whole],
            "numerator": rows.numerator[is_whole],
            "denominator": rows.denominator[is_whole],
        }
    )
    aggregated = _aggregate(rows, cat, unit, is_whole)
    combined = aggregated.merge(own, on="k", how="outer", suffixes=("_agg", ""))
    has_own = combined["value"].notna()
    for col in ("value", "numerator", "denominator"):
        combined[col] = combined[col].where(has_own, combined[f"{col}_agg"])
    return combined[["k", "value", "numerator", "denominator"]]


def _aggregate(rows: _Rows, cat: _Catalog, unit: np.ndarray, is_whole: np.ndarray) -> pd.DataFrame:
    """Aggregate village values to the commune, one rule per indicator (DESIGN §3)."""
    n_parts = len(cat.table)
    counted = rows.counted if rows.counted is not None else True
    in_village = ~is_whole & cat.village_scope[rows.part] & counted
    empty = pd.Series(dtype="float64")
    if not in_village.any():
        return pd.DataFrame(
            {
                "k": pd.Series(dtype="int64"),
                "value": empty,
                "numerator": empty,
                "denominator": empty,
            }
        )
    # Villages of a commune-period: its registered villages, else every village that reported
    # anything in it.
    n_villages = rows.n_villages
    pairs = pd.unique(unit[~is_whole] * n_villages + rows.village[~is_whole])
    village_count = np.bincount(pairs // n_villages, minlength=len(rows.communes) * rows.n_periods)
    if rows.registered is not None:
        village_count = np.where(rows.registered >= 0, rows.registered, village_count)
    value = rows.value[in_village]
    numerator, denominator = rows.numerator[in_village], rows.denominator[in_village]
    agg = (
        pd.DataFrame(
            {
                "k": unit[in_village] * n_parts + rows.part[in_village],
                "value": value,
                "has_ratio": ~np.isnan(numerator) & ~np.isnan(denominator),
                "numerator": numerator,
                "denominator": denominator,
                "yes": (value == 1.0).astype(float),
            }
        )
        .groupby("k", sort=False)
        .agg(
            n_value=("value", "count"),
            n_ratio=("has_ratio", "sum"),
            num=("numerator", "sum"),
            den=("denominator", "sum"),
            v_sum=("value", "sum"),
            v_min=("value", "min"),
            v_max=("value", "max"),
            v_mean=("value", "mean"),
            yes=("yes", "sum"),
        )
    )
    k = agg.index.to_numpy()
    part = k % n_parts
    villages = village_count[k // n_parts]
    rule, required = cat.aggregation[part], cat.required[part]
    num, den = agg["num"].to_numpy(), agg["den"].to_numpy()
    v_mean, v_min, v_max = (agg[c].to_numpy() for c in ("v_mean", "v_min", "v_max"))
    complete = agg["n_value"].to_numpy() >= villages
    ratio_ok = (agg["n_ratio"].to_numpy() >= villages) & (den > 0)
    is_ratio, is_all = rule == "ratio", rule == "all"
    value = np.select(
        [
            is_ratio & ratio_ok,
            is_ratio,  # shares without numerator/denominator: unweighted mean
            rule == "sum",
            is_all & (required == 1.0),
            is_all,
            rule == "min",
            rule == "max",
            rule == "mean",
            rule == "share",
        ],
        [
            100.0 * num / np.where(den > 0, den, np.nan),
            v_mean,
            agg["v_sum"].to_numpy(),
            v_min,
            v_max,
            v_min,
            v_max,
            v_mean,
            100.0 * agg["yes"].to_numpy() / villages,
        ],
        default=np.nan,
    )
    as_ratio = is_ratio & ratio_ok & complete
    return pd.DataFrame(
        {
            "k": k,
            "value": np.where(complete, value, np.nan),
            "numerator": np.where(as_ratio, num, np.nan),
            "denominator": np.where(as_ratio, den, np.nan),
        }
    )


@dataclass
class _Grid:
    """One row per judged (unit, part): every commune unit on every part of its set, then
    every village unit on its set's village-scope parts, each with its value (or NaN)."""

    commune: np.ndarray
    village: np.ndarray
    period: np.ndarray
    part: np.ndarray
    whole: np.ndarray  # the row is the commune as a whole
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    commune_units: np.ndarray  # every commune-period unit with values, in order of appearance
    # Set by `_judge`:
    key: np.ndarray = field(default_factory=lambda: _NO_ROWS)
    key_names: pd.Index = field(default_factory=lambda: pd.Index([]))
    threshold: np.ndarray = field(default_factory=lambda: _NO_ROWS)
    verified: np.ndarray = field(default_factory=lambda: _NO_ROWS)
    direction: np.ndarray = field(default_factory=lambda: _NO_ROWS)
    status: np.ndarray = field(default_factory=lambda: _NO_ROWS)
    gap: np.ndarray = field(default_factory=lambda: _NO_ROWS)

    def unit(self, n_periods: int, n_villages: int) -> np.ndarray:
        """(commune, period, village) of each row as one integer."""
        return (self.commune * n_periods + self.period) * n_villages + self.village


def _grid(rows: _Rows, cat: _Catalog) -> _Grid:
    n_parts, n_periods, n_villages = len(cat.table), rows.n_periods, rows.n_villages
    unit = rows.unit()
    commune_units = pd.unique(unit)
    in_village = (rows.village != rows.whole) & cat.village_scope[rows.part]
    village_key = unit[in_village] * n_villages + rows.village[in_village]
    village_units = pd.unique(village_key)

    communes = _commune_values(rows, cat)
    c_pos, c_part = _expand(rows.set_of_period[commune_units % n_periods], cat.parts_by_set)
    c_unit = commune_units[c_pos]
    c_left, c_right = _left_join(c_unit * n_parts + c_part, communes["k"].to_numpy())
    c_unit, c_part = c_unit[c_left], c_part[c_left]

    v_cp = village_units // n_villages
    v_pos, v_part = _expand(rows.set_of_period[v_cp % n_periods], cat.village_parts_by_set)
    v_unit = village_units[v_pos]
    v_left, v_right = _left_join(
        v_unit * n_parts + v_part, village_key * n_parts + rows.part[in_village]
    )
    v_unit, v_part = v_unit[v_left], v_part[v_left]
    v_cp = v_unit // n_villages

    def stack(commune_side: np.ndarray, village_side: np.ndarray) -> np.ndarray:
        return np.concatenate([commune_side, village_side])

    def numbers(column: str, village_values: np.ndarray) -> np.ndarray:
        return stack(_take(communes[column].to_numpy(), c_right), _take(village_values, v_right))

    return _Grid(
        commune=stack(c_unit // n_periods, v_cp // n_periods),
        village=stack(np.full(len(c_unit), rows.whole, dtype=np.int64), v_unit % n_villages),
        period=stack(c_unit % n_periods, v_cp % n_periods),
        part=stack(c_part, v_part),
        whole=stack(np.ones(len(c_unit), dtype=bool), np.zeros(len(v_unit), dtype=bool)),
        value=numbers("value", rows.value[in_village]),
        numerator=numbers("numerator", rows.numerator[in_village]),
        denominator=numbers("denominator", rows.denominator[in_village]),
        commune_units=commune_units,
    )


def _judge(
    grid: _Grid,
    rows: _Rows,
    cat: _Catalog,
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
        key = _key_for(keys, rows.communes[u // n_periods], sets[set_id])
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
        table = _threshold_rows(crit, names[k], int(rows.periods[p]), measured[s])
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
        [_S_INFO, _S_NA, _S_MISSING, _S_NO_THRESHOLD, _S_MET],
        default=_S_UNMET,
    )
    # Gap: how far from the threshold, in the indicator's own unit (0 when met).
    is_number = direction != cat.direction_code("==")
    raw_gap = np.where(is_le, value - threshold, threshold - value)
    raw_gap = np.where(np.isnan(raw_gap), 0.0, raw_gap)
    judged = (status == _S_MET) | (status == _S_UNMET)
    grid.gap = np.where(is_number & judged, np.maximum(raw_gap, 0.0), np.nan)
    grid.key, grid.key_names = key, pd.Index(names)
    grid.threshold, grid.direction, grid.status = threshold, direction, status


def _parts_frame(grid: _Grid, rows: _Rows, cat: _Catalog) -> pd.DataFrame:
    part = grid.part
    return pd.DataFrame(
        {
            "commune": rows.communes.take(grid.commune),
            "village": _objects(rows.villages[grid.village]),
            "period": rows.periods[grid.period],
            "criteria_set": pd.Index(cat.set_ids).take(cat.set_of[part]),
            "key": grid.key_names.take(grid.key),
            "criterion": cat.text("criterion", part),
            "indicator": cat.text("indicator", part),
            "code": _codes(cat, part, rows),
            "kind": cat.text("kind", part),
            "direction": cat.directions.take(grid.direction),
            "informational": cat.informational[part],
            "order": cat.order[part],
            "value": grid.value,
            "numerator": grid.numerator,
            "denominator": grid.denominator,
            "threshold": grid.threshold,
            "verified": grid.verified,
            "status": _STATUS.take(grid.status),
            "gap": grid.gap,
        }
    )


def _codes(cat: _Catalog, part: np.ndarray, rows: _Rows) -> Any:
    """The part codes; text as the input's code column is (a merge on it gives its dtype)."""
    codes = cat.text("code", part)
    return codes if codes.dtype == rows.code_dtype else _objects(np.asarray(codes, dtype=object))


@dataclass
class _Indicators:
    frame: pd.DataFrame
    unit: np.ndarray  # (commune, period, village) of each row as one integer
    criterion: np.ndarray  # criterion id
    status: np.ndarray  # status code


def _roll_up_indicators(grid: _Grid, rows: _Rows, cat: _Catalog) -> _Indicators:
    unit = grid.unit(rows.n_periods, rows.n_villages)
    n_ind = int(cat.indicator.max()) + 1
    group, uniques = pd.factorize(unit * n_ind + cat.indicator[grid.part])
    n = len(uniques)
    first = _first_rows(group, n)
    status = grid.status
    judged = status >= _S_MISSING  # missing, no threshold, met, unmet
    any_unmet = _any(group, status == _S_UNMET, n)
    any_missing = _any(group, status == _S_MISSING, n)
    any_unknown = _any(group, (status == _S_MISSING) | (status == _S_NO_THRESHOLD), n)
    any_judged = _any(group, judged, n)
    # Only judged parts speak for the indicator's verification (not "info" counts).
    verified = ~_any(group, ~(grid.verified.astype(bool) | ~judged), n)
    n_parts = np.bincount(group, minlength=n)
    ind_status = np.select(
        [any_unmet, any_missing, any_unknown, ~any_judged],
        [_S_UNMET, _S_MISSING, _S_NO_THRESHOLD, _S_NA],
        default=_S_MET,
    )
    # Multi-part indicators have no single value: their parts carry them.
    multi = n_parts > 1
    part = grid.part[first]

    def single(values: np.ndarray) -> np.ndarray:
        return np.where(multi, np.nan, values[first])

    frame = pd.DataFrame(
        {
            "commune": rows.grouped_communes.take(grid.commune[first]),
            "village": _objects(rows.villages[grid.village[first]]),
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
            "status": _STATUS.take(ind_status),
        }
    )
    return _Indicators(frame, unit[first], cat.criterion[part], ind_status)


@dataclass
class _CriteriaRows:
    unit: np.ndarray  # (commune, period, village) as one integer, rows sorted
    status: np.ndarray  # criterion status code
    criterion: np.ndarray  # criterion id


def _roll_up_criteria(
    ind: _Indicators, grid: _Grid, rows: _Rows, cat: _Catalog
) -> tuple[pd.DataFrame, _CriteriaRows]:
    n_crit = len(cat.criteria)
    group, uniques = pd.factorize(ind.unit * n_crit + ind.criterion)
    n = len(uniques)
    first = _first_rows(group, n)
    any_unmet = _any(group, ind.status == _S_UNMET, n)
    any_unknown = _any(group, (ind.status == _S_MISSING) | (ind.status == _S_NO_THRESHOLD), n)
    status = np.where(any_unmet, _C_UNMET, np.where(any_unknown, _C_UNKNOWN, _C_MET))
    unit, criterion = ind.unit[first], ind.criterion[first]
    # Criteria without indicators (an incomplete set) are unknown for the commune.
    units = grid.commune_units
    empty_pos, empty_crit = _expand(rows.set_of_period[units % rows.n_periods], cat.empty_criteria)
    if len(empty_crit):
        unit = np.concatenate([unit, units[empty_pos] * rows.n_villages + rows.whole])
        criterion = np.concatenate([criterion, empty_crit])
        status = np.concatenate([status, np.full(len(empty_crit), _C_UNKNOWN)])
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
            "village": _objects(rows.villages[village]),
            "period": rows.periods[period],
            "criteria_set": pd.Index(cat.set_ids).take(cat.criterion_set[criterion]),
            "criterion": cat.criterion_numbers.take(criterion),
            "status": _CRIT_STATUS.take(status),
            "order": cat.criterion_order[criterion],
            "met": _objects(_CRIT_MET[status]),
        }
    )
    return frame, _CriteriaRows(unit, status, criterion)


def _roll_up_units(crit: _CriteriaRows, rows: _Rows, cat: _Catalog) -> pd.DataFrame:
    group, uniques = pd.factorize(crit.unit)
    n = len(uniques)
    first = _first_rows(group, n)
    met = np.bincount(group[crit.status == _C_MET], minlength=n)
    unmet = np.bincount(group[crit.status == _C_UNMET], minlength=n)
    unknown = np.bincount(group[crit.status == _C_UNKNOWN], minlength=n)
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
            "village": _objects(rows.villages[village[sort]]),
            "period": rows.periods[period[sort]],
            "criteria_set": pd.Index(cat.set_ids).take(set_of),
            "criteria_met": met[sort].astype(np.int64),
            "criteria_unmet": unmet[sort].astype(np.int64),
            "criteria_unknown": unknown[sort].astype(np.int64),
            "criteria_total": total[sort].astype(np.int64),
            "at_standard": (met == total)[sort],
        }
    )


def _blockers(grid: _Grid, rows: _Rows, cat: _Catalog) -> pd.DataFrame:
    """For every unmet commune part, the villages whose own value is unmet or missing."""
    status = grid.status
    commune_unmet = np.flatnonzero(grid.whole & (status == _S_UNMET))
    village_bad = np.flatnonzero(~grid.whole & ((status == _S_UNMET) | (status == _S_MISSING)))
    key = (grid.commune * rows.n_periods + grid.period) * len(cat.table) + grid.part
    left, right = _inner_join(key[commune_unmet], key[village_bad])
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
            "code": _codes(cat, part, rows),
            "village": _objects(rows.villages[grid.village[right]]),
            "value": grid.value[right],
            "threshold": grid.threshold[right],
            "gap": grid.gap[right],
            "status": _STATUS.take(status[right]),
        }
    )
    frame.index = pd.RangeIndex(len(sort)).take(sort)  # the labels of the rows before sorting
    return frame


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
