"""A criteria sheet read back into a set, every problem named by its cell.

An imported sheet is an upload like a return: the same limits (`ntm.returns.Limits`, set by
`ntm.config`) and the same guard (`ntm.returns.guard_workbook`: size, inflated size, sheets,
rows, XML declarations) apply before openpyxl parses it, and a parse that outlasts
`parse_seconds` is refused. Each refusal is one problem naming the limit.
"""

from __future__ import annotations

import io
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ntm.criteria import (
    AGGREGATIONS,
    GENERAL_KEY,
    KINDS,
    CriteriaSet,
    parse_set,
)
from ntm.criteria_sheet.layout import (
    NOT_APPLICABLE,
    ROW_COLUMNS,
    ROWS_SHEET,
    SET_FIELDS,
    SET_SHEET,
    THRESHOLD_PREFIX,
    TO_SUPPLY,
)
from ntm.errors import Code, CriteriaError, Problem
from ntm.returns import DEFAULT_LIMITS, MB, Limits, guard_workbook
from ntm.validation import fmt_number


class _Collector:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, sheet: str, cell: str, detail: str) -> None:
        self.problems.append(
            Problem(Code.CRITERIA_SHEET_INVALID, self.file, sheet, cell, {"detail": detail})
        )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _truthy(value: object) -> bool:
    return _text(value).upper() in {"TRUE", "1", "X", "CÓ", "YES", "ĐÚNG"}


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(_text(value).replace(",", "."))
    except ValueError:
        return None


