"""The attainment tables as a formatted Excel workbook (openpyxl).

Sheets:
- "Tổng hợp": commune, period, data date, criteria set, region, X/N criteria, footnotes, and
  every criterion's status with the number of villages meeting it;
- "Toàn xã - chỉ tiêu": the commune's indicators: value, threshold, status, gap, whether the
  threshold was checked against the decision;
- "Thôn - chỉ tiêu": the same for every village (one row per village and indicator);
- "Thôn - tiêu chí": villages × criteria, the status written in every cell and shaded.

Numbers stay numbers (percent values in percent points, as in the returns); yes/no values are
written "Có"/"Không". **No text cell can become a formula**: every string goes through
`safe_cell`, which stores it explicitly as text and, when it starts with =, +, -, @, a tab, CR
or LF, sets Excel's quote prefix (the cell shows the text as is, and editing it in Excel
keeps it text). Village names, file names and notes come from users; a village named
`=HYPERLINK(...)` stays a name.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ntm.exports.report import PartLine, Report

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Status fills: light blue / light orange / light grey (status is also written in words).
FILLS = {
    "met": PatternFill("solid", fgColor="DCE9F7"),
    "unmet": PatternFill("solid", fgColor="FCE4BF"),
    "unknown": PatternFill("solid", fgColor="EDEDED"),
    "missing": PatternFill("solid", fgColor="EDEDED"),
    "no_threshold": PatternFill("solid", fgColor="EDEDED"),
}
HEADER_FILL = PatternFill("solid", fgColor="E8EEF5")
HEADER_FONT = Font(bold=True)
THIN = Side(style="thin", color="D0D7DE")
BORDER = Border(bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)


def safe_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write `value` so that text can never run as a formula (see the module docstring)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would make a text starting with "=" a formula
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _number_format(line: PartLine) -> str:
    if line.kind == "count":
        return "#,##0"
    if line.kind == "percent" or line.unit == "%":
        return "0.0"
    return "#,##0.00"


def _header(ws: Worksheet, row: int, labels: Sequence[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = safe_cell(ws, row, col, label)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER


def _widths(ws: Worksheet, widths: Iterable[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _indicator_columns(r: Report) -> list[str]:
    return [
        r.tr("export.col.criterion"),
        r.tr("export.col.code"),
        r.tr("export.col.name"),
        r.tr("export.col.unit"),
        r.tr("export.col.value"),
        r.tr("export.col.threshold_value"),
        r.tr("export.col.threshold"),
        r.tr("export.col.status"),
        r.tr("export.col.gap"),
        r.tr("export.col.verified"),
    ]


def _indicator_row(ws: Worksheet, row: int, first: int, line: PartLine, r: Report) -> None:
    yes, no = r.tr("ui.value.yes"), r.tr("ui.value.no")
    boolean = line.kind == "boolean" or line.value_text in (yes, no)
    values: list[Any] = [
        line.criterion,
        line.code,
        line.name,
        "" if boolean else line.unit,
        line.value_text if boolean or line.value is None else line.value,
        None if boolean else line.threshold,
        line.threshold_text,
        line.status_text,
        line.gap if line.gap is not None and not boolean else None,
        yes if line.verified else no,
    ]
    for offset, value in enumerate(values):
        cell = safe_cell(ws, row, first + offset, value)
        cell.alignment = WRAP if offset == 2 else CENTER
        cell.border = BORDER
        if offset in (4, 5, 8) and isinstance(value, float):
            cell.number_format = _number_format(line)
    status_cell = ws.cell(row=row, column=first + 7)
    if line.status in FILLS:
        status_cell.fill = FILLS[line.status]


def _summary(ws: Worksheet, r: Report) -> None:
    h = r.headline
    lines: list[tuple[str, bool]] = [
        (r.tr("export.xlsx.title", commune=r.commune, period=r.period), True),
        (r.tr("chart.as_of", date=r.as_of_text), False),
        (
            r.tr(
                "export.deck.criteria_set",
                decision=r.criteria_set.legal_basis.decision,
                title=r.criteria_set.title.get(r.lang),
            ),
            False,
        ),
        (r.tr("export.deck.key", key=r.key_name), False),
        (r.tr("export.xlsx.headline", met=h.met, total=h.total), True),
        (r.tr("chart.source", source=r.source_text), False),
    ]
    if r.footnote:
        lines.append((r.footnote, False))
    if r.incomplete_note:
        lines.append((r.incomplete_note, False))
    lines += [(notice, False) for notice in r.notices]
    if r.demo:
        lines.append((r.tr("export.demo_banner"), True))
    for i, (text, bold) in enumerate(lines, start=1):
        cell = safe_cell(ws, i, 1, text)
        cell.font = Font(bold=bold, size=14 if i == 1 else 11)
    top = len(lines) + 2
    _header(
        ws,
        top,
        [
            r.tr("export.col.criterion"),
            r.tr("export.col.name"),
            r.tr("export.col.status"),
            r.tr("export.col.villages_met"),
        ],
    )
    for i, c in enumerate(r.criteria, start=top + 1):
        villages = f"{c.villages_met}/{c.villages_total}" if c.villages_total is not None else ""
        status = c.status_text + (f" ({c.reason})" if c.reason else "")
        for col, value in enumerate([c.number, c.name, status, villages], start=1):
            cell = safe_cell(ws, i, col, value)
            cell.alignment = WRAP if col == 2 else CENTER
            cell.border = BORDER
        if c.status in FILLS:
            ws.cell(row=i, column=3).fill = FILLS[c.status]
    _widths(ws, [12, 60, 30, 14])
    ws.freeze_panes = ws.cell(row=top + 1, column=1)


def _commune_sheet(ws: Worksheet, r: Report) -> None:
    _header(ws, 1, _indicator_columns(r))
    for i, line in enumerate(r.commune_lines, start=2):
        _indicator_row(ws, i, 1, line, r)
    last = len(r.commune_lines) + 2
    safe_cell(ws, last + 1, 1, r.tr("export.xlsx.note_gap")).font = Font(italic=True)
    if r.footnote:
        safe_cell(ws, last + 2, 1, r.footnote).font = Font(italic=True)
    _widths(ws, [10, 8, 60, 12, 12, 11, 14, 16, 12, 14])
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(10)}{max(2, len(r.commune_lines) + 1)}"


def _village_sheet(ws: Worksheet, r: Report) -> None:
    _header(ws, 1, [r.tr("export.col.village"), *_indicator_columns(r)])
    row = 2
    for village in r.villages:
        for line in r.village_lines[village]:
            cell = safe_cell(ws, row, 1, village)
            cell.alignment = WRAP
            cell.border = BORDER
            _indicator_row(ws, row, 2, line, r)
            row += 1
    _widths(ws, [18, 10, 8, 55, 10, 12, 11, 14, 16, 12, 14])
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(11)}{max(2, row - 1)}"


def _grid_sheet(ws: Worksheet, r: Report) -> None:
    columns = r.grid_columns
    safe_cell(ws, 1, 1, r.tr("export.col.village")).font = HEADER_FONT
    ws.cell(row=1, column=1).fill = HEADER_FILL
    for j, number in enumerate(columns, start=2):
        cell = safe_cell(ws, 1, j, r.tr("chart.criterion_short", number=number))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
    lookup = {
        (str(a), str(b)): str(s)
        for a, b, s in zip(r.grid["row"], r.grid["column"], r.grid["status"], strict=True)
    }
    from ntm import formatting as fmt

    for i, name in enumerate(r.grid_rows, start=2):
        cell = safe_cell(ws, i, 1, name)
        cell.font = Font(bold=(i == 2))
        for j, number in enumerate(columns, start=2):
            status = lookup.get((name, number))
            if status is None:
                continue
            cell = safe_cell(ws, i, j, fmt.status_label(status, r.lang))
            cell.alignment = CENTER
            if status in FILLS:
                cell.fill = FILLS[status]
    _widths(ws, [20, *([11] * len(columns))])
    ws.freeze_panes = "B2"


def _self_check_sheet(ws: Worksheet, r: Report) -> None:
    """Each self-assessment the thresholds contradict, with the file, sheet and cell."""
    _header(
        ws,
        1,
        [
            r.tr("export.col.unit_name"),
            r.tr("export.col.code"),
            r.tr("export.col.self_check"),
            r.tr("export.col.where"),
        ],
    )
    whole = r.tr("ui.whole_commune")
    for i, d in enumerate(r.self_check, start=2):
        for col, value in enumerate(
            [d.village or whole, d.code, d.message(r.lang), d.where()], start=1
        ):
            cell = safe_cell(ws, i, col, value)
            cell.alignment = WRAP
            cell.border = BORDER
    _widths(ws, [18, 10, 60, 50])


def _merger_sheet(ws: Worksheet, r: Report) -> None:
    """A merged commune: one row per unit and year, each predecessor under its own name with
    the commune it merged into, then the commune's own years (never added up)."""
    assert r.history is not None
    ws.cell(1, 1, r.tr("merger.xlsx.title", commune=r.commune)).font = Font(bold=True, size=13)
    row = 2
    for note in r.history.notes:
        safe_cell(ws, row, 1, note)
        row += 1
    row += 1
    _header(
        ws,
        row,
        [
            r.tr("merger.col.unit"),
            r.tr("merger.col.successor"),
            r.tr("merger.col.year"),
            r.tr("merger.col.set"),
            r.tr("merger.col.met"),
            r.tr("merger.col.total"),
        ],
    )
    for panel in r.history.panels:
        for line in panel.progress.itertuples(index=False):
            row += 1
            values = [
                panel.label,
                panel.successor or "",
                int(line.period),
                panel.set_label,
                int(line.criteria_met),
                int(line.criteria_total),
            ]
            for col, value in enumerate(values, start=1):
                safe_cell(ws, row, col, value).border = BORDER
    for label in r.history.empty:
        row += 1
        safe_cell(ws, row, 1, r.tr("merger.no_data", label=label))
    _widths(ws, [34, 18, 8, 30, 14, 16])


def build_xlsx(report: Report) -> bytes:
    """The workbook as .xlsx bytes."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = report.tr("export.xlsx.summary")
    _summary(summary, report)
    _commune_sheet(wb.create_sheet(report.tr("export.xlsx.commune")), report)
    _village_sheet(wb.create_sheet(report.tr("export.xlsx.villages")), report)
    if report.grid_rows:
        _grid_sheet(wb.create_sheet(report.tr("export.xlsx.grid")), report)
    if report.self_check:
        _self_check_sheet(wb.create_sheet(report.tr("export.xlsx.self_check")), report)
    if report.history is not None:
        _merger_sheet(wb.create_sheet(report.tr("merger.xlsx.sheet")), report)
    wb.properties.title = report.title_text
    wb.properties.creator = "ntm"
    wb.properties.language = "vi-VN" if report.lang == "vi" else "en-US"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
