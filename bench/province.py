"""A synthetic province for benchmarks: seeded, deterministic, shaped like real returns.

100 communes × 25 villages × 5 years × every measured value of the 2021-2025 set
(≈ 700k values by default). Village-scope indicators get one row per village with numerator and
denominator; commune-scope ones one row per commune.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ntm.criteria import CriteriaSet, get_set

REGIONS = ["tdmnpb", "dbsh", "btb", "dhntb", "tn", "dnb", "dbscl"]


def province_values(
    communes: int = 100,
    villages: int = 25,
    years: range = range(2021, 2026),
    crit: CriteriaSet | None = None,
    seed: int = 7,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The tidy values frame of a whole province, and each commune's region."""
    crit = crit or get_set("vn-ntm-xa-2021-2025")
    rng = np.random.default_rng(seed)
    village_parts, commune_parts = [], []
    for _, ind in crit.indicators():
        for part in ind.measured:
            spec = (part.code, part.kind, ind.aggregation == "share")
            (village_parts if ind.scope == "village" else commune_parts).append(spec)

    commune_names = [f"Xã {i:03d}" for i in range(communes)]
    village_names = [f"Thôn {j:02d}" for j in range(villages)]
    frames = []
    for year in years:
        # Village rows: communes × villages × village parts.
        n_v = communes * villages * len(village_parts)
        commune_col = np.repeat(commune_names, villages * len(village_parts))
        village_col = np.tile(np.repeat(village_names, len(village_parts)), communes)
        codes = np.tile([c for c, _, _ in village_parts], communes * villages)
        kinds = np.tile([k for _, k, _ in village_parts], communes * villages)
        share = np.tile([s for _, _, s in village_parts], communes * villages)
        denominator = rng.integers(40, 160, n_v).astype(float)
        progress = (year - years.start) / max(1, len(years) - 1)
        rate = np.clip(rng.normal(0.72 + 0.2 * progress, 0.12, n_v), 0, 1)
        numerator = np.round(denominator * rate)
        boolean = (kinds == "boolean") | share
        value = np.where(boolean, (rng.random(n_v) < 0.6 + 0.35 * progress).astype(float),
                         np.round(100 * numerator / denominator, 1))
        frames.append(
            pd.DataFrame(
                {
                    "commune": commune_col,
                    "village": village_col,
                    "period": year,
                    "code": codes,
                    "value": value,
                    "numerator": np.where(boolean, np.nan, numerator),
                    "denominator": np.where(boolean, np.nan, denominator),
                }
            )
        )
        # Commune rows.
        n_c = communes * len(commune_parts)
        c_kinds = np.tile([k for _, k, _ in commune_parts], communes)
        c_value = np.where(
            c_kinds == "boolean",
            (rng.random(n_c) < 0.7 + 0.3 * progress).astype(float),
            np.where(c_kinds == "percent", np.clip(rng.normal(80 + 12 * progress, 10, n_c), 0, 100),
                     rng.uniform(1, 60, n_c)),
        )
        frames.append(
            pd.DataFrame(
                {
                    "commune": np.repeat(commune_names, len(commune_parts)),
                    "village": None,
                    "period": year,
                    "code": np.tile([c for c, _, _ in commune_parts], communes),
                    "value": np.round(c_value, 1),
                    "numerator": np.nan,
                    "denominator": np.nan,
                }
            )
        )
    values = pd.concat(frames, ignore_index=True)
    values["village"] = values["village"].astype("object")
    for col in ("note", "file", "sheet", "cell"):
        values[col] = None
    keys = {name: REGIONS[i % len(REGIONS)] for i, name in enumerate(commune_names)}
    return values, keys
