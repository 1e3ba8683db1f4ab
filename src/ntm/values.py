"""The one tidy shape that flows through the core (DESIGN §2).

One row per (commune, village, period, code) where `code` is an indicator code or the code of
one of its parts (e.g. "12.2a" for men). `village` is None for a commune-wide value.
`value` is a float: percent in percent points (95.0), yes/no as 1.0/0.0, missing as NaN.
Provenance: the file, sheet and cell the value came from, and (once stored) the upload id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ntm.errors import Problem

if TYPE_CHECKING:
    from ntm.returns.summary import ReadingSummary

KEY_COLUMNS = ["commune", "village", "period", "code"]
VALUE_COLUMNS = [
    *KEY_COLUMNS,
    "value",
    "numerator",
    "denominator",
    "note",
    # The office's own verdict ("Tự đánh giá") beside the value: 1.0 met, 0.0 not met, NaN
    # when the return gives none. Never used to judge; compared with the computed verdict.
    "self_assessed",
    "file",
    "sheet",
    "cell",
]


# The numeric columns and their dtypes; the others hold text (object, None when missing).
NUMBER_DTYPES = {
    "period": "int64",
    "value": "float64",
    "numerator": "float64",
    "denominator": "float64",
    "self_assessed": "float64",
}
TEXT_COLUMNS = [c for c in VALUE_COLUMNS if c not in NUMBER_DTYPES]


def empty_values() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=NUMBER_DTYPES.get(c, "object")) for c in VALUE_COLUMNS})


def typed_values(frame: pd.DataFrame, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """`frame` (the value columns, and any others) with the columns' dtypes: numbers as
    NUMBER_DTYPES (and `extra`) say, text as objects with None for missing."""
    frame = frame.astype({**NUMBER_DTYPES, **(extra or {})})
    for col in TEXT_COLUMNS:
        frame[col] = frame[col].astype("object").where(frame[col].notna(), None)
    return frame


def make_values(rows: list[dict[str, object]]) -> pd.DataFrame:
    """A values frame from row dicts; absent columns are filled with missing values."""
    if not rows:
        return empty_values()
    frame = pd.DataFrame(rows)
    for col in VALUE_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    return typed_values(frame[VALUE_COLUMNS])


@dataclass
class ReturnMeta:
    """What a return says about itself (metadata block or 'Thông tin' sheet)."""

    commune: str | None = None
    # The official administrative unit code (mã đơn vị hành chính) when the return gives one:
    # the register matches it before the name (ntm.register).
    commune_code: str | None = None
    period: int | None = None
    villages: list[str] = field(default_factory=list)
    region: str | None = None  # Decision 318 region id, e.g. "tdmnpb"
    group: str | None = None  # Decision 51/2025 commune group id, e.g. "2"
    criteria_set: str | None = None


@dataclass
class ReadResult:
    """A return read: its tidy values, everything wrong with it, and its metadata."""

    file: str
    values: pd.DataFrame
    problems: list[Problem]
    meta: ReturnMeta
    # What the reader understood (units, tables, columns, values used and not): shown beside
    # the file in the preview and in `ntm assess` JSON. None for results not made by the reader.
    summary: ReadingSummary | None = None

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)