def read_sheet(
    source: bytes | Path,
    filename: str = "",
    *,
    set_id: str | None = None,
    based_on: CriteriaSet | None = None,
    limits: Limits = DEFAULT_LIMITS,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[CriteriaSet | None, list[Problem]]:
    """Read a criteria sheet. Returns the set (None if any error) and every problem found.

    `set_id` overrides the id in the sheet; `based_on` fills header fields the sheet leaves
    empty (title, legal basis, keys...). `limits`: what the upload may cost (see the module
    docstring); `clock` times the parse against `limits.parse_seconds` (tests inject it).
    """
    name = filename or (source.name if isinstance(source, Path) else "criteria.xlsx")
    found = _Collector(name)
    deadline = clock() + limits.parse_seconds
    try:
        if isinstance(source, Path) and source.stat().st_size > limits.max_file_bytes:
            return None, [_too_large(name, source.stat().st_size, limits)]
        data = source.read_bytes() if isinstance(source, Path) else source
    except OSError as exc:
        found.add("", "", f"Không đọc được tệp: {exc.strerror or exc.__class__.__name__}")
        return None, found.problems
    refused = guard_workbook(data, name, limits)
    if refused is not None:
        return None, [refused]
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except Exception as exc:
        found.add("", "", f"Không đọc được tệp Excel: {exc.__class__.__name__}")
        return None, found.problems
    if clock() > deadline:
        seconds = fmt_number(limits.parse_seconds)
        return None, [Problem(Code.PARSE_TIMEOUT, name, params={"seconds": seconds})]
    head = _read_head(wb[SET_SHEET] if SET_SHEET in wb.sheetnames else None, found, based_on)
    if ROWS_SHEET not in wb.sheetnames:
        found.add(ROWS_SHEET, "", f'Thiếu trang "{ROWS_SHEET}" (một dòng cho mỗi chỉ tiêu).')
        return None, found.problems
    criteria = _read_rows(wb[ROWS_SHEET], head, found)
    if set_id:
        head["id"] = set_id
    if found.problems:
        return None, found.problems
    document = {**{k: v for k, v in head.items() if k != "criteria_names"}, "criteria": criteria}
    try:
        return parse_set(document, name), []
    except CriteriaError as exc:
        for path, message in exc.details:
            found.add(ROWS_SHEET, "", f"{path}: {message}")
        return None, found.problems


def _too_large(name: str, size: int, limits: Limits) -> Problem:
    return Problem(
        Code.FILE_TOO_LARGE,
        name,
        params={"size_mb": f"{size / MB:.1f}", "limit_mb": f"{limits.max_file_bytes / MB:.0f}"},
    )


def _missing(vi: object, en: object) -> list[dict[str, str]]:
    """The "Còn thiếu" notes, line n of each language being one note."""
    lines = [[s.strip() for s in _text(cell).splitlines() if s.strip()] for cell in (vi, en)]
    notes = itertools.zip_longest(*lines, fillvalue="")
    return [{"vi": v or e, "en": e} for v, e in notes]


def _read_head(
    sheet: Worksheet | None, found: _Collector, based_on: CriteriaSet | None
) -> dict[str, Any]:
    base: dict[str, Any] = based_on.model_dump(mode="json") if based_on else {}
    raw: dict[str, tuple[object, str]] = {}
    if sheet is not None:
        labels = {label: field for field, label in SET_FIELDS}
        for row in sheet.iter_rows(min_row=1, max_col=2):
            label = _text(row[0].value)
            if label in labels:
                raw[labels[label]] = (row[1].value, row[1].coordinate)
    elif not based_on:
        found.add(SET_SHEET, "", f'Thiếu trang "{SET_SHEET}" và không có bộ gốc (--based-on).')
        return {}

    def get(field: str) -> object:
        return raw.get(field, (None, ""))[0]

    head: dict[str, Any] = {
        "id": _text(get("id")) or base.get("id", ""),
        "title": {
            "vi": _text(get("title_vi")) or base.get("title", {}).get("vi", ""),
            "en": _text(get("title_en")) or base.get("title", {}).get("en", ""),
        },
        "legal_basis": {
            "decision": _text(get("decision")) or base.get("legal_basis", {}).get("decision", ""),
            "date": _text(get("date"))[:10] or base.get("legal_basis", {}).get("date"),
            "annex": _text(get("annex")) or base.get("legal_basis", {}).get("annex", ""),
            "amended_by": [s.strip() for s in _text(get("amended_by")).split(";") if s.strip()]
            or base.get("legal_basis", {}).get("amended_by", []),
            "in_force": _text(get("in_force"))[:10] or base.get("legal_basis", {}).get("in_force"),
        },
        "years": {
            "first": _number(get("first_year")) or base.get("years", {}).get("first"),
            "last": _number(get("last_year")) or base.get("years", {}).get("last"),
        },
        "level": _text(get("level")) or base.get("level", "commune"),
        "province": _text(get("province")) or base.get("province", ""),
        "keyed_by": _text(get("keyed_by")) or base.get("keyed_by"),
        "complete": _truthy(get("complete")) if "complete" in raw else base.get("complete", False),
        "missing": _missing(get("missing"), get("missing_en")) or base.get("missing", []),
        "expected_indicators": _number(get("expected_indicators"))
        or base.get("expected_indicators"),
    }
    for year_field in ("first", "last"):
        if head["years"][year_field] is not None:
            head["years"][year_field] = int(head["years"][year_field])
    if head["expected_indicators"] is not None:
        head["expected_indicators"] = int(head["expected_indicators"])
    if head["complete"]:
        head["missing"] = []
    for field, fallback in (("keys", base.get("keys")), ("criteria_names", None)):
        text = _text(get(field))
        if not text:
            head[field] = (
                fallback
                if field == "keys"
                else [{"number": c["number"], "name": c["name"]} for c in base.get("criteria", [])]
            )
            continue
        try:
            head[field] = json.loads(text)
        except json.JSONDecodeError:
            found.add(SET_SHEET, raw[field][1], f'"{field}" phải là JSON hợp lệ.')
    return head


def _read_rows(sheet: Worksheet, head: dict[str, Any], found: _Collector) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows())
    if not rows:
        found.add(ROWS_SHEET, "A1", "Trang chỉ tiêu trống.")
        return []
    header = [_text(c.value) for c in rows[0]]
    labels = {label: field for field, label in ROW_COLUMNS}
    column: dict[str, int] = {}
    threshold_cols: dict[str, int] = {}
    for index, label in enumerate(header):
        if label in labels:
            column[labels[label]] = index
        elif label.startswith(THRESHOLD_PREFIX):
            threshold_cols[label[len(THRESHOLD_PREFIX) :].strip()] = index
    for field in ("criterion", "indicator", "code", "name_vi", "kind"):
        if field not in column:
            found.add(ROWS_SHEET, "1", f'Thiếu cột "{dict(ROW_COLUMNS)[field]}".')
    key_ids = {k["id"] for k in head.get("keys") or []}
    for key in threshold_cols:
        if key_ids and key not in key_ids:
            ref = f"{get_column_letter(threshold_cols[key] + 1)}1"
            found.add(ROWS_SHEET, ref, f'Vùng/nhóm "{key}" không có trong bộ tiêu chí.')
    if found.problems:
        return []

    criteria: dict[str, dict[str, Any]] = {}
    for entry in head.get("criteria_names") or []:
        criteria[str(entry["number"])] = {
            "number": str(entry["number"]),
            "name": entry["name"],
            "indicators": [],
        }
    indicators: dict[str, dict[str, Any]] = {}
    parts: dict[str, dict[str, Any]] = {}
    part: dict[str, Any] | None
    seen_rules: set[tuple[str, float | None, float | None, str]] = set()
    # Keys with a base threshold (no year, no condition), per judged code, and the row to blame.
    coverage: dict[str, tuple[set[str], str]] = {}
    for row in rows[1:]:

        def cell(field: str, row: tuple[Any, ...] = row) -> Any:
            return row[column[field]] if field in column and column[field] < len(row) else None

        code = _text(cell("code").value)
        if not code and not _text(cell("indicator").value):
            continue  # an empty row
        ref = cell("code").coordinate
        year = _number(cell("year").value) if cell("year") is not None else None
        cond = (
            _number(cell("when_denominator_at_most").value)
            if cell("when_denominator_at_most") is not None
            else None
        )
        filled = [
            key
            for key, index in threshold_cols.items()
            if index < len(row) and _text(row[index].value)
        ]
        if year is None and cond is None and not _truthy(cell("informational").value):
            covered, _ = coverage.setdefault(code, (set(), str(row[0].row)))
            covered.update(filled)
        kind = _text(cell("kind").value)
        if kind not in KINDS:
            found.add(
                ROWS_SHEET,
                cell("kind").coordinate,
                f'Loại "{kind}" không hợp lệ; chọn một trong: {", ".join(KINDS)}.',
            )
            continue
        aggregation = _text(cell("aggregation").value) or "commune_only"
        if aggregation not in AGGREGATIONS:
            found.add(
                ROWS_SHEET,
                cell("aggregation").coordinate,
                f'Cách tổng hợp "{aggregation}" không hợp lệ; chọn: {", ".join(AGGREGATIONS)}.',
            )
            continue
        clash = [key for key in filled if (code, year, cond, key) in seen_rules]
        if clash:
            found.add(
                ROWS_SHEET,
                ref,
                f'Mã "{code}" xuất hiện hai lần (ngưỡng "{clash[0]}" nhập hai lần).',
            )
            continue
        seen_rules.update((code, year, cond, key) for key in filled)
        number = _text(cell("criterion").value)
        criterion = criteria.setdefault(
            number,
            {
                "number": number,
                "name": _text(cell("criterion_name").value) or number,
                "indicators": [],
            },
        )
        ind_code = _text(cell("indicator").value) or code
        direction = _text(cell("direction").value) or ("==" if kind == "boolean" else ">=")
        rules = _rules(
            row,
            threshold_cols,
            kind,
            year,
            cond,
            found,
            verified=_truthy(cell("verified").value),
            source=_text(cell("source").value),
        )
        if ind_code not in indicators:
            indicator: dict[str, Any] = {
                "code": ind_code,
                "name": {"vi": _text(cell("name_vi").value), "en": _text(cell("name_en").value)},
                "unit": "" if code != ind_code else _text(cell("unit").value),
                "kind": kind,
                "direction": direction,
                "scope": _text(cell("scope").value) or "commune",
                "aggregation": aggregation,
                "note": _text(cell("note").value),
                "thresholds": [],
                "parts": [],
            }
            indicators[ind_code] = indicator
            criterion["indicators"].append(indicator)
        indicator = indicators[ind_code]
        if code == ind_code:
            indicator["thresholds"].extend(rules)
        else:
            part = parts.get(code)
            if part is None:
                part = {
                    "code": code,
                    "name": {
                        "vi": _text(cell("part_name_vi").value),
                        "en": _text(cell("part_name_en").value),
                    },
                    "unit": _text(cell("unit").value),
                    "kind": kind,
                    "direction": direction,
                    "informational": _truthy(cell("informational").value),
                    "thresholds": [],
                }
                parts[code] = part
                indicator["parts"].append(part)
            part["thresholds"].extend(rules)
    for code, (covered, row_number) in coverage.items():
        if GENERAL_KEY in covered:
            continue
        for key, index in threshold_cols.items():
            if key != GENERAL_KEY and key not in covered:
                found.add(
                    ROWS_SHEET,
                    f"{get_column_letter(index + 1)}{row_number}",
                    f'Chỉ tiêu {code} chưa có ngưỡng cho "{key}" (và không có ngưỡng chung). '
                    f'Hãy nhập ngưỡng, hoặc ghi "{TO_SUPPLY}" nếu chưa biết.',
                )
    for indicator in indicators.values():
        if not indicator["parts"]:
            del indicator["parts"]
        else:
            del indicator["thresholds"]
    return list(criteria.values())


