"""The province's numbers as an Excel workbook (openpyxl), from one `ProvinceView`.

Sheets: "Tổng hợp" (province, year, data date, filters, communes at standard of how many and
the share, close to standard, communes without data, merged communes); "Các xã" (every commune
judged: group, region, criteria set, criteria met, of how many, short, status); "Phân bố"
(communes meeting k criteria, per set); "Xã - tiêu chí" (communes × criteria, the status in
words and shaded, one block per set); "Gần đạt chuẩn" (the indicators and villages that hold
those communes back); "Qua các năm" (communes at standard per year and set).

Numbers stay numbers; every text goes through `ntm.exports.xlsx.safe_cell`, so a commune or
village name can never become a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ntm.exports.province import ProvinceReport
from ntm.exports.xlsx import BORDER, CENTER, FILLS, HEADER_FILL, HEADER_FONT, WRAP, safe_cell

SHEETS = ("summary", "communes", "distribution", "grid", "close", "trend")


def _header(ws: Worksheet, row: int, labels: Sequence[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = safe_cell(ws, row, col, label)
        cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, CENTER, BORDER


def _row(ws: Worksheet, row: int, values: Sequence[Any], wrap: Sequence[int] = ()) -> None:
    for col, value in enumerate(values, start=1):
        cell = safe_cell(ws, row, col, value)
        cell.alignment = WRAP if col in wrap or col == 1 else CENTER
        cell.border = BORDER


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _summary(ws: Worksheet, r: ProvinceReport) -> None:
    v = r.view
    safe_cell(ws, 1, 1, r.tr("export.province.title")).font = HEADER_FONT
    safe_cell(ws, 2, 1, r.subtitle)
    rows: list[tuple[str, Any]] = [
        (r.tr("export.province.label.province"), r.name),
        (r.tr("export.province.label.year"), v.year),
        (r.tr("export.province.label.as_of"), r.as_of_text),
        (r.tr("export.province.label.filters"), r.filters_text or r.tr("ui.province.all")),
        (r.tr("export.province.label.at_standard"), v.at_standard),
        (r.tr("export.province.label.total"), v.total),
        (
            r.tr("export.province.label.share"),
            None if v.share is None else round(100 * v.share, 1),
        ),
        (r.tr("export.province.label.close"), len(v.close)),
        (r.tr("export.province.label.no_data"), r.no_data_text()),
        (r.tr("export.province.label.merged"), r.merged_text()),
        (r.tr("export.province.label.before_merger"), r.before_merger_text()),
        (r.tr("chart.source", source=r.source_text), ""),
        (r.tr("export.province.label.generated"), r.generated.strftime("%d/%m/%Y %H:%M UTC")),
    ]
    if r.demo:
        rows.append((r.tr("export.demo_banner"), ""))
    for i, (label, value) in enumerate(rows, start=4):
        safe_cell(ws, i, 1, label).font = HEADER_FONT
        safe_cell(ws, i, 2, value).alignment = WRAP
    _widths(ws, [44, 60])


def _communes(ws: Worksheet, r: ProvinceReport) -> None:
    _header(
        ws,
        1,
        [
            r.tr("ui.province.col.commune"),
            r.tr("ui.province.col.group"),
            r.tr("ui.province.col.region"),
            r.tr("ui.province.col.set"),
            r.tr("ui.province.col.met"),
            r.tr("export.province.col.criteria_total"),
            r.tr("ui.province.col.short"),
            r.tr("ui.province.col.status"),
        ],
    )
    for i, c in enumerate(r.view.communes, start=2):
        _row(
            ws,
            i,
            [
                c.commune,
                c.group or "",
                c.region or "",
                r.set_label(c.criteria_set),
                c.met,
                c.total,
                c.short,
                r.status(c),
            ],
        )
    _widths(ws, [26, 10, 12, 30, 14, 16, 12, 20])
    ws.freeze_panes = "B2"


def _distribution(ws: Worksheet, r: ProvinceReport) -> None:
    _header(
        ws,
        1,
        [
            r.tr("ui.province.col.set"),
            r.tr("export.province.col.criteria_total"),
            r.tr("export.province.col.criteria_met"),
            r.tr("export.province.col.count"),
        ],
    )
    d = r.view.distribution
    for i, row in enumerate(d.itertuples(index=False), start=2):
        _row(
            ws,
            i,
            [row.set_label, int(row.criteria_total), int(row.criteria_met), int(row.communes)],
        )
    _widths(ws, [32, 18, 16, 12])


def _grid(ws: Worksheet, r: ProvinceReport) -> None:
    row = 1
    for grid in r.view.grids:
        safe_cell(ws, row, 1, f"{r.set_label(grid.criteria_set)} — {grid.title}").font = HEADER_FONT
        row += 1
        _header(
            ws,
            row,
            [r.tr("ui.province.col.commune")]
            + [r.tr("chart.criterion_short", number=c) for c in grid.columns],
        )
        lookup = {
            (str(a), str(b)): str(s)
            for a, b, s in grid.cells[["row", "column", "status"]].itertuples(index=False)
        }
        for commune in grid.rows:
            row += 1
            safe_cell(ws, row, 1, commune).border = BORDER
            for j, column in enumerate(grid.columns, start=2):
                status = lookup.get((commune, column))
                cell = safe_cell(ws, row, j, r.tr(f"chart.status.{status}") if status else "")
                cell.alignment, cell.border = CENTER, BORDER
                if status in FILLS:
                    cell.fill = FILLS[status]
        row += 2
    width = max((len(g.columns) for g in r.view.grids), default=0)
    _widths(ws, [26] + [11] * width)


def _close(ws: Worksheet, r: ProvinceReport) -> None:
    _header(
        ws,
        1,
        [
            r.tr("ui.province.col.commune"),
            r.tr("ui.province.col.met"),
            r.tr("export.province.col.criterion"),
            r.tr("export.province.col.indicator"),
            r.tr("export.province.col.value"),
            r.tr("export.province.col.threshold"),
            r.tr("export.province.col.gap"),
            r.tr("export.province.col.villages"),
        ],
    )
    row = 1
    for item in r.view.close:
        for line in r.close_rows(item) or [["", "", "", "", "", ""]]:
            row += 1
            _row(ws, row, [item.commune, f"{item.met}/{item.total}", *line], wrap=(3, 4, 8))
    _widths(ws, [24, 12, 28, 40, 12, 14, 14, 44])


def _trend(ws: Worksheet, r: ProvinceReport) -> None:
    _header(
        ws,
        1,
        [
            r.tr("export.province.col.year"),
            r.tr("ui.province.col.set"),
            r.tr("export.province.col.criteria_total"),
            r.tr("export.province.col.communes"),
            r.tr("export.province.col.at_standard"),
        ],
    )
    for i, row in enumerate(r.view.trend.itertuples(index=False), start=2):
        _row(
            ws,
            i,
            [
                int(row.period),
                row.set_label,
                int(row.criteria_total),
                int(row.communes),
                int(row.at_standard),
            ],
        )
    _widths(ws, [10, 32, 18, 18, 18])


def build(r: ProvinceReport) -> bytes:
    """The workbook as .xlsx bytes (sheet names in the report's language)."""
    wb = Workbook()
    draw = {
        "summary": _summary,
        "communes": _communes,
        "distribution": _distribution,
        "grid": _grid,
        "close": _close,
        "trend": _trend,
    }
    for i, key in enumerate(SHEETS):
        ws = wb.active if i == 0 else wb.create_sheet()
        assert ws is not None
        ws.title = r.tr(f"export.province.sheet.{key}")[:31]
        draw[key](ws, r)
    wb.properties.title = r.subtitle
    wb.properties.creator = "ntm"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
