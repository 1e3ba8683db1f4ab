"""Criterion statuses as people read them: "Chưa có ngưỡng" apart from "Thiếu dữ liệu".

The engine (ntm.attainment) reports a criterion as `unknown` whenever it cannot be judged. For a
leader the two causes call for different action: a missing value is the staff's to supply, a
missing threshold (318 criteria 10 and 11, or 2026-2030 before its indicators are imported) is
the criteria set's. Screens and exports share this one labelling.
"""

from __future__ import annotations

import pandas as pd

from ntm.attainment import NO_THRESHOLD, Assessment


def criterion_statuses(a: Assessment) -> pd.Series:
    """The status of each row of `a.criteria` as the screens name it (same index).

    The engine's status, except "no_threshold" (Chưa có ngưỡng, not Thiếu dữ liệu) for a
    criterion that is unknown only because its set gives no threshold: none of its values is
    missing, or the set has no indicator for it yet (2026-2030 before its 47 indicators are
    imported). Read from the engine's indicator statuses (`missing` vs `no_threshold`).
    """
    crit = a.criteria
    status = crit["status"].astype(str)
    unknown = status == "unknown"
    if not unknown.any():
        return status

    def unit_keys(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "commune": [str(c) for c in frame["commune"]],
                "village": ["" if v is None or pd.isna(v) else str(v) for v in frame["village"]],
                "period": [int(p) for p in frame["period"]],
                "criterion": [str(c) for c in frame["criterion"]],
            }
        )

    keys = ["commune", "village", "period", "criterion"]
    parts = unit_keys(a.parts).assign(
        missing=(a.parts["status"].astype(str) == "missing").to_numpy(dtype=bool), judged=True
    )
    flags = parts.groupby(keys, sort=False)[["missing", "judged"]].any().reset_index()
    merged = unit_keys(crit).merge(flags, how="left", on=keys)
    missing = merged["missing"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    judged = merged["judged"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    with_indicators = {
        (set_id, c.number)
        for set_id, s in a.sets.items()
        for c in s.criteria
        if any(not p.informational for i in c.indicators for p in i.measured)
    }
    defined = [
        (str(s), str(n)) in with_indicators
        for s, n in zip(crit["criteria_set"], crit["criterion"], strict=True)
    ]
    only_threshold = unknown.to_numpy() & ~missing & (judged | ~pd.Series(defined).to_numpy())
    return status.where(~only_threshold, NO_THRESHOLD)
