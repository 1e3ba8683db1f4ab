"""A synthetic province for benchmarks: seeded, deterministic, shaped like real returns.

Two shapes (`province_values(shape=...)`), both 100 communes × 25 villages × 5 years of the
2021-2025 set by default:

- `"returns"` (≈ 175k values): what the returns made by `ntm.template` carry. Each village
  reports the 12 measured values of the village-scope indicators (with numerator and
  denominator; yes/no for the "share of villages" ones); the commune reports the 49 values of
  the commune-scope indicators, and its village-scope values come from aggregating villages.
- `"dense"` (≈ 793k values): every measured value (61) for every unit (25 villages and the
  commune as a whole): the "≈ 700k values" of issue 7. Village rows of commune-scope
  indicators are carried but never judged (the engine drops them), and the commune's own
  figure for a village-scope indicator replaces its villages' aggregate, so this shape
  stresses the volume rather than the rules.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ntm.criteria import CriteriaSet, get_set

REGIONS = ["tdmnpb", "dbsh", "btb", "dhntb", "tn", "dnb", "dbscl"]
# Commune names as a return gives them once read ("Xã" is a title the reader drops).
_FIRST = ["An", "Bình", "Đông", "Hòa", "Hưng", "Long", "Phú", "Tân", "Thạnh", "Vĩnh"]
_SECOND = ["Hải", "Hiệp", "Lập", "Lộc", "Lợi", "Mỹ", "Phước", "Thành", "Thuận", "Trung"]
SET_ID = "vn-ntm-xa-2021-2025"
Shape = Literal["returns", "dense"]


def _village_rows(
    rng: np.random.Generator,
    communes: list[str],
    villages: list[str],
    parts: list[tuple[str, str, bool]],
    year: int,
    progress: float,
) -> pd.DataFrame:
    """communes × villages × parts, with numerator/denominator for the shares."""
    n = len(communes) * len(villages) * len(parts)
    reps = len(communes) * len(villages)
    denominator = rng.integers(40, 160, n).astype(float)
    rate = np.clip(rng.normal(0.72 + 0.2 * progress, 0.12, n), 0, 1)
    numerator = np.round(denominator * rate)
    kinds = np.tile([k for _, k, _ in parts], reps)
    share = np.tile([s for _, _, s in parts], reps)
    boolean = (kinds == "boolean") | share
    ratio = (kinds == "percent") & ~share
    other = ~boolean & ~ratio  # counts, money, numbers: a plain figure
    value = np.where(
        boolean,
        (rng.random(n) < 0.6 + 0.35 * progress).astype(float),
        np.where(ratio, np.round(100 * numerator / denominator, 1), np.round(rate * 60, 1)),
    )
    no_ratio = boolean | other
    return pd.DataFrame(
        {
            "commune": np.repeat(communes, len(villages) * len(parts)),
            "village": np.tile(np.repeat(villages, len(parts)), len(communes)),
            "period": year,
            "code": np.tile([c for c, _, _ in parts], reps),
            "value": value,
            "numerator": np.where(no_ratio, np.nan, numerator),
            "denominator": np.where(no_ratio, np.nan, denominator),
        }
    )


def _commune_rows(
    rng: np.random.Generator,
    communes: list[str],
    parts: list[tuple[str, str, bool]],
    year: int,
    progress: float,
) -> pd.DataFrame:
    n = len(communes) * len(parts)
    kinds = np.tile([k for _, k, _ in parts], len(communes))
    value = np.where(
        kinds == "boolean",
        (rng.random(n) < 0.7 + 0.3 * progress).astype(float),
        np.where(
            kinds == "percent",
            np.clip(rng.normal(80 + 12 * progress, 10, n), 0, 100),
            rng.uniform(1, 60, n),
        ),
    )
    return pd.DataFrame(
        {
            "commune": np.repeat(communes, len(parts)),
            "village": None,
            "period": year,
            "code": np.tile([c for c, _, _ in parts], len(communes)),
            "value": np.round(value, 1),
            "numerator": np.nan,
            "denominator": np.nan,
        }
    )


def commune_names_for(n: int) -> list[str]:
    """n distinct Vietnamese-looking commune names ("An Hải", …, "Vĩnh Trung", "An Hải 2", …)."""
    base = [f"{a} {b}" for a in _FIRST for b in _SECOND]
    return [
        base[i % len(base)] + (f" {i // len(base) + 1}" if i >= len(base) else "") for i in range(n)
    ]


def province_values(
    communes: int = 100,
    villages: int = 25,
    years: range = range(2021, 2026),
    crit: CriteriaSet | None = None,
    seed: int = 7,
    shape: Shape = "returns",
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The tidy values frame of a whole province, and each commune's region.

    The same arguments always give the same frame (one seeded generator, drawn in order).
    """
    if shape not in ("returns", "dense"):
        raise ValueError(f"unknown shape {shape!r}")
    crit = crit or get_set(SET_ID)
    rng = np.random.default_rng(seed)
    village_parts: list[tuple[str, str, bool]] = []
    commune_parts: list[tuple[str, str, bool]] = []
    for _, ind in crit.indicators():
        for part in ind.measured:
            spec = (part.code, part.kind, ind.aggregation == "share")
            if ind.scope == "village" or shape == "dense":
                village_parts.append(spec)
            if ind.scope != "village" or shape == "dense":
                commune_parts.append(spec)

    commune_names = commune_names_for(communes)
    village_names = [f"Thôn {j:02d}" for j in range(villages)]
    frames = []
    for year in years:
        progress = (year - years.start) / max(1, len(years) - 1)
        frames.append(
            _village_rows(rng, commune_names, village_names, village_parts, year, progress)
        )
        frames.append(_commune_rows(rng, commune_names, commune_parts, year, progress))
    values = pd.concat(frames, ignore_index=True)
    values["village"] = values["village"].astype("object").where(values["village"].notna(), None)
    for col in ("note", "file", "sheet", "cell"):
        values[col] = None
    values["self_assessed"] = np.nan
    keys = {name: REGIONS[i % len(REGIONS)] for i, name in enumerate(commune_names)}
    return values, keys