def _rules(
    row: tuple[Any, ...],
    threshold_cols: dict[str, int],
    kind: str,
    year: float | None,
    cond: float | None,
    found: _Collector,
    *,
    verified: bool,
    source: str,
) -> list[dict[str, Any]]:
    rules = []
    for key, index in threshold_cols.items():
        if index >= len(row) or row[index] is None:
            continue
        cell = row[index]
        raw = cell.value
        text = _text(raw)
        if text == "":
            continue
        rule: dict[str, Any] = {"verified": verified, "source": source}
        if key != GENERAL_KEY:
            rule["key"] = key
        if year is not None:
            rule["year"] = int(year)
        if cond is not None:
            rule["when_denominator_at_most"] = cond
        if text.lower() == NOT_APPLICABLE:
            rule["applies"] = False
        elif text.lower() == TO_SUPPLY:
            rule["value"] = None
        elif kind == "boolean":
            if text.upper() not in {"TRUE", "FALSE"}:
                found.add(
                    ROWS_SHEET,
                    cell.coordinate,
                    f'Ngưỡng của chỉ tiêu yes/no phải là TRUE hoặc FALSE, không phải "{text}".',
                )
                continue
            rule["value"] = text.upper() == "TRUE"
        else:
            number = _number(raw)
            if number is None:
                found.add(ROWS_SHEET, cell.coordinate, f'Ngưỡng "{text}" không phải là số.')
                continue
            rule["value"] = number
        rules.append(rule)
    return rules
