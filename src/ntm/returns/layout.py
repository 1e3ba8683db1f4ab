"""Where the table is on a sheet and what each column holds (long or wide layout)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ntm.returns.cells import is_empty
from ntm.returns.codes import number_code
from ntm.returns.grids import Grid
from ntm.returns.labels import COMMUNE_WORDS, header_role, label_key
from ntm.text import nfc

HEADER_SEARCH_ROWS = 30


@dataclass
class Table:
    header_row: int  # zero-based: the last header row (data start below it)
    roles: dict[str, int]
    units: list[tuple[int, str | None]] | None = None  # wide layout: (column, village or None)
    top: int = 0  # the first header row (metadata rows are above it)


def classify_row(row: list[Any]) -> tuple[dict[str, int], list[tuple[int, str | None]]]:
    roles: dict[str, int] = {}
    others: list[tuple[int, str | None]] = []
    for c, value in enumerate(row):
        if isinstance(value, str):
            if len(value) > 80 or not value.strip():
                continue
            role = header_role(value)
            if role is not None:
                roles.setdefault(role, c)
            elif label_key(value) in COMMUNE_WORDS:
                others.append((c, None))
            else:
                others.append((c, nfc(value)))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            others.append((c, number_code(float(value))))
    return roles, others


def find_table(grid: Grid) -> Table | None:
    """The header row (first 30 rows) and its columns; None when the sheet has no table."""
    for r in range(min(HEADER_SEARCH_ROWS, len(grid.rows))):
        roles, others = classify_row(grid.rows[r])
        if "code" not in roles:
            if "row" not in roles:
                continue
            roles["code"] = roles["row"]
        has_value = "value" in roles or ("numerator" in roles and "denominator" in roles)
        if has_value:
            return follow_subheader(grid, r, roles)
        units = [(c, name) for c, name in others if c > roles["code"]]
        if units:
            return Table(r, roles, units, top=r)
    return None


def follow_subheader(grid: Grid, r: int, roles: dict[str, int]) -> Table:
    """A header cell over sub-headers on the next row: Giá trị/Tử số/Mẫu số, or villages."""
    if r + 1 >= len(grid.rows) or not is_empty(grid.get(r + 1, roles["code"])):
        return Table(r, roles, top=r)
    sub_roles, sub_others = classify_row(grid.rows[r + 1])
    start = min(roles.get(k, 10**6) for k in ("value", "numerator", "denominator"))
    if any(k in sub_roles for k in ("value", "numerator", "denominator")):
        merged = dict(roles)
        for k in ("value", "numerator", "denominator", "note"):
            if k in sub_roles:
                merged[k] = sub_roles[k]
        return Table(r + 1, merged, top=r)
    units = [(c, name) for c, name in sub_others if c >= start]
    if units and all(isinstance(grid.get(r + 1, c), str) for c, _ in units):
        kept = {k: v for k, v in roles.items() if k not in ("value", "numerator", "denominator")}
        return Table(r + 1, kept, units, top=r)
    return Table(r, roles, top=r)
