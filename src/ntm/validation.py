"""Value-level checks on tidy values (DESIGN §4): every problem collected, none raised.

Checks, each with a stable code (`ntm.errors.Code`):

- a code the criteria set does not measure: UNKNOWN_INDICATOR (warning; the row is left out),
  or INDICATOR_HAS_PARTS (warning) for the code of an indicator measured by its parts;
- the same code twice for the same unit (commune, village, period) with different values:
  DUPLICATE_CODE (error; the same value twice is fine);
- a percent outside 0-100: PERCENT_OUT_OF_RANGE;
- a negative count, number or money value, or a negative numerator/denominator: NEGATIVE_VALUE;
- numerator larger than denominator: NUMERATOR_GT_DENOMINATOR (then the percent above 100 that
  follows from it is not reported a second time).

`validate` takes a values frame; `check_rows` does the same work on row dicts and also returns
the rows to keep (first of each duplicate, known codes only): `ntm.returns` uses it before it
builds its frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ntm.criteria import CriteriaSet, ThresholdRule
from ntm.errors import Code, Problem

NUMBER_KINDS = frozenset({"count", "number", "money"})


@dataclass(frozen=True)
class CodeInfo:
    """What the reader and the checks need to know about one measured code."""

    code: str
    kind: str
    scope: str
    aggregation: str
    names: tuple[str, ...]  # its Vietnamese and English names
    parent: str | None = None  # the indicator's code when this is one of several parts
    parent_names: tuple[str, ...] = ()  # that indicator's names
    unit: str = ""
    # A yes/no indicator's required answer (1.0 yes, 0.0 no; 9.1 "Nhà tạm, dột nát" requires
    # "Không"), None when its rules do not give one answer: a verdict ("Đạt") becomes an
    # answer through it.
    required: float | None = None


@dataclass
class CodeIndex:
    set_id: str
    measured: dict[str, CodeInfo]
    parents: dict[str, list[str]]  # indicator code -> its part codes (multi-part indicators)
    order: list[str]  # every code in the set's order, an indicator before its parts
    position: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.position = {code: i for i, code in enumerate(self.order)}

    def known(self, code: str) -> bool:
        return code in self.measured or code in self.parents


_INDEX_CACHE: dict[int, tuple[CriteriaSet, CodeIndex]] = {}


def _required_answer(kind: str, rules: Iterable[ThresholdRule]) -> float | None:
    if kind != "boolean":
        return None
    answers = {bool(r.value) for r in rules if r.applies and isinstance(r.value, bool)}
    return float(answers.pop()) if len(answers) == 1 else None


def code_index(criteria: CriteriaSet) -> CodeIndex:
    """The codes of a set, built once per set object (sets are immutable)."""
    hit = _INDEX_CACHE.get(id(criteria))
    if hit is not None and hit[0] is criteria:
        return hit[1]
    measured: dict[str, CodeInfo] = {}
    parents: dict[str, list[str]] = {}
    order: list[str] = []
    for _, ind in criteria.indicators():
        if ind.parts:
            parents[ind.code] = [p.code for p in ind.parts]
            order.append(ind.code)
        for part in ind.measured:
            measured[part.code] = CodeInfo(
                code=part.code,
                kind=part.kind,
                scope=ind.scope,
                aggregation=ind.aggregation,
                names=tuple(n for n in (part.name.vi, part.name.en) if n),
                parent=ind.code if ind.parts else None,
                parent_names=tuple(n for n in (ind.name.vi, ind.name.en) if n and ind.parts),
                unit=part.unit,
                required=_required_answer(part.kind, part.thresholds),
            )
            order.append(part.code)
    index = CodeIndex(criteria.id, measured, parents, order)
    if len(_INDEX_CACHE) > 64:
        _INDEX_CACHE.clear()
    _INDEX_CACHE[id(criteria)] = (criteria, index)
    return index


def reading_index(criteria: CriteriaSet, village_sets: Sequence[CriteriaSet] = ()) -> CodeIndex:
    """The codes a return may carry: the commune set's, then each village set's (a province's
    thôn criteria, ntm.village_sets). A code in two sets keeps its first meaning: the commune
    set's. Built once per combination (sets are immutable)."""
    if not village_sets:
        return code_index(criteria)
    sets = (criteria, *village_sets)
    key = tuple(map(id, sets))
    hit = _MERGED_CACHE.get(key)
    # The very same objects (as code_index checks): comparing the models would walk every
    # field of every set on each read.
    if hit is not None and all(a is b for a, b in zip(hit[0], sets, strict=True)):
        return hit[1]
    first = code_index(criteria)
    measured, parents, order = dict(first.measured), dict(first.parents), list(first.order)
    for other in map(code_index, village_sets):
        for code in other.order:
            if code in measured or code in parents:
                continue
            if code in other.parents:
                parents[code] = other.parents[code]
            else:
                measured[code] = other.measured[code]
            order.append(code)
    index = CodeIndex(criteria.id, measured, parents, order)
    if len(_MERGED_CACHE) > 64:
        _MERGED_CACHE.clear()
    _MERGED_CACHE[key] = (sets, index)
    return index


_MERGED_CACHE: dict[tuple[int, ...], tuple[tuple[CriteriaSet, ...], CodeIndex]] = {}


