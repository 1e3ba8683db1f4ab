"""What a table's reading used and named, and what is left (part of the reader).

Every value cell of an indicator row is used (counted in the ledger) or named in a problem
(`reported`). After the rows: the verdicts given for whole criteria and the columns the reader
does not take are named once each; whatever is left is reported as CELL_NOT_USED, so nothing
is dropped in silence. The sheet's line in the reading summary is built here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ntm.errors import Code
from ntm.returns.cells import a1, cell_text, column_index
from ntm.returns.grids import Grid
from ntm.returns.layout import Table
from ntm.returns.summary import Note, SheetReading, ref
from ntm.validation import CodeIndex, CodeInfo

Report = Callable[..., None]  # report(code, sheet, cell, **params)


@dataclass
class TableContext:
    """What a table is read against, and where its results go."""

    file: str
    index: CodeIndex
    commune_codes: dict[str, CodeInfo]  # the commune set's own codes (scope rules apply)
    criterion_numbers: frozenset[str]
    report: Report
    rows: list[dict[str, Any]]
    notes: list[Note]
    not_used: dict[str, str]
    percent_unknown: bool = False  # a legacy .xls whose formats could not be read


@dataclass
class Ledger:
    used_count: int = 0  # value cells used (a count: the usual table needs no more)
    reported: set[tuple[int, int]] = field(default_factory=set)


class AccountingMixin:
    """Mixed into `ntm.returns.rows.TableReader`."""

    ctx: TableContext
    grid: Grid
    table: Table
    ledger: Ledger
    period: int
    village: str | None
    criterion_cells: list[tuple[int, int]]
    extra_counts: dict[int, list[int]]
    commune_figures: list[str]
    indicator_rows: list[int]
    filled_cells: int
    data_cols: list[int]
    num_col: int
    den_col: int
    assess_col: int
    first_row: int  # where this table's rows start in ctx.rows
    problem: Callable[..., None]
    _filled: Callable[[list[Any], int], bool]

    def _after(self) -> None:
        grid, table = self.grid, self.table
        if self.criterion_cells:
            r, c = self.criterion_cells[0]
            shown = [a1(rr, cc) for rr, cc in self.criterion_cells[:6]]
            cells = ", ".join(shown) + (", …" if len(self.criterion_cells) > 6 else "")
            self.problem(
                Code.CRITERION_VERDICT_NOT_USED, r, c, count=len(self.criterion_cells), cells=cells
            )
            self.ledger.reported.update(self.criterion_cells)
        for c, rows in sorted(self.extra_counts.items()):
            column = table.columns.get(c)
            if column is not None and column.ignored:
                code, params = (
                    Code.COLUMN_IGNORED,
                    {
                        "reason": f"i18n:reading.reason.{column.reason}",
                        "period": self.period,
                    },
                )
                at = (column.header_row, c)
            else:
                code, params = Code.COLUMN_NOT_READ, {}
                at = (column.header_row, c) if column is not None else (rows[0], c)
            header = column.header if column is not None else a1(rows[0], c)
            self.problem(code, *at, header=header, count=len(rows), **params)
            self.ledger.reported.update((r, c) for r in rows)
            for r in rows:
                self.ctx.not_used[ref(grid.name, r, c)] = code.value
        if self.commune_figures:
            codes = ", ".join(dict.fromkeys(self.commune_figures))
            self.ctx.notes.append(Note("commune_figure", {"sheet": grid.name, "codes": codes}))

    def _summary(self) -> SheetReading:
        grid, ledger = self.grid, self.ledger
        if not ledger.reported and self.filled_cells == ledger.used_count:
            # Every value cell is used (the usual return): nothing left to look for.
            return self._reading(self.filled_cells, ledger.used_count)
        used_cells = self._used_cells()
        read = used = 0
        for r in self.indicator_rows:
            row = grid.rows[r]
            for c in self.data_cols:
                if not self._filled(row, c):
                    continue
                read += 1
                if (r, c) in used_cells:
                    used += 1
                elif (r, c) not in ledger.reported:
                    self.problem(Code.CELL_NOT_USED, r, c, text=cell_text(row[c]))
        return self._reading(read, used)

    def _used_cells(self) -> set[tuple[int, int]]:
        """The cells behind this table's rows (worked out only when some cell was named in a
        problem: the usual table is settled by counting)."""
        out: set[tuple[int, int]] = set()
        extra = [c for c in (self.num_col, self.den_col, self.assess_col) if c >= 0]
        for row in self.ctx.rows[self.first_row :]:
            cell = str(row["cell"])
            r = int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - 1
            out.add((r, column_index(cell.rstrip("0123456789"))))
            out.update((r, c) for c in extra)
        return out

    def _reading(self, read: int, used: int) -> SheetReading:
        table = self.table
        layout = "wide" if table.wide else ("grid" if table.code_col < 0 else "long")
        columns = []
        for c, col in sorted(table.columns.items()):
            role = col.role if col.role in _SHOWN_ROLES else "unknown"
            columns.append((c, role, (col.village or "") if role == "village" else col.reason))
        return SheetReading(
            self.grid.name,
            layout,
            (table.top + 1, table.header_row + 1),
            None if table.wide else self.village,
            columns,
            values_read=read,
            values_used=used,
        )


_SHOWN_ROLES = frozenset(
    {
        "code",
        "name",
        "unit",
        "criterion",
        "threshold",
        "row",
        "value",
        "numerator",
        "denominator",
        "note",
        "assessment",
        "commune",
        "village",
    }
)
