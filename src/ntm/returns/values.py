"""A cell's value for an indicator: answers and verdicts, shares of villages, numbers, money.

- A yes/no indicator takes answers ("Có", "Không", x, 1, TRUE) and verdicts ("Đạt", "Chưa đạt");
  a verdict becomes an answer through the indicator's required answer (9.1 "Nhà tạm, dột nát"
  requires "Không": "Đạt" is "Không"). A tick (x, ✓) on an indicator whose required answer is
  "Không" is refused: it cannot say which way it points.
- A share-of-villages indicator (6.3, 16: the commune's value is the share of villages that
  answer yes) takes from a village any spelling of yes or no: Có, Đạt, x, 1, 100, "100 %" or
  1 in a percent cell; 0 or "0%" is no; anything else is an error at the cell.
- A percent, number, count or money indicator never takes a verdict: "Đạt" there is an error.
- Money: a value in đồng or nghìn đồng is converted to the set's triệu đồng; a number too large
  for triệu đồng with no unit is an error (`money_factor`).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from ntm.errors import Code
from ntm.returns.labels import (
    ANSWER_NO,
    ANSWER_YES,
    VERDICT_MET,
    VERDICT_UNMET,
    is_tick,
    label_key,
    yes_no_word,
)
from ntm.returns.numbers import parse_number_text
from ntm.validation import CodeInfo

NAN = float("nan")
Outcome = tuple[float, Code | None]


def _yes_no_cell(raw: Any, required: float | None) -> Outcome:
    """A yes/no indicator's cell: 1.0 (yes) / 0.0 (no)."""
    if isinstance(raw, bool):
        return float(raw), None
    if isinstance(raw, int | float):
        value = float(raw)
        return (value, None) if value in (0.0, 1.0) else (NAN, Code.NOT_YES_NO)
    if not isinstance(raw, str):
        return NAN, Code.NOT_YES_NO
    word = yes_no_word(raw)
    if word == ANSWER_YES:
        if required == 0.0 and is_tick(raw):
            return NAN, Code.AMBIGUOUS_TICK
        return 1.0, None
    if word == ANSWER_NO:
        return 0.0, None
    if word in (VERDICT_MET, VERDICT_UNMET):
        if required is None:
            return NAN, Code.VERDICT_WITHOUT_ANSWER
        return (required if word == VERDICT_MET else 1.0 - required), None
    return NAN, Code.NOT_YES_NO


def _share_cell(raw: Any, percent_cell: bool) -> Outcome:
    """A village's answer to a share-of-villages indicator (6.3, 16)."""
    if isinstance(raw, bool):
        return float(raw), None
    if isinstance(raw, int | float):
        value = float(raw)
        if value in (0.0, 1.0) or (value == 100.0 and not percent_cell):
            return (1.0 if value else 0.0), None
        return NAN, Code.SHARE_NOT_YES_NO
    if isinstance(raw, str):
        word = yes_no_word(raw)
        if word is not None:
            return (1.0 if word in (ANSWER_YES, VERDICT_MET) else 0.0), None
        number = parse_number_text(raw, kind="percent", allow_percent=True)
        if number in (0.0, 100.0):
            return (1.0 if number else 0.0), None
    return NAN, Code.SHARE_NOT_YES_NO


def cell_value(raw: Any, info: CodeInfo, *, village: bool, percent_cell: bool) -> Outcome:
    """A value cell as a float for `info`'s indicator (NaN when empty) and its problem."""
    if type(raw) is str:
        # Text cells repeat ("Có", "Không", "95%"): their reading depends only on these.
        return _text_value(raw, info.kind, info.required, info.aggregation, village, percent_cell)
    return _cell_value(raw, info, village=village, percent_cell=percent_cell)


@lru_cache(maxsize=4096)
def _text_value(
    raw: str, kind: str, required: float | None, aggregation: str, village: bool, percent: bool
) -> Outcome:
    info = CodeInfo("", kind, "", aggregation, (), required=required)
    return _cell_value(raw, info, village=village, percent_cell=percent)


