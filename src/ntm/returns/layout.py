"""Where the table is on a sheet and what each column holds (long or wide layout).

A header row is one with a code column, or (the decision's own grid) a name column with a
value column: codes are then read at the start of the names ("2.2. Tỷ lệ …"). "STT"/"TT" row
numbers are never codes. A second header row is followed when the first has cells merged over
it (regions under "Chỉ tiêu theo vùng", years or villages under "Kết quả"). Every column gets
a role; in a wide table only villages, "Toàn xã" and clearly village-like names are units,
and plan, previous-year, comparison and threshold columns are recognised (`Column.reason`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ntm.returns.cells import is_empty
from ntm.returns.codes import code_prefix
from ntm.returns.grids import Grid
from ntm.returns.labels import (
    COMMUNE_WORDS,
    IGNORED_ROLES,
    header_role,
    label_key,
    village_prefix,
)
from ntm.returns.meta import years_in
from ntm.text import nfc

HEADER_SEARCH_ROWS = 30
_VALUE_ROLES = ("value", "numerator", "denominator")
_COLUMN_NUMBER = re.compile(r"\(\s*(?:\d{1,2}|[A-Z])\s*\)(?:\s*=.*)?|\d{1,2}")
_PROPER_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(slots=True)
class Column:
    col: int
    header: str  # as written; a sub-header after its parent: "Kết quả thực hiện › 2024"
    role: str  # a header role, or village / commune / unknown
    village: str | None = None
    year: int | None = None  # the year the header names ("Kết quả năm 2023")
    reason: str = ""  # why a column is left out: plan, previous, compare, year, other_year
    header_row: int = 0  # zero-based row of the cell that names it

    @property
    def ignored(self) -> bool:
        return bool(self.reason)


@dataclass
class Table:
    top: int  # zero-based: the first header row (metadata rows are above it)
    header_row: int  # the last header row (data start below it)
    columns: dict[int, Column]
    code_col: int  # -1: codes are read at the start of the name cells
    wide: bool = False
    skip_rows: set[int] = field(default_factory=set)  # e.g. a "(1) (2) (3)" row
    value_col: int = -1  # chosen by the reader once the year is known

    def col(self, role: str) -> int:
        """The first column with `role`, -1 when there is none."""
        return self.by_role().get(role, -1)

    def by_role(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in sorted(self.columns):
            out.setdefault(self.columns[c].role, c)
        return out

    def value_candidates(self) -> list[Column]:
        return [c for c in self.columns.values() if c.role == "value" and not c.ignored]

    def units(self) -> list[tuple[int, str | None]]:
        """Wide layout: (column, village or None for the commune)."""
        return [
            (c.col, c.village)
            for c in self.columns.values()
            if c.role in ("village", "commune") and not c.ignored
        ]


def _role_of(text: str) -> str:
    role = header_role(text)
    if role is not None:
        return "unknown" if role == "other" else role
    if label_key(text) in COMMUNE_WORDS:
        return "commune"
    return "unknown"


def _header_cells(row: list[Any]) -> dict[int, str]:
    """The cells of a row that may be headers, as text (not yet NFC: labels are compared
    folded, and only the header row's own cells are kept, as `nfc` makes them)."""
    out = {}
    for c, value in enumerate(row):
        if value == "" or value is None:
            continue
        kind = type(value)
        if kind is str:
            if len(value) <= 80 and not value.isspace():
                out[c] = value
        elif kind is float or kind is int:
            out[c] = str(int(value)) if float(value).is_integer() else str(value)
    return out


def _village_like(text: str) -> bool:
    """A column header that names a village: "Thôn 3", "Bản Giềng", or a proper name whose
    every word starts with a capital ("Nà Dì", "Quan Nưa"), without digits."""
    if village_prefix(text):
        return True
    words = text.split()
    return (
        0 < len(words) <= 5
        and not any(ch.isdigit() for ch in text)
        and all(_PROPER_WORD.fullmatch(w) and w[0].isupper() for w in words)
    )


def _codes_below(grid: Grid, r: int, col: int, rows: int = 12) -> bool:
    """Whether cells under row r of column `col` start with an indicator code."""
    hits = 0
    for rr in range(r + 1, min(r + 1 + rows, len(grid.rows))):
        cell = grid.get(rr, col)
        if isinstance(cell, str) and code_prefix(cell) is not None:
            hits += 1
    return hits > 0


def _holds_names(grid: Grid, r: int, col: int, rows: int = 12) -> bool:
    """Whether a column under row r holds indicator names (long texts) rather than
    thresholds ("≥70%", "Đạt")."""
    long = short = 0
    for rr in range(r + 1, min(r + 1 + rows, len(grid.rows))):
        cell = grid.get(rr, col)
        if isinstance(cell, str) and cell.strip():
            if len(cell.strip()) > 25:
                long += 1
            else:
                short += 1
    return long > short


@lru_cache(maxsize=2048)
def _row_roles(
    row: tuple[Any, ...], types: tuple[type, ...]
) -> tuple[dict[int, str], dict[int, str]]:
    """A row's header cells and their roles; cached by the row's content (with the cells'
    types: 1, 1.0 and True are equal keys), since a workbook's sheets repeat their header and
    metadata rows. Callers copy before changing them."""
    cells = _header_cells(list(row))
    return cells, {c: _role_of(text) for c, text in cells.items()}


def find_table(grid: Grid) -> Table | None:
    """The header row (first 30 rows) and its columns; None when the sheet has no table."""
    for r in range(min(HEADER_SEARCH_ROWS, len(grid.rows))):
        row = grid.rows[r]
        cells, found = _row_roles(tuple(row), tuple(map(type, row)))
        if len(cells) < 2:
            continue
        roles = dict(found)
        role_set = set(roles.values())
        if "name" not in role_set and "code" not in role_set:
            ambiguous = [
                c
                for c, role in roles.items()
                if role == "threshold" and label_key(cells[c]) == "chi tieu"
            ]
            if ambiguous and _holds_names(grid, r, ambiguous[0]):
                roles[ambiguous[0]] = "name"
                role_set.add("name")
        has_value = "value" in role_set or {"numerator", "denominator"} <= role_set
        if "code" in role_set:
            code_col = min(c for c, role in roles.items() if role == "code")
        elif "name" in role_set:
            name_col = min(c for c, role in roles.items() if role == "name")
            if not (has_value or _codes_below(grid, r, name_col)):
                continue
            code_col = -1
        else:
            continue
        table = _build(grid, r, cells, roles, code_col)
        if table is not None:
            return table
    return None


def _build(
    grid: Grid, r: int, cells: dict[int, str], roles: dict[int, str], code_col: int
) -> Table | None:
    columns = {}
    for c, text in cells.items():
        shown, year = _header_text(text)
        columns[c] = Column(c, shown, roles[c], year=year, header_row=r)
    last = r
    if _is_subheader(grid, r, columns, code_col):
        last = r + 1
        _merge_subheader(grid.rows[r + 1], columns, r + 1)
    has_value = any(c.role == "value" for c in columns.values()) or {
        "numerator",
        "denominator",
    } <= {c.role for c in columns.values()}
    first_data = (
        code_col
        if code_col >= 0
        else min((c.col for c in columns.values() if c.role == "name"), default=0)
    )
    for column in columns.values():
        _settle(column, wide=not has_value, after=first_data)
    wide = not has_value
    if wide and not any(c.role in ("village", "commune") for c in columns.values()):
        return None
    table = Table(r, last, columns, code_col, wide=wide)
    nxt = last + 1
    if nxt < len(grid.rows) and _is_column_numbers(grid.rows[nxt]):
        table.skip_rows.add(nxt)
    return table


@lru_cache(maxsize=4096)
def _header_text(text: str) -> tuple[str, int | None]:
    return nfc(text), _year(text)


def _year(text: str) -> int | None:
    years = years_in(text)
    return years[0] if len(years) == 1 else None


def _is_subheader(grid: Grid, r: int, columns: dict[int, Column], code_col: int) -> bool:
    """Row r+1 continues the header: its code (or name) cell is empty and it names columns
    under a header cell merged over them, or under a group header."""
    if r + 1 >= len(grid.rows):
        return False
    key_col = (
        code_col
        if code_col >= 0
        else min((c.col for c in columns.values() if c.role == "name"), default=-1)
    )
    if not is_empty(grid.get(r + 1, key_col)):
        return False  # the first indicator row (the usual case): no second header row
    below = _header_cells(grid.rows[r + 1])
    if not below or _is_column_numbers(grid.rows[r + 1]):
        return False
    for c, text in below.items():
        if isinstance(grid.get(r + 1, c), int | float) and _year(text) is None:
            return False  # a number that is not a year: a data row
        parent = columns.get(c)
        if parent is None or parent.role in ("threshold", "value", "unknown", *IGNORED_ROLES):
            continue
        if parent.role in ("village", "commune") or header_role(text) is not None:
            continue
        return False
    return True


def _merge_subheader(row: list[Any], columns: dict[int, Column], r: int) -> None:
    """Sub-headers take their meaning from the header cell merged over them (their own, or
    the nearest one to their left on the row above when their own is empty)."""
    for c, text in sorted(_header_cells(row).items()):
        parent = columns.get(c)
        if parent is None or parent.header_row == r:
            left = [p for p in columns.values() if p.col < c and p.header_row < r]
            parent = max(left, key=lambda p: p.col) if left else None
        own, year = _role_of(text), _year(text)
        role = own
        if parent is not None:
            if parent.role == "threshold" or parent.role in IGNORED_ROLES:
                role = parent.role  # regions under "Chỉ tiêu theo vùng"; years under a plan
            elif own in ("unknown", "commune") and year is not None and parent.role == "value":
                role = "value"  # "Kết quả thực hiện" over "2023 | 2024"
        text = nfc(text)
        header = f"{parent.header} › {text}" if parent is not None else text
        columns[c] = Column(c, header, role, year=year, header_row=r)


def _settle(column: Column, *, wide: bool, after: int) -> None:
    """Final role: units of a wide table, years, columns left out and why."""
    text = column.header.rsplit(" › ", 1)[-1]
    if column.role in IGNORED_ROLES:
        column.reason = column.role
        return
    if column.role == "commune":
        column.village = None
        if not wide:
            column.role = "unknown"
        return
    if column.role == "value" and wide:
        column.reason = "year" if column.year is not None else "value"
        return
    if column.role != "unknown":
        return
    if column.year is not None and _is_year_header(text):
        if wide:
            column.reason = "year"
        else:
            column.role = "value"
        return
    if wide and column.col > after and _village_like(text):
        column.role = "village"
        column.village = text


def _is_year_header(text: str) -> bool:
    rest = re.sub(r"(?<!\d)(?:19|20)\d\d(?!\d)", " ", label_key(text))
    return not rest.replace("nam", " ").replace("kq", " ").strip()


def _is_column_numbers(row: list[Any]) -> bool:
    """A row like "(1) (2) (3) (4)" or "1 2 3 4" under a header: part of the header."""
    count = 0
    numbers = []
    for v in row:
        if v == "" or v is None:
            continue
        if isinstance(v, bool):
            return False
        if isinstance(v, int | float):
            if not float(v).is_integer() or not 0 < v < 100:
                return False
            numbers.append(int(v))
        elif not (isinstance(v, str) and _COLUMN_NUMBER.fullmatch(v.strip())):
            return False  # the usual first row below a header: an indicator's row
        count += 1
    return count >= 3 and numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
