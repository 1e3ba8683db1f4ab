"""Attainment: indicator → criterion → unit, for villages and for the commune as a whole.

Rules (DESIGN §3; Decision 18/2022/QĐ-TTg art. 4 for "all criteria"):
- A measured value is compared with the threshold rule that applies to the commune's region or
  group and the period (`ntm.criteria.pick_threshold`). Status: `met`, `unmet`, `missing` (no
  value), `no_threshold` (the set has no value for it: never guessed), `not_applicable`,
  `info` (measured for context, never judged).
- An indicator with several parts (12.2 men/women, 17.1 two shares, 5 schools) is met when all
  its judged parts are met, unmet as soon as one is unmet, otherwise unknown.
- A criterion is met when all its indicators are met, unmet as soon as one is unmet, otherwise
  unknown (a needed value or threshold is missing). A criterion with no indicators in an
  incomplete set is unknown.
- The commune value of a village-scope indicator is the commune's own figure when its return
  gives one, otherwise the aggregate of its villages by the indicator's rule (`ratio` of summed
  numerators over summed denominators, `sum`, `all`, `min`, `max`, `mean`, `share` of villages
  answering yes), over the commune's villages: with a village register (`register`, issue
  13) its registered villages valid that year, and a registered village without the value
  makes the aggregate missing (`Assessment.unreported` names it; values of villages not
  registered are not aggregated); without one, the villages that reported anything that year,
  any of which lacking the value makes the aggregate missing.
- A village is assessed on the village-scope indicators only; its criteria are those that have
  at least one; it is "at standard" when all of them are met.

Everything is computed with vectorised numpy/pandas operations on integer codes: a province
of ≈ 800k values is assessed in about 0.2 s on two cores (`python bench/run.py`).

The engine is a package, one module per step: `core` (statuses, `Assessment`), `catalogue`
(the parts of the sets in use, thresholds), `encoding` (input rows as integer codes),
`arrays` (integer joins), `aggregation` (villages → commune, the grid), `judging` (thresholds,
status, gap), `rollups` (indicators, criteria, units, blockers), `engine` (`assess`) and
`json_format` (DESIGN §5).
"""

from ntm.attainment.core import (
    COMMUNE,
    INFO,
    MET,
    MISSING,
    NO_THRESHOLD,
    NOT_APPLICABLE,
    UNIT_COLUMNS,
    UNKNOWN,
    UNMET,
    Assessment,
    PartKeys,
)
from ntm.attainment.engine import assess
from ntm.attainment.json_format import assessment_json, criteria_set_json

__all__ = [
    "COMMUNE",
    "INFO",
    "MET",
    "MISSING",
    "NOT_APPLICABLE",
    "NO_THRESHOLD",
    "UNIT_COLUMNS",
    "UNKNOWN",
    "UNMET",
    "Assessment",
    "PartKeys",
    "assess",
    "assessment_json",
    "criteria_set_json",
]
