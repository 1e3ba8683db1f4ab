"""Criteria sets as an Excel sheet: export, and import with every problem named by its cell.

A commune officer holding the official decision corrects thresholds in Excel (or fills the
47 indicators of Decision 51/2025/QĐ-TTg) and imports the sheet as a new set. Layout: sheet
"Bộ tiêu chí" holds the set's header fields as label/value rows; sheet "Chỉ tiêu" one row per
measured value (an indicator, or a part of one: 12.2a men, 12.2b women) with its thresholds in
columns "Ngưỡng: <key>" (one per region/group; "Ngưỡng: general" is the general value) and
optional per-year rows. Export → import is lossless: every field of the schema has a column.

`layout` holds the sheets' layout, `export` writes a set, `read` reads a sheet back (with the
limits and guard of an uploaded return); this package re-exports them.
"""

from ntm.criteria_sheet.export import export_bytes, export_workbook
from ntm.criteria_sheet.layout import (
    NOT_APPLICABLE,
    ROW_COLUMNS,
    ROWS_SHEET,
    SET_FIELDS,
    SET_SHEET,
    THRESHOLD_PREFIX,
    TO_SUPPLY,
)
from ntm.criteria_sheet.read import read_sheet

__all__ = [
    "NOT_APPLICABLE",
    "ROWS_SHEET",
    "ROW_COLUMNS",
    "SET_FIELDS",
    "SET_SHEET",
    "THRESHOLD_PREFIX",
    "TO_SUPPLY",
    "export_bytes",
    "export_workbook",
    "read_sheet",
]
