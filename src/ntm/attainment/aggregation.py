"""The commune's value of each part (its own figure, else its villages' aggregate by the
indicator's rule, DESIGN §3), and the grid of every judged (unit, part) with its value."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ntm.attainment.arrays import NO_ROWS, expand, left_join, take
from ntm.attainment.catalogue import Catalog
from ntm.attainment.encoding import Rows


def commune_values(rows: Rows, cat: Catalog) -> pd.DataFrame:
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
    aggregated = aggregate(rows, cat, unit, is_whole)
    combined = aggregated.merge(own, on="k", how="outer", suffixes=("_agg", ""))
    has_own = combined["value"].notna()
    for col in ("value", "numerator", "denominator"):
        combined[col] = combined[col].where(has_own, combined[f"{col}_agg"])
    return combined[["k", "value", "numerator", "denominator"]]


def aggregate(rows: Rows, cat: Catalog, unit: np.ndarray, is_whole: np.ndarray) -> pd.DataFrame:
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
class Grid:
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
    # Set by `judge`:
    key: np.ndarray = field(default_factory=lambda: NO_ROWS)
    key_names: pd.Index = field(default_factory=lambda: pd.Index([]))
    threshold: np.ndarray = field(default_factory=lambda: NO_ROWS)
    verified: np.ndarray = field(default_factory=lambda: NO_ROWS)
    direction: np.ndarray = field(default_factory=lambda: NO_ROWS)
    status: np.ndarray = field(default_factory=lambda: NO_ROWS)
    gap: np.ndarray = field(default_factory=lambda: NO_ROWS)

    def unit(self, n_periods: int, n_villages: int) -> np.ndarray:
        """(commune, period, village) of each row as one integer."""
        return (self.commune * n_periods + self.period) * n_villages + self.village


def build_grid(rows: Rows, cat: Catalog) -> Grid:
    n_parts, n_periods, n_villages = len(cat.table), rows.n_periods, rows.n_villages
    unit = rows.unit()
    commune_units = pd.unique(unit)
    in_village = (rows.village != rows.whole) & cat.village_scope[rows.part]
    village_key = unit[in_village] * n_villages + rows.village[in_village]
    village_units = pd.unique(village_key)

    communes = commune_values(rows, cat)
    c_pos, c_part = expand(rows.set_of_period[commune_units % n_periods], cat.parts_by_set)
    c_unit = commune_units[c_pos]
    c_left, c_right = left_join(c_unit * n_parts + c_part, communes["k"].to_numpy())
    c_unit, c_part = c_unit[c_left], c_part[c_left]

    v_cp = village_units // n_villages
    v_pos, v_part = expand(rows.set_of_period[v_cp % n_periods], cat.village_parts_by_set)
    v_unit = village_units[v_pos]
    v_left, v_right = left_join(
        v_unit * n_parts + v_part, village_key * n_parts + rows.part[in_village]
    )
    v_unit, v_part = v_unit[v_left], v_part[v_left]
    v_cp = v_unit // n_villages

    def stack(commune_side: np.ndarray, village_side: np.ndarray) -> np.ndarray:
        return np.concatenate([commune_side, village_side])

    def numbers(column: str, village_values: np.ndarray) -> np.ndarray:
        return stack(take(communes[column].to_numpy(), c_right), take(village_values, v_right))

    return Grid(
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
