"""A criteria set written as the Excel sheet people verify or correct (lossless: every field of
the schema has a column; `read_sheet` reads it back)."""

from __future__ import annotations

import io
import json

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ntm.criteria import GENERAL_KEY, CriteriaSet, ThresholdRule
from ntm.criteria_sheet.layout import (
    NOT_APPLICABLE,
    ROW_COLUMNS,
    ROWS_SHEET,
    SET_FIELDS,
    SET_SHEET,
    THRESHOLD_PREFIX,
    TO_SUPPLY,
    column,
)


def _threshold_text(rule: ThresholdRule) -> object:
    if not rule.applies:
        return NOT_APPLICABLE
    if rule.value is None:
        return TO_SUPPLY
    if isinstance(rule.value, bool):
        return "TRUE" if rule.value else "FALSE"
    return rule.value


def export_workbook(crit: CriteriaSet) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    head = wb.active
    assert head is not None
    head.title = SET_SHEET
    lb = crit.legal_basis
    values: dict[str, object] = {
        "id": crit.id,
        "title_vi": crit.title.vi,
        "title_en": crit.title.en,
        "decision": lb.decision,
        "date": lb.date.isoformat(),
        "annex": lb.annex,
        "amended_by": "; ".join(lb.amended_by),
        "in_force": lb.in_force.isoformat() if lb.in_force else "",
        "first_year": crit.years.first,
        "last_year": crit.years.last,
        "level": crit.level,
        "province": crit.province,
        "keyed_by": crit.keyed_by,
        "keys": json.dumps([k.model_dump(mode="json") for k in crit.keys], ensure_ascii=False),
        "complete": "TRUE" if crit.complete else "FALSE",
        "missing": "\n".join(m.vi for m in crit.missing),
        "missing_en": "\n".join(m.en for m in crit.missing),
        "expected_indicators": crit.expected_indicators if crit.expected_indicators else "",
        "criteria_names": json.dumps(
            [{"number": c.number, "name": c.name.model_dump()} for c in crit.criteria],
            ensure_ascii=False,
        ),
    }
    for row, (field, label) in enumerate(SET_FIELDS, start=1):
        head.cell(row, 1, label).font = Font(bold=True)
        head.cell(row, 2, values[field])
    for col, width in ((1, 28), (2, 90)):  # labels, values
        head.column_dimensions[get_column_letter(col)].width = width

    sheet = wb.create_sheet(ROWS_SHEET)
    keys = crit.key_ids()
    header = [label for _, label in ROW_COLUMNS] + [f"{THRESHOLD_PREFIX}{k}" for k in keys]
    sheet.append(header)
    for criterion, ind in crit.indicators():
        for part in ind.measured:
            # One row for the rules without year/condition, one per extra year or condition.
            variants: dict[tuple[int | None, float | None, bool, str], dict[str, object]] = {}
            for rule in part.thresholds:
                variant = (rule.year, rule.when_denominator_at_most, rule.verified, rule.source)
                cells = variants.setdefault(variant, {})
                cells[rule.key or GENERAL_KEY] = _threshold_text(rule)
            if not variants:
                variants[(None, None, False, "")] = {}
            for (year, cond, verified, source), cells in variants.items():
                line_values: dict[str, object] = {
                    "criterion": criterion.number,
                    "criterion_name": criterion.name.vi,
                    "indicator": ind.code,
                    "code": part.code,
                    "name_vi": ind.name.vi,
                    "name_en": ind.name.en,
                    "part_name_vi": part.name.vi if ind.parts else "",
                    "part_name_en": part.name.en if ind.parts else "",
                    "unit": part.unit if ind.parts else ind.unit,
                    "kind": part.kind,
                    "direction": part.direction,
                    "scope": ind.scope,
                    "aggregation": ind.aggregation,
                    "informational": "TRUE" if part.informational else "",
                    "note": ind.note,
                    "year": year if year is not None else "",
                    "when_denominator_at_most": cond if cond is not None else "",
                    "verified": "TRUE" if verified else "FALSE",
                    "source": source,
                }
                line = [line_values[field] for field, _ in ROW_COLUMNS]
                line += [cells.get(k, "") for k in keys]
                sheet.append(line)
    for col in range(1, len(header) + 1):
        sheet.cell(1, col).font = Font(bold=True)
        sheet.cell(1, col).fill = PatternFill("solid", fgColor="DDEBF7")
        sheet.cell(1, col).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(col)].width = 14
    for field in ("name_vi", "name_en", "source"):
        sheet.column_dimensions[get_column_letter(column(field))].width = 50
    sheet.freeze_panes = sheet.cell(2, column("code") + 1)  # the header and the codes stay
    return wb


def export_bytes(crit: CriteriaSet) -> bytes:
    buffer = io.BytesIO()
    export_workbook(crit).save(buffer)
    return buffer.getvalue()
