"""Values read on another set than the one that judges their year (issue 16).

While the set in force for a year has no indicators (51/2025/QĐ-TTg until its official table
is imported), a return filled on the 2021-2025 form is read on the set it names and kept, with
the warning `read_on_stated_set` (ntm.returns.units): nothing judges it. Once the set in force
has indicators, the old codes could name other indicators of the new set (an indicator "2.1"
of 318/QĐ-TTg is not the "2.1" of 51/2025), so judging those values would be a wrong verdict
given with confidence. They are then left out of the judgement, and the warning
`read_on_other_set` names the commune, the year, the file and what to do (send the return
again on the new form). The values stay stored: nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from ntm.criteria import CriteriaSet
from ntm.errors import Code, Problem

# (commune, year) → the set that judges it, or None when no set covers the year.
JudgingSet = Callable[[str, int], CriteriaSet | None]


def left_unjudged(
    values: pd.DataFrame, stated: Mapping[int, str], judging_set: JudgingSet
) -> tuple[pd.DataFrame, list[Problem]]:
    """`values` without the rows of an upload read on its stated set (`stated`: upload id →
    that set's id) whose year is now judged on another set that has indicators; and one
    warning per such upload."""
    if not stated or values.empty:
        return values, []
    drop = pd.Series(False, index=values.index)
    problems = []
    from_stated = values[values["upload_id"].isin(list(stated))]
    for (upload_id, commune, period), rows in from_stated.groupby(
        ["upload_id", "commune", "period"], sort=True
    ):
        judging = judging_set(str(commune), int(period))
        read_on = stated[int(upload_id)]
        if judging is None or judging.id == read_on or not judging.measured_codes():
            continue  # nothing judges these codes yet: kept as read (and said at upload)
        drop[rows.index] = True
        files = rows["file"].dropna().unique() if "file" in rows else []
        params = {
            "commune": str(commune),
            "period": int(period),
            "file": str(files[0]) if len(files) else "",
            "stated": read_on,
            "chosen": judging.id,
        }
        problems.append(Problem(Code.READ_ON_OTHER_SET, params=params))
    return values[~drop], problems
