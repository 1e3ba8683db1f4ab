"""What a commune's profile lacks for a year, said wherever problems are shown (issue 16).

- `group_problems`: `commune_group_missing` for each commune judged on a set keyed by commune
  group (Decision 51/2025/QĐ-TTg: nhóm 1/2/3) without a group in its profile. `assess_store`
  adds it to each assessment, as `unknown_criteria_set` is (`ntm.views.source`), and so does
  `ntm assess`.
- `notices`: the profile problems that concern one year, for the line above Tổng quan's
  headline and the exports (`PROFILE_CODES`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ntm.attainment import Assessment
from ntm.errors import Code, Problem


def group_problems(result: Assessment, keys: Mapping[str, Any]) -> list[Problem]:
    """`commune_group_missing` for each commune judged on a set keyed by commune group
    (Decision 51/2025/QĐ-TTg: nhóm 1/2/3) whose profile has no group. The engine never picks a
    group for it (`ntm.attainment`: only the thresholds common to every group apply, the others
    read "no threshold"); the warning says which choice is needed and where to make it."""
    units = result.units
    if units.empty:
        return []
    whole = units[units["village"].isna()] if "village" in units else units
    found: list[Problem] = []
    for (commune, set_id), rows in whole.groupby(["commune", "criteria_set"], sort=True):
        crit = result.sets.get(str(set_id))
        entry = keys.get(str(commune))  # {"region": …, "group": …}, or one key for any set
        given = entry if isinstance(entry, str) else (entry or {}).get("group")
        if crit is None or crit.keyed_by != "group" or given:
            continue
        groups = [k for k in crit.keys if k.id != "general"]
        found.append(
            Problem(
                Code.COMMUNE_GROUP_MISSING,
                params={
                    "commune": str(commune),
                    "criteria_set": crit.id,
                    "title": {"vi": crit.title.vi, "en": crit.title.get("en")},
                    "choices": "/".join(k.id for k in groups),
                    "years": ", ".join(str(int(y)) for y in sorted(rows["period"].unique())),
                    "groups": {
                        lang: "; ".join(
                            f"{k.name.get(lang)}: {k.definition.get(lang)}" for k in groups
                        )
                        for lang in ("vi", "en")
                    },
                },
            )
        )
    return found


# Problems about the commune's profile rather than a file: shown beside the headline and on
# the exports, not only in a problems table.
PROFILE_CODES = (Code.UNKNOWN_CRITERIA_SET, Code.COMMUNE_GROUP_MISSING)


def notices(problems: Iterable[Problem], year: int) -> list[Problem]:
    """The profile problems that concern `year` (a missing group, only in the years judged on a
    set keyed by group), in order."""
    out = []
    for p in problems:
        if p.code not in PROFILE_CODES or p in out:
            continue
        years = str(p.params.get("years", ""))
        if p.code is Code.COMMUNE_GROUP_MISSING and str(int(year)) not in years.split(", "):
            continue
        out.append(p)
    return out
