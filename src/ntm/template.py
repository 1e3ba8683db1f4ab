"""The Excel return template (DESIGN §4): one workbook per commune and period.

Layout (the reader in `ntm.returns` reads it back; the demo generator relies on it):

- "Thông tin": label/value rows — Xã, Năm, Vùng (region id and name) or Nhóm xã (group-keyed
  sets), Bộ tiêu chí (set id), Ghi chú (free note, e.g. "Dữ liệu minh họa"), Mã xã (the
  official administrative unit code, matched before the name: ntm.register).
- "Toàn xã": the commune as a whole: every indicator; the commune-level value of a village-scope
  indicator may be left empty (it is aggregated from the villages).
- one sheet per village (title = the name made a valid, unique sheet title of at most 31
  characters; the full name is in the "Thôn/Bản:" row), holding the village-scope indicators.
- "Danh mục" (hidden): the lists the dropdowns refer to (inline lists are limited to 255 chars).

Each data sheet: metadata rows (Xã:, Thôn/Bản:, Năm:), a note on how to enter shares, the header
row (`HEADERS`), then one row per measured code (parts such as "12.2a" have their own rows).
Codes are text. Yes/no cells carry a Có/Không dropdown and the unit "Có/Không": answers, not
verdicts (9.1 "Nhà tạm, dột nát" is met by the answer "Không"; a verdict "Đạt" there would say
the opposite of the answer "Có");
percent cells show "95 %" for 95 (values are percent points, never 0.95). Labels are locked
(sheet protection without a password: advisory), input cells are unlocked, panes are frozen
under the header. Every text is written as text (`ntm.exports.xlsx.safe_cell`): a commune,
village or note starting with "=", "+", "-" or "@" never becomes a formula, whoever typed it
(village names come from earlier uploads, and the template goes to every other user).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ntm.criteria import GENERAL_KEY, CriteriaSet, Indicator, Part, pick_threshold
from ntm.exports.xlsx import safe_cell
from ntm.text import nfc

SHEET_INFO = "Thông tin"
SHEET_COMMUNE = "Toàn xã"
SHEET_LISTS = "Danh mục"
COMMUNE_UNIT = "Toàn xã"  # the "Thôn/Bản:" value of the commune sheet
VILLAGE_SET_PREFIX = "Thôn – "  # before a village-set criterion: "Thôn – 4. Giao thông"

YES_TEXT = "Có"
NO_TEXT = "Không"
BOOLEAN_UNIT = "Có/Không"  # the unit cell of a yes/no row (fill_template relies on it)
YES_NO_NAME = "DS_CO_KHONG"  # defined name of the dropdown list
KEYS_NAME = "DS_VUNG_NHOM"  # defined name of the regions/groups list

LABEL_COMMUNE = "Xã"
LABEL_PERIOD = "Năm"
LABEL_REGION = "Vùng"
LABEL_GROUP = "Nhóm xã"
LABEL_SET = "Bộ tiêu chí"
LABEL_NOTE = "Ghi chú"
LABEL_CODE = "Mã xã"
META_COMMUNE = "Xã:"
META_VILLAGE = "Thôn/Bản:"
META_PERIOD = "Năm:"

HEADERS = [
    "Tiêu chí",
    "Mã chỉ tiêu",
    "Nội dung chỉ tiêu",
    "Đơn vị",
    "Ngưỡng (tham khảo)",
    "Giá trị",
    "Tử số",
    "Mẫu số",
    "Ghi chú",
]
COL_CODE, COL_UNIT, COL_VALUE, COL_NUM, COL_DEN, COL_NOTE = 2, 4, 6, 7, 8, 9
HEADER_ROW = 5
FIRST_DATA_ROW = HEADER_ROW + 1
WIDTHS = [24, 11, 62, 14, 26, 12, 10, 10, 32]

PERCENT_FORMAT = '0.0" %"'  # shows 95 as "95.0 %": the literal % does not scale the number
SHARE_NOTE = (
    "Tỷ lệ (%) nhập theo điểm phần trăm: 95 nghĩa là 95% (không nhập 0,95). Có thể chỉ nhập "
    'Tử số và Mẫu số, tỷ lệ sẽ được tự tính. Ô "Có/Không" chọn trong danh sách.'
)
SHEET_TITLE_MAX = 31
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
RESERVED_TITLES = (SHEET_INFO, SHEET_COMMUNE, SHEET_LISTS, "History")

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_titles(villages: Iterable[str]) -> list[str]:
    """A valid, unique sheet title (≤ 31 characters) for each village, in order.

    Excel compares titles without regard to case; the fixed sheets' titles are reserved.
    """
    taken = {t.casefold() for t in RESERVED_TITLES}
    titles: list[str] = []
    for village in villages:
        base = _BAD_TITLE.sub("-", nfc(village)).strip("'").strip() or "Thôn"
        base = base[:SHEET_TITLE_MAX].rstrip()
        title, n = base, 1
        while title.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            title = base[: SHEET_TITLE_MAX - len(suffix)].rstrip() + suffix
        taken.add(title.casefold())
        titles.append(title)
    return titles


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def threshold_text(part: Part, key: str | None, period: int) -> str:
    """The threshold shown for reference, e.g. "≥ 70 %", "Đạt", "(chưa có ngưỡng)"."""
    rule = pick_threshold(part.thresholds, key, period)
    if rule is None or rule.value is None:
        return "(chưa có ngưỡng)"
    if not rule.applies:
        return "(không áp dụng)"
    if part.kind == "boolean" or isinstance(rule.value, bool):
        return YES_TEXT if bool(rule.value) else NO_TEXT
    unit = " %" if part.kind == "percent" else (f" {part.unit}" if part.unit else "")
    text = f"{part.direction} {_number(float(rule.value))}{unit}".replace("==", "=")
    if rule.when_denominator_at_most is not None:
        text += f" (khi mẫu số ≤ {_number(rule.when_denominator_at_most)})"
    return text


def _key_row(criteria: CriteriaSet, key: str | None) -> tuple[str, str]:
    label = LABEL_REGION if criteria.keyed_by == "region" else LABEL_GROUP
    if key is None:
        return label, ""
    for k in criteria.keys:
        if k.id == key:
            return label, f"{k.id} — {k.name.vi}"
    raise ValueError(f"{key!r} is not a {criteria.keyed_by} of {criteria.id}: {criteria.key_ids()}")


def _info_sheet(
    ws: Worksheet,
    commune: str,
    period: int,
    criteria: CriteriaSet,
    key: str | None,
    note: str,
    code: str | None = None,
) -> None:
    rows: list[tuple[str, Any]] = [
        (LABEL_COMMUNE, commune),
        (LABEL_PERIOD, period),
        _key_row(criteria, key),
        (LABEL_SET, criteria.id),
        (LABEL_NOTE, note),
        (LABEL_CODE, code or ""),
    ]
    for r, (label, value) in enumerate(rows, start=1):
        safe_cell(ws, r, 1, label).font = _BOLD
        cell = safe_cell(ws, r, 2, value)
        cell.protection = _UNLOCKED
        cell.fill = _INPUT_FILL
    safe_cell(ws, len(rows) + 2, 1, criteria.title.vi).font = Font(italic=True)
    decision = f"Căn cứ: {criteria.legal_basis.decision}"
    safe_cell(ws, len(rows) + 3, 1, decision).font = Font(italic=True)
    safe_cell(ws, len(rows) + 4, 1, SHARE_NOTE).font = Font(italic=True)
    _widths(ws, [16, 60])  # labels, values
    ws.protection.sheet = True


def _lists_sheet(wb: openpyxl.Workbook, criteria: CriteriaSet) -> Worksheet:
    ws = wb.create_sheet(SHEET_LISTS)
    for r, text in enumerate((YES_TEXT, NO_TEXT), start=1):
        ws.cell(r, 1, text)
    wb.defined_names[YES_NO_NAME] = DefinedName(YES_NO_NAME, attr_text=_list_range(1, 2))
    keys = [f"{k.id} — {k.name.vi}" for k in criteria.keys if k.id != GENERAL_KEY]
    for r, text in enumerate(keys, start=1):
        safe_cell(ws, r, 2, text)
    if keys:
        wb.defined_names[KEYS_NAME] = DefinedName(KEYS_NAME, attr_text=_list_range(2, len(keys)))
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return ws


def _list_range(column: int, rows: int) -> str:
    """A list's cells on the hidden sheet, as a defined name refers to them:
    'Danh mục'!$A$1:$A$2."""
    letter = get_column_letter(column)
    return f"{quote_sheetname(SHEET_LISTS)}!{absolute_coordinate(f'{letter}1:{letter}{rows}')}"


def _widths(ws: Worksheet, widths: Iterable[float]) -> None:
    """The widths of the first columns, in order."""
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width


def _data_sheet(
    ws: Worksheet,
    commune: str,
    period: int,
    unit: str,
    rows: list[tuple[str, Indicator, Part, bool]],
    key: str | None,
) -> None:
    """Write one data sheet. `rows`: (criterion label, indicator, part, yes/no cell)."""
    for r, (label, value) in enumerate(
        ((META_COMMUNE, commune), (META_VILLAGE, unit), (META_PERIOD, period)), start=1
    ):
        safe_cell(ws, r, 1, label).font = _BOLD
        safe_cell(ws, r, 2, value).font = _BOLD
    safe_cell(ws, 4, 1, SHARE_NOTE).font = Font(italic=True, color="7F6000")
    for c, text in enumerate(HEADERS, start=1):
        cell = safe_cell(ws, HEADER_ROW, c, text)
        cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEADER_FILL, _BORDER, _WRAP
    yes_no = DataValidation(
        type="list",
        formula1=f"={YES_NO_NAME}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=BOOLEAN_UNIT,
        error="Hãy chọn Có hoặc Không.",
    )
    for r, (label, ind, part, boolean) in enumerate(rows, start=FIRST_DATA_ROW):
        percent = part.kind == "percent" and not boolean
        threshold = threshold_text(part, key, period)
        if boolean and part.kind == "percent":  # a village's answer to a "share of villages"
            threshold = f"{YES_TEXT} (xã: {threshold} số thôn)"
        elif unit == COMMUNE_UNIT and ind.scope == "village":
            threshold += " — tổng hợp từ các thôn, có thể để trống"
        cells = [
            label,
            part.code,
            part.name.vi,
            BOOLEAN_UNIT if boolean else ("%" if percent else part.unit),
            threshold,
        ]
        for c, text in enumerate(cells, start=1):
            cell = safe_cell(ws, r, c, text)
            cell.border, cell.alignment = _BORDER, _WRAP
        ws.cell(r, COL_CODE).number_format = "@"
        inputs = [COL_VALUE, COL_NOTE] + ([COL_NUM, COL_DEN] if percent else [])
        for c in range(COL_VALUE, COL_NOTE + 1):
            cell = ws.cell(r, c)
            cell.border = _BORDER
            if c in inputs:
                cell.protection, cell.fill = _UNLOCKED, _INPUT_FILL
        value = ws.cell(r, COL_VALUE)
        if boolean:
            yes_no.add(value)
        elif percent:
            value.number_format = PERCENT_FORMAT
        elif part.kind == "count":
            value.number_format = "0"
    if yes_no.sqref:
        ws.add_data_validation(yes_no)
    _widths(ws, WIDTHS)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _rows(
    criteria: CriteriaSet, village: bool, prefix: str = ""
) -> list[tuple[str, Indicator, Part, bool]]:
    out = []
    for criterion, ind in criteria.indicators():
        if village and ind.scope != "village":
            continue
        label = f"{prefix}{criterion.number}. {criterion.name.vi}"
        for part in ind.measured:
            boolean = part.kind == "boolean" or (village and ind.aggregation == "share")
            out.append((label, ind, part, boolean))
    return out


def build_template(
    commune: str,
    period: int,
    villages: list[str],
    criteria: CriteriaSet,
    key: str | None = None,
    note: str = "",
    village_set: CriteriaSet | None = None,
    commune_code: str | None = None,
) -> openpyxl.Workbook:
    """The return workbook for `commune` and `period` with one sheet per village.

    `key` is the commune's region (region-keyed sets) or group (group-keyed sets); it selects
    the thresholds shown for reference. `village_set`: the province village set the commune
    follows for the period (ntm.village_sets); its indicators follow the national ones on each
    village sheet, their criteria labelled "Thôn …". Raises ValueError for a key the set does
    not know or a village named twice. `commune_code`: the commune's administrative unit code,
    written on the "Mã xã" row of Thông tin (empty when not known, for staff to fill in).
    """
    commune = nfc(commune)
    names = [nfc(v) for v in villages]
    if len({n.casefold() for n in names}) != len(names):
        raise ValueError(f"a village is named twice: {names}")
    wb = openpyxl.Workbook()
    info = wb.active
    assert info is not None
    info.title = SHEET_INFO
    _info_sheet(info, commune, period, criteria, key, note, commune_code)
    _data_sheet(
        wb.create_sheet(SHEET_COMMUNE),
        commune,
        period,
        COMMUNE_UNIT,
        _rows(criteria, village=False),
        key,
    )
    village_rows = _rows(criteria, village=True)
    if village_set is not None:
        village_rows += _rows(village_set, village=False, prefix=VILLAGE_SET_PREFIX)
    for name, title in zip(names, sheet_titles(names), strict=True):
        _data_sheet(wb.create_sheet(title), commune, period, name, village_rows, key)
    lists = _lists_sheet(wb, criteria)
    if lists.max_column >= 2:
        key_list = DataValidation(type="list", formula1=f"={KEYS_NAME}", allow_blank=True)
        key_list.add("B3")
        info.add_data_validation(key_list)
    wb.properties.creator = "ntm"
    wb.properties.title = f"Báo cáo NTM {commune} {period}"
    return wb


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _sheets_by_unit(wb: openpyxl.Workbook) -> dict[str | None, Worksheet]:
    out: dict[str | None, Worksheet] = {}
    for ws in wb.worksheets:
        if ws.title in (SHEET_INFO, SHEET_LISTS) or ws.cell(2, 1).value != META_VILLAGE:
            continue
        unit = nfc(ws.cell(2, 2).value or "")
        out[None if unit == COMMUNE_UNIT else unit] = ws
    return out


def _code_rows(ws: Worksheet) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        code = ws.cell(r, COL_CODE).value
        if code is not None:
            out[str(code)] = r
    return out


def fill_template(wb: openpyxl.Workbook, values: pd.DataFrame) -> None:
    """Write a tidy values frame into a workbook made by `build_template`.

    Each row goes to the sheet of its village (None = "Toàn xã") and the row of its code:
    value, numerator, denominator and note. Yes/no rows get "Có"/"Không". Missing values
    leave the cell empty. Raises ValueError naming the rows whose sheet or code is not there.
    """
    sheets = _sheets_by_unit(wb)
    code_rows = {unit: _code_rows(ws) for unit, ws in sheets.items()}
    missing: list[str] = []
    for row in values.itertuples(index=False):
        village = None if _is_missing(row.village) else nfc(row.village)
        ws = sheets.get(village)
        r = code_rows[village].get(str(row.code)) if ws is not None else None
        if ws is None or r is None:
            missing.append(f"{village or COMMUNE_UNIT}/{row.code}")
            continue
        boolean = ws.cell(r, COL_UNIT).value == BOOLEAN_UNIT
        value: Any = None if _is_missing(row.value) else float(row.value)
        if boolean and value is not None:
            value = YES_TEXT if value >= 0.5 else NO_TEXT
        safe_cell(ws, r, COL_VALUE, value)
        for col, item in ((COL_NUM, row.numerator), (COL_DEN, row.denominator)):
            safe_cell(ws, r, col, None if _is_missing(item) else _plain(float(item)))
        note = getattr(row, "note", None)
        safe_cell(ws, r, COL_NOTE, None if _is_missing(note) or note == "" else str(note))
    if missing:
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise ValueError(f"{len(missing)} values have no row in the template: {shown}")


def _plain(value: float) -> float | int:
    return int(value) if math.isfinite(value) and value.is_integer() else value


def write_template(
    path: str | Path,
    commune: str,
    period: int,
    villages: list[str],
    criteria: CriteriaSet,
    key: str | None = None,
    note: str = "",
    values: pd.DataFrame | None = None,
    village_set: CriteriaSet | None = None,
) -> Path:
    """Build the template (filled with `values` if given) and save it to `path`."""
    wb = build_template(
        commune, period, villages, criteria, key=key, note=note, village_set=village_set
    )
    if values is not None:
        fill_template(wb, values)
    out = Path(path)
    wb.save(out)
    return out