def _cell_value(raw: Any, info: CodeInfo, *, village: bool, percent_cell: bool) -> Outcome:
    if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
        return NAN, None
    kind = info.kind
    if kind == "boolean":
        return _yes_no_cell(raw, info.required)
    if village and info.aggregation == "share":
        return _share_cell(raw, percent_cell)
    if isinstance(raw, bool):
        return NAN, Code.NOT_A_NUMBER
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            return NAN, Code.NOT_A_NUMBER
        if percent_cell and kind == "percent":
            value = round(value * 100, 9)
        return value, None
    if isinstance(raw, str):
        number = parse_number_text(raw, kind=kind, allow_percent=kind == "percent")
        if number is not None:
            return number, None
        word = yes_no_word(raw)
        if word in (VERDICT_MET, VERDICT_UNMET):
            return NAN, Code.VERDICT_NOT_A_VALUE
        return NAN, Code.NOT_A_NUMBER
    return NAN, Code.NOT_A_NUMBER  # dates, times, durations


def cell_number(raw: Any, kind: str) -> Outcome:
    """A numerator or denominator cell."""
    if raw is None or raw == "":
        return NAN, None
    if isinstance(raw, bool):
        return NAN, Code.NOT_A_NUMBER
    if isinstance(raw, int | float):
        value = float(raw)
        return (value, None) if math.isfinite(value) else (NAN, Code.NOT_A_NUMBER)
    if isinstance(raw, str):
        if not raw.strip():
            return NAN, None
        number = parse_number_text(raw, kind=kind)
        return (NAN, Code.NOT_A_NUMBER) if number is None else (number, None)
    return NAN, Code.NOT_A_NUMBER


def self_assessment(raw: Any) -> float | None:
    """The office's own verdict ("Tự đánh giá"): 1.0 met, 0.0 not met, None when the cell says
    neither (a tick says "met" only beside a verdict column's header)."""
    if not isinstance(raw, str):
        return None
    word = yes_no_word(raw)
    if word == VERDICT_MET or (word == ANSWER_YES and is_tick(raw)):
        return 1.0
    if word == VERDICT_UNMET:
        return 0.0
    return None


# Money: what one unit written in a return is worth in triệu đồng.
_MONEY_UNITS = (("trieu", 1.0), ("tr.d", 1.0), ("nghin", 1e-3), ("ngan", 1e-3), ("dong", 1e-6))
# Without a unit, a value at least this large cannot be triệu đồng per person (a commune's
# income per person is tens of millions of đồng): it is read as đồng.
MONEY_SURELY_DONG = 1e6
MONEY_SURELY_TRIEU = 1e3


def money_factor(value: float, unit_text: str, set_unit: str) -> tuple[float, Code | None]:
    """The factor that brings `value` (written with `unit_text`, maybe "") to the set's unit,
    and the problem: MONEY_CONVERTED (a warning naming the conversion) or
    MONEY_UNIT_UNCLEAR (an error: no unit and a value that could be đồng or nghìn đồng)."""
    target = _unit_scale(set_unit)
    if target is None or value != value:
        return 1.0, None
    written = _unit_scale(unit_text)
    if written is None:
        if value >= MONEY_SURELY_DONG * target:
            return 1e-6 / target, Code.MONEY_CONVERTED
        if value >= MONEY_SURELY_TRIEU * target:
            return 1.0, Code.MONEY_UNIT_UNCLEAR
        return 1.0, None
    if written == target:
        return 1.0, None
    return written / target, Code.MONEY_CONVERTED


def _unit_scale(unit: str) -> float | None:
    key = label_key(unit).replace(" ", "")
    if not key:
        return None
    for word, scale in _MONEY_UNITS:
        if word in key:
            return scale
    if key.startswith(("d/", "vnd")) or key in ("d", "vnd", "dong"):
        return 1e-6
    return None


def looks_like_a_value(row: list[Any], c: int) -> bool:
    """A cell a row without a code holds as a value (a number, a yes/no word, "95 %"), not the
    words of a heading or a signature block ("TM. ỦY BAN NHÂN DÂN")."""
    if c >= len(row):
        return False
    value = row[c]
    if isinstance(value, int | float):
        return True
    if not isinstance(value, str) or not value.strip():
        return False
    return (
        yes_no_word(value) is not None or parse_number_text(value, allow_percent=True) is not None
    )
