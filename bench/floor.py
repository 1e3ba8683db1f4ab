"""Baselines ("floors") the benchmark compares our code with, measured in the same run.

`assess_floor` is the least work that computes the same thresholds: one merge of every value
with its threshold, one vectorised comparison, one group-by per level. It skips everything our
engine adds on top (village → commune aggregation, parts, missing/unknown states, gaps,
conditional rules, provenance), so our time over its time is the price of those rules.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ntm.criteria import CriteriaSet, pick_threshold


def threshold_table(crit: CriteriaSet, keys: list[str], year: int) -> pd.DataFrame:
    rows = []
    for criterion, ind in crit.indicators():
        for part in ind.measured:
            for key in keys:
                rule = pick_threshold(part.thresholds, key, year)
                value = rule.value if rule is not None else None
                rows.append(
                    {
                        "code": part.code,
                        "key": key,
                        "criterion": criterion.number,
                        "direction": part.direction,
                        "threshold": float(value) if value is not None else np.nan,
                    }
                )
    return pd.DataFrame(rows)


def assess_floor(
    values: pd.DataFrame, crit: CriteriaSet, keys: Mapping[str, str]
) -> pd.DataFrame:
    """Criteria met per (commune, village, period): value vs threshold, all-of per criterion."""
    table = threshold_table(crit, sorted(set(keys.values())), int(values["period"].iloc[0]))
    frame = values[["commune", "village", "period", "code", "value"]].copy()
    frame["key"] = frame["commune"].map(keys)
    frame = frame.merge(table, on=["code", "key"], how="inner")
    ge = frame["value"].to_numpy() >= frame["threshold"].to_numpy()
    le = frame["value"].to_numpy() <= frame["threshold"].to_numpy()
    eq = frame["value"].to_numpy() == frame["threshold"].to_numpy()
    direction = frame["direction"].to_numpy()
    frame["met"] = np.where(direction == ">=", ge, np.where(direction == "<=", le, eq))
    frame["village"] = frame["village"].fillna("")
    per_criterion = frame.groupby(["commune", "village", "period", "criterion"], sort=False)[
        "met"
    ].all()
    return per_criterion.groupby(level=[0, 1, 2], sort=False).sum().reset_index()
