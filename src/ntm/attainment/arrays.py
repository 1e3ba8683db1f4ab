"""Joins and group operations on integer keys, with the semantics of a pandas merge on the
text columns they stand for (the order of the left side; a repeated key gives one row per
match), so the engine's frames are the ones a merge would give."""

from __future__ import annotations

import numpy as np
import pandas as pd

NO_ROWS = np.zeros(0, dtype=np.int64)


def left_join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A left join on one integer key, as pandas merges: (left rows, right rows or -1)."""
    index = pd.Index(right)
    if index.is_unique:
        return np.arange(len(left)), index.get_indexer(left)
    merged = pd.DataFrame({"k": left, "l": np.arange(len(left))}).merge(
        pd.DataFrame({"k": right, "r": np.arange(len(right))}), on="k", how="left"
    )
    return merged["l"].to_numpy(), merged["r"].fillna(-1).to_numpy(dtype=np.int64)


def inner_join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An inner join on one integer key, as pandas merges: (left rows, right rows)."""
    merged = pd.DataFrame({"k": left, "l": np.arange(len(left))}).merge(
        pd.DataFrame({"k": right, "r": np.arange(len(right))}), on="k", how="inner"
    )
    return merged["l"].to_numpy(), merged["r"].to_numpy()


def take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """values[rows], NaN where the row is -1 (no match)."""
    if len(values) == 0:
        return np.full(len(rows), np.nan)
    return np.where(rows >= 0, values[rows], np.nan)


def expand(unit_sets: np.ndarray, parts_by_set: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every part of each unit's set, units in order: (unit position, part id) per row."""
    sizes = np.array([len(p) for p in parts_by_set], dtype=np.int64)
    counts = sizes[unit_sets]
    unit_pos = np.repeat(np.arange(len(unit_sets)), counts)
    flat = np.concatenate([*parts_by_set, NO_ROWS])
    offsets = np.cumsum(sizes) - sizes
    ends = np.cumsum(counts)
    within = np.arange(len(unit_pos)) - np.repeat(ends - counts, counts)
    return unit_pos, flat[np.repeat(offsets[unit_sets], counts) + within]


def first_rows(group: np.ndarray, n_groups: int) -> np.ndarray:
    """The first row of each group (groups numbered in order of first appearance)."""
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else NO_ROWS
    if len(starts) == n_groups:  # each group is one run of rows (always, in practice)
        return starts
    return np.unique(group, return_index=True)[1]


def group_any(group: np.ndarray, flag: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(group[flag], minlength=n_groups) > 0
