"""The judged input rows as integer codes: commune, village and indicator code factorised
once (sorted, so that the order of the codes is the order of the text); a unit is one integer,
a (unit, part) one integer. With a village register, which rows aggregate and how many
villages each commune-year has."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ntm.attainment.arrays import NO_ROWS
from ntm.attainment.catalogue import Catalog
from ntm.attainment.core import COMMUNE
from ntm.criteria import CriteriaSet


@dataclass
class Rows:
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


def encode(
    values: pd.DataFrame,
    period: np.ndarray,
    set_by_period: Mapping[int, CriteriaSet],
    cat: Catalog,
) -> Rows:
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
    return Rows(
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


def mark_registered(rows: Rows, register: Mapping[tuple[str, int], Sequence[str]]) -> None:
    """Mark the rows that aggregate (registered villages; every village without a register)
    and count each commune-period's registered villages (`Rows.registered`)."""
    n_periods, n_villages = rows.n_periods, rows.n_villages
    count = np.full(len(rows.communes) * n_periods, -1, dtype=np.int64)
    # Names to codes by dictionary: the register holds every commune of the database, and a
    # pandas lookup per (commune, year) took half a second for a province (issue 17).
    commune_code = {name: i for i, name in enumerate(rows.communes) if isinstance(name, str)}
    village_code = {name: i for i, name in enumerate(rows.villages) if name is not None}
    period_code = {int(year): i for i, year in enumerate(rows.periods)}
    keys: list[np.ndarray] = []
    for (commune, year), names in register.items():
        c = commune_code.get(commune, -1)
        p = period_code.get(int(year), -1)
        if c < 0 or p < 0:
            continue
        at = c * n_periods + p
        distinct = sorted(set(names))
        count[at] = len(distinct)
        codes = np.array([village_code.get(n, -1) for n in distinct], dtype=np.int64)
        keys.append(at * n_villages + codes[codes >= 0])
    unit = rows.unit()
    listed = np.concatenate([*keys, NO_ROWS]) if keys else NO_ROWS
    rows.registered = count
    rows.counted = (count[unit] < 0) | np.isin(unit * n_villages + rows.village, listed)