def fmt_number(value: float) -> str:
    """A number as people write it in a message: 95, 95.5, 1234."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


NAN = float("nan")


def _float(value: Any) -> float:
    """A float, NaN for None, pd.NA or anything that is not a number."""
    if type(value) is float:
        return value
    try:
        return NAN if value is None else float(value)
    except (TypeError, ValueError):
        return NAN


def _missing(value: Any) -> bool:
    return value is None or value != value or value is pd.NA


def _same(a: float, b: float) -> bool:
    if a != a or b != b:
        return a != a and b != b
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))


def unknown_code_problem(
    code: str, index: CodeIndex, file: str, sheet: str = "", cell: str = ""
) -> Problem:
    """UNKNOWN_INDICATOR, or INDICATOR_HAS_PARTS for the code of a multi-part indicator."""
    parts = index.parents.get(code)
    if parts:
        return Problem(
            Code.INDICATOR_HAS_PARTS,
            file,
            sheet,
            cell,
            {"code": code, "parts": ", ".join(parts), "example": parts[0]},
        )
    return Problem(
        Code.UNKNOWN_INDICATOR, file, sheet, cell, {"code": code, "criteria_set": index.set_id}
    )


def check_rows(
    rows: Iterable[Mapping[str, Any]], criteria: CriteriaSet | CodeIndex, file: str
) -> tuple[list[Problem], list[Mapping[str, Any]]]:
    """Every problem in `rows` (dicts with the values-frame columns) and the rows to keep.
    `criteria`: a set, or the codes of several (`reading_index`)."""
    index = criteria if isinstance(criteria, CodeIndex) else code_index(criteria)
    problems: list[Problem] = []
    kept: list[Mapping[str, Any]] = []
    first: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        code = str(row.get("code"))
        info = index.measured.get(code)
        if info is None:
            problems.append(
                unknown_code_problem(
                    code, index, file, row.get("sheet") or "", row.get("cell") or ""
                )
            )
            continue
        village = row.get("village")
        if village is not None and type(village) is not str and _missing(village):
            village = None
        key = (row.get("commune"), village, row.get("period"), code)
        # The reader's rows hold floats already: `_float` only for the others.
        value, num, den = row.get("value"), row.get("numerator"), row.get("denominator")
        if type(value) is not float:
            value = _float(value)
        if type(num) is not float:
            num = _float(num)
        if type(den) is not float:
            den = _float(den)
        earlier = first.get(key)
        if earlier is not None:
            if not (
                _same(_float(earlier.get("value")), value)
                and _same(_float(earlier.get("numerator")), num)
                and _same(_float(earlier.get("denominator")), den)
            ):
                unit = key[1] or row.get("commune") or ""
                problems.append(duplicate_code_problem(code, unit, earlier, row, file))
            continue
        first[key] = row
        kept.append(row)
        kind = info.kind
        # NaN compares false: only a value that is there can be out of range.
        if (
            num < 0
            or den < 0
            or num > den
            or (kind == "percent" and (value < 0 or value > 100))
            or (kind in NUMBER_KINDS and value < 0)
        ):
            problems.extend(
                _range_problems(
                    code, kind, value, num, den, file, row.get("sheet") or "", row.get("cell") or ""
                )
            )
    return problems, kept


def _range_problems(
    code: str, kind: str, value: float, num: float, den: float, file: str, sheet: str, cell: str
) -> list[Problem]:
    def problem(which: Code, **numbers: float) -> Problem:
        params = {"code": code, **{k: fmt_number(v) for k, v in numbers.items()}}
        return Problem(which, file, sheet, cell, params)

    out = [problem(Code.NEGATIVE_VALUE, value=x) for x in (num, den) if x < 0]
    ratio_too_big = num > den >= 0
    if ratio_too_big:
        out.append(problem(Code.NUMERATOR_GT_DENOMINATOR, numerator=num, denominator=den))
    if kind == "percent" and (value < 0 or value > 100) and not (ratio_too_big and value > 100):
        out.append(problem(Code.PERCENT_OUT_OF_RANGE, value=value))
    elif kind in NUMBER_KINDS and value < 0:
        out.append(problem(Code.NEGATIVE_VALUE, value=value))
    return out


def duplicate_code_problem(
    code: str, unit: str, first: Mapping[str, Any], second: Mapping[str, Any], file: str
) -> Problem:
    """DUPLICATE_CODE at `second`'s cell: `code` given again for `unit` (`first` is kept).
    The one way both the reader's checks and the store (ntm.storage.writes) say it."""
    sheet, cell = second.get("sheet") or "", second.get("cell") or ""
    params = {
        "code": code,
        "unit": unit,
        "first": _shown(first),
        "first_cell": _where(first, sheet),
        "second": _shown(second),
    }
    return Problem(Code.DUPLICATE_CODE, file, sheet, cell, params)


def _shown(row: Mapping[str, Any]) -> str:
    value, num, den = row.get("value"), row.get("numerator"), row.get("denominator")
    value, num, den = _float(value), _float(num), _float(den)
    text = "—" if value != value else fmt_number(value)
    if num == num or den == den:
        parts = ["" if x != x else fmt_number(x) for x in (num, den)]
        text += f" ({parts[0]}/{parts[1]})"
    return text


def _where(row: Mapping[str, Any], sheet: str) -> str:
    cell = row.get("cell") or ""
    other = row.get("sheet") or ""
    return f"{other}!{cell}" if other and other != sheet else cell


def validate(values: pd.DataFrame, criteria: CriteriaSet, file: str) -> list[Problem]:
    """Every value-level problem of a tidy values frame (see the module docstring)."""
    if values.empty:
        return []
    rows = values.to_dict("records")
    problems, _ = check_rows(rows, criteria, file)
    return problems
