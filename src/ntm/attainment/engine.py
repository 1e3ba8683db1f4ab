"""`assess`: the sets in force for each year, then catalogue → encoding → aggregation →
judging → roll-ups (see the package's docstring for the rules).

How it is computed (issue 7: a province of ≈ 700k values in well under two seconds). The rules
are applied to integer codes, never to text (`ntm.attainment.encoding`), and every join is a
look-up on such an integer (`ntm.attainment.arrays`). The text columns of the result are made
once, at the end, by taking from small tables of names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ntm.attainment.aggregation import build_grid
from ntm.attainment.catalogue import catalog
from ntm.attainment.core import UNIT_COLUMNS, UNKNOWN, Assessment, PartKeys
from ntm.attainment.encoding import encode, mark_registered
from ntm.attainment.judging import judge, key_for
from ntm.attainment.rollups import (
    blocker_frame,
    parts_frame,
    roll_up_criteria,
    roll_up_indicators,
    roll_up_units,
    unreported_villages,
)
from ntm.criteria import CriteriaSet, choose_set, shipped_sets
from ntm.errors import Code, NoCriteriaSetError, Problem


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
                        # (without its full stop: the sentence goes on after it)
                        "missing": {
                            lang: crit.missing_text(lang).rstrip(". ") for lang in ("vi", "en")
                        },
                    },
                )
            )

    cat = catalog(sets)
    rows = encode(values, period, set_by_period, cat) if cat is not None else None
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
        mark_registered(rows, register)
    grid = build_grid(rows, cat)
    judge(grid, rows, cat, sets, keys, problems)
    indicators = roll_up_indicators(grid, rows, cat)
    crit_frame, crit_rows = roll_up_criteria(indicators, grid, rows, cat)
    result = Assessment(
        parts=parts_frame(grid, rows, cat),
        indicators=indicators.frame,
        criteria=crit_frame,
        units=roll_up_units(crit_rows, rows, cat),
        blockers=blocker_frame(grid, rows, cat),
        sets=sets,
        problems=problems,
    )
    if register:
        result.unreported = unreported_villages(result.parts, grid, cat, register)
    _add_unjudged(result, values, period, set_by_period, keys)
    return result


def _add_unjudged(
    result: Assessment,
    values: pd.DataFrame,
    period: np.ndarray,
    set_by_period: Mapping[int, CriteriaSet],
    keys: Mapping[str, PartKeys] | None,
) -> None:
    """Commune-years with values but none the set in force knows (2026 under the shipped
    2026-2030 set, which has no indicators yet) are listed with every criterion unknown, as an
    assessment with nothing to judge lists them, not dropped beside the years that are judged."""
    in_force = np.isin(period, list(set_by_period))
    present = pd.DataFrame(
        {"commune": values["commune"].to_numpy()[in_force], "period": period[in_force]}
    ).drop_duplicates()
    units = result.units
    judged = units[units["village"].isna()][["commune", "period"]].drop_duplicates()
    both = present.merge(judged.astype({"period": "int64"}), how="left", indicator=True)
    lacking = both[both["_merge"] == "left_only"][["commune", "period"]].copy()
    if lacking.empty:
        return
    lacking["criteria_set"] = lacking["period"].map({p: s.id for p, s in set_by_period.items()})
    extra = _empty_assessment(lacking, dict(result.sets), [], keys)
    result.criteria = pd.concat([result.criteria, extra.criteria], ignore_index=True)
    result.units = pd.concat([result.units, extra.units], ignore_index=True)
    result.sets = {**result.sets, **extra.sets}


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
                # The region or group it would be judged on (what the exports name).
                "key": key_for(keys, str(commune), crit),
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
                "key",
            ],
        ),
        blockers=pd.DataFrame(columns=["commune", "period", "code", "village"]),
        sets=sets,
        problems=problems,
    )
