"""A cell's value for an indicator of a given kind."""

from __future__ import annotations

import math
from typing import Any

from ntm.errors import Code
from ntm.returns.labels import yes_no
from ntm.returns.numbers import parse_number_text

NAN = float("nan")


def cell_number(
    raw: Any, kind: str, *, yes_no_ok: bool, percent_cell: bool, is_value: bool
) -> tuple[float, Code | None]:
    """A cell's value as a float for an indicator of `kind` (NaN when empty) and its problem."""
    if raw is None or raw == "":
        return NAN, None
    boolean = kind == "boolean"
    bad = Code.NOT_YES_NO if boolean else Code.NOT_A_NUMBER
    if isinstance(raw, bool):
        return (float(raw), None) if yes_no_ok and is_value else (NAN, bad)
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            return NAN, bad
        if boolean and is_value:
            return (value, None) if value in (0.0, 1.0) else (NAN, Code.NOT_YES_NO)
        if percent_cell and is_value and kind == "percent":
            value = round(value * 100, 9)
        return value, None
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return NAN, None
        if yes_no_ok and is_value:
            answer = yes_no(text)
            if answer is not None:
                return answer, None
            if boolean:
                return NAN, Code.NOT_YES_NO
        number = parse_number_text(text, kind=kind, allow_percent=is_value and kind == "percent")
        return (NAN, bad) if number is None else (number, None)
    return NAN, bad  # dates, times, durations
