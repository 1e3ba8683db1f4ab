"""The engine's vocabulary: statuses, the `Assessment` it returns, and the integer status codes
it computes with (the names are what the frames show)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ntm.criteria import CriteriaSet
from ntm.errors import Problem

MET, UNMET, MISSING, NO_THRESHOLD, NOT_APPLICABLE, INFO = (
    "met",
    "unmet",
    "missing",
    "no_threshold",
    "not_applicable",
    "info",
)
# Criterion / unit level: met, unmet or unknown.
UNKNOWN = "unknown"

COMMUNE = ""  # internal village value of the commune as a whole; None in every output

PartKeys = str | Mapping[str, str]
UNIT_COLUMNS = ["commune", "village", "period", "criteria_set"]


@dataclass
class Assessment:
    """The result of assessing a set of values.

    - `parts`: one row per (commune, village, period, part code): the finest level.
    - `indicators`: one row per (commune, village, period, indicator code).
    - `criteria`: one row per (commune, village, period, criterion).
    - `units`: one row per (commune, village, period) with criteria_met / criteria_total.
    - `blockers`: for each unmet commune part, the villages whose own value is unmet or missing.
    - `unreported`: for each commune part left missing, the registered villages without a
      value for it (only for communes with a village register).
    `village` is None for the commune as a whole.
    """

    parts: pd.DataFrame
    indicators: pd.DataFrame
    criteria: pd.DataFrame
    units: pd.DataFrame
    blockers: pd.DataFrame
    sets: dict[str, CriteriaSet]
    problems: list[Problem] = field(default_factory=list)
    unreported: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["commune", "period", "code", "village"])
    )

    def to_json(self, problems: Iterable[Problem] = (), lang: str = "vi") -> dict[str, Any]:
        """The `ntm assess --format json` object (DESIGN §5)."""
        from ntm.attainment.json_format import assessment_json

        return assessment_json(self, [*problems, *self.problems], lang)


# Status codes of parts and indicators, and of criteria; the names are what the frames show.
STATUS = pd.Index([INFO, NOT_APPLICABLE, MISSING, NO_THRESHOLD, MET, UNMET])
S_INFO, S_NA, S_MISSING, S_NO_THRESHOLD, S_MET, S_UNMET = range(6)
CRIT_STATUS = pd.Index([MET, UNMET, UNKNOWN])
C_MET, C_UNMET, C_UNKNOWN = range(3)
CRIT_MET = np.array([True, False, None], dtype=object)


def objects(values: np.ndarray) -> Any:
    """An object column as it is (a frame would read an array of text as its string dtype)."""
    return pd.Series(values, dtype=object, copy=False)
