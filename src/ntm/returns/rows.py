"""One table's rows → tidy value rows, every value cell used or named in a problem.

An indicator row is one with a code (in the code column, or at the start of its name in the
decision's grid) or with a value. Its value cells (result, numerator, denominator, the
villages of a wide table, the office's own verdict) are used, or named in a problem; cells in
a column the reader does not take (plan, previous year, unknown header) are named once per
column. What is left over is reported as CELL_NOT_USED, so nothing is dropped in silence.
"""

from __future__ import annotations

from typing import Any

from ntm.errors import Code
from ntm.returns.accounting import AccountingMixin, Ledger, TableContext
from ntm.returns.cells import a1, cell_text, is_empty
from ntm.returns.codes import Codes, Entry, code_prefix
from ntm.returns.grids import Grid
from ntm.returns.labels import LABEL_ROLES
from ntm.returns.layout import Table
from ntm.returns.summary import SheetReading, ref
from ntm.returns.values import (
    NAN,
    cell_number,
    cell_value,
    looks_like_a_value,
    money_factor,
    self_assessment,
)
from ntm.text import fold
from ntm.validation import CodeInfo, fmt_number, unknown_code_problem


class TableReader(AccountingMixin):
    def __init__(
        self,
        ctx: TableContext,
        grid: Grid,
        table: Table,
        codes: Codes,
        *,
        commune: str,
        period: int,
        village: str | None,
    ):
        self.ctx, self.grid, self.table, self.codes = ctx, grid, table, codes
        self.commune, self.period, self.village = commune, period, village
        self.ledger = Ledger()
        self.first_row = len(ctx.rows)
        t = table
        col = t.by_role().get
        self.name_col, self.unit_col = col("name", -1), col("unit", -1)
        self.row_col, self.note_col = col("row", -1), col("note", -1)
        self.assess_col = col("assessment", -1)
        self.num_col = -1 if t.wide else col("numerator", -1)
        self.den_col = -1 if t.wide else col("denominator", -1)
        if t.wide:
            self.units = t.units()
        else:
            self.units = [(t.value_col, village)]
        value_cols = [c for c, _ in self.units if c >= 0]
        self.data_cols = [*value_cols, *(c for c in (self.num_col, self.den_col) if c >= 0)]
        if self.assess_col >= 0:
            self.data_cols.append(self.assess_col)
        taken = {*self.data_cols, self.note_col}
        self.other_cols = {
            c: col
            for c, col in t.columns.items()
            if c not in taken and (col.ignored or col.role not in LABEL_ROLES)
        }
        self.extra_counts: dict[int, list[int]] = {}  # column → rows with a cell there
        self.criterion_cells: list[tuple[int, int]] = []
        self.commune_figures: list[str] = []
        self.indicator_rows: list[int] = []  # rows with a code, or a value without one
        self.filled_cells = 0  # non-empty value cells in those rows
        # Columns outside the header's (none in the usual return): checked on every row.
        width = max(table.columns, default=-1) + 1
        self.unheaded = [c for c in range(width) if c not in table.columns and c != table.code_col]
        self.width = width

    # -- reporting ---------------------------------------------------------------------------
    def problem(self, which: Code, r: int, c: int, /, **params: Any) -> None:
        self.ctx.report(which, self.grid.name, a1(r, c), **params)
        self.ledger.reported.add((r, c))
        self.ctx.not_used[ref(self.grid.name, r, c)] = which.value

    def _filled(self, row: list[Any], c: int) -> bool:
        return 0 <= c < len(row) and not is_empty(row[c])

    # -- reading -----------------------------------------------------------------------------
    def read(self) -> SheetReading:
        grid, table = self.grid, self.table
        entries: list[Entry] = []
        no_cache = grid.no_cache
        code_col, name_col = table.code_col, self.name_col
        check_others, width = bool(self.other_cols or self.unheaded), self.width
        exact_codes = self.codes.exact
        for r in range(table.header_row + 1, len(grid.rows)):
            if r in table.skip_rows:
                continue
            row = grid.rows[r]
            n = len(row)
            name = row[name_col] if 0 <= name_col < n else ""
            if code_col >= 0:
                raw = row[code_col] if code_col < n else ""
                if isinstance(raw, str):
                    raw = raw.strip()
            else:
                raw = code_prefix(name) if isinstance(name, str) else None
            filled = 0
            for c in self.data_cols:
                if (c < n and row[c] != "" and row[c] is not None) or (
                    no_cache and (r, c) in no_cache
                ):
                    filled += 1
            valued = filled > 0
            if raw == "" or raw is None:
                if not valued or not any(looks_like_a_value(row, c) for c in self.data_cols):
                    continue  # a heading, a blank line or the signature block
                self.indicator_rows.append(r)
                self.filled_cells += filled
                raw = self._code_without_column(row, r, name)
                if raw is None:
                    self._no_code(row, r, name)
                    if check_others or n > width:
                        self._count_others(row, r)
                    continue
            if not self.indicator_rows or self.indicator_rows[-1] != r:
                self.indicator_rows.append(r)
            self.filled_cells += filled
            entry = Entry(r, raw, name=name if isinstance(name, str) else "")
            entry.valued = entry.filled = valued
            if not valued and self._filled(row, self.note_col):
                entry.filled = True
            exact = exact_codes.get(raw) if type(raw) is str else None
            if exact is not None:  # a measured code as the set writes it: most rows
                entry.code = exact
            else:
                self.codes.parse(entry)
            entries.append(entry)
            if check_others or n > width:
                self._count_others(row, r)
        self.codes.by_position(entries)
        measured, rows = self.codes.index.measured, grid.rows
        for entry in entries:
            if not entry.filled:
                continue
            info = measured.get(entry.code) if entry.code is not None else None
            if info is not None:  # the usual row: straight to its values
                self._values(entry, info, rows[entry.row])
            else:
                self._entry_rows(entry)
        self._after()
        return self._summary()

    def _count_others(self, row: list[Any], r: int) -> None:
        filled = self._filled
        for c in self.other_cols:
            if filled(row, c):
                self.extra_counts.setdefault(c, []).append(r)
        for c in (*self.unheaded, *range(self.width, len(row))):
            if filled(row, c):
                self.extra_counts.setdefault(c, []).append(r)

    def _code_without_column(self, row: list[Any], r: int, name: Any) -> str | None:
        """The decision's grid: a single-indicator criterion ("7", "10") has its number in the
        TT column and no code in its name; it is taken only when the name agrees. Otherwise a
        name that is clearly one indicator's name gives its code, with a warning."""
        if self.table.code_col >= 0 or not isinstance(name, str) or len(fold(name)) < 8:
            return None
        codes = self.codes
        number = row[self.row_col] if 0 <= self.row_col < len(row) else None
        if isinstance(number, int | float) and not isinstance(number, bool):
            text = fmt_number(float(number))
            if text in codes.index.measured and codes.agrees(name, text):
                return text
        found = codes.by_name(name, list(codes.index.measured), bar=0.85)
        if found is None:
            return None
        info = codes.index.measured[found]
        if fold(name) not in codes.names(found):
            self.ctx.report(
                Code.CODE_FROM_NAME,
                self.grid.name,
                a1(r, self.name_col),
                row=r + 1,
                name=name.strip(),
                code=found,
                indicator=info.names[0] if info.names else found,
            )
        return found

    def _no_code(self, row: list[Any], r: int, name: Any) -> None:
        cells = [c for c in self.data_cols if self._filled(row, c)]
        first = cells[0]
        label = f' ("{name.strip()}")' if isinstance(name, str) and name.strip() else ""
        self.problem(
            Code.VALUE_WITHOUT_CODE, r, first, row=r + 1, text=cell_text(row[first]), name=label
        )
        for c in cells[1:]:
            self.ledger.reported.add((r, c))

    def _entry_rows(self, entry: Entry) -> None:
        r = entry.row
        row = self.grid.rows[r]
        index = self.codes.index
        code = entry.code
        if not entry.valued and (code is None or code not in index.measured):
            return  # a note beside a heading or an unknown code: nothing is lost
        info = index.measured.get(code) if code is not None else None
        if info is not None:
            self._values(entry, info, row)
            return
        cells = [c for c in self.data_cols if self._filled(row, c)]
        code_cell = self.table.code_col if self.table.code_col >= 0 else self.name_col
        if code is None:
            if entry.candidates:
                self.problem(
                    Code.AMBIGUOUS_CODE,
                    r,
                    code_cell,
                    code=cell_text(entry.raw),
                    candidates=" / ".join(entry.candidates),
                    example=entry.candidates[-1],
                )
            else:
                self.problem(
                    Code.UNKNOWN_INDICATOR,
                    r,
                    code_cell,
                    code=cell_text(entry.raw),
                    criteria_set=index.set_id,
                )
            self.ledger.reported.update((r, c) for c in cells)
            return
        if code in self.ctx.criterion_numbers and code not in index.parents:
            self.criterion_cells.extend((r, c) for c in cells)
            return
        p = unknown_code_problem(code, index, self.ctx.file, self.grid.name, a1(r, code_cell))
        self.ctx.report(p.code, p.sheet, p.cell, **p.params)
        self.ledger.reported.update((r, c) for c in cells)
        for c in cells:
            self.ctx.not_used[ref(self.grid.name, r, c)] = p.code.value

    def _values(self, entry: Entry, info: CodeInfo, row: list[Any]) -> None:
        # The hot path of a read: one call per indicator row, written for speed (locals, the
        # usual cell taken without a call; `bench/run.py` measures it as read_ratio).
        r, code = entry.row, str(entry.code)
        n = len(row)
        grid = self.grid
        no_cache = grid.no_cache
        note_col, num_col, den_col = self.note_col, self.num_col, self.den_col
        note = row[note_col] if 0 <= note_col < n else ""
        if note != "":
            note = cell_text(note)
        num = den = NAN
        extra = []  # the numerator, denominator and verdict cells that hold something
        for c in (num_col, den_col):
            raw = row[c] if 0 <= c < n else ""
            if raw == "" or raw is None:
                if c >= 0 and no_cache and (r, c) in no_cache:
                    self.problem(Code.FORMULA_NO_CACHED_VALUE, r, c)
                continue
            number = (
                raw if type(raw) is float and raw - raw == 0.0 else self._number(row, r, c, info)
            )
            if c == num_col:
                num = number
            else:
                den = number
            extra.append(c)
        assessed = self._assessment(row, r, code) if self.assess_col >= 0 else None
        if assessed is not None:
            extra.append(self.assess_col)
        scope = self.ctx.commune_codes.get(code, _NO_SCOPE).scope
        # A finite number in a plain cell is the value as it is for most indicators.
        plain = info.kind not in ("boolean", "money") and not (
            self.ctx.percent_unknown and info.kind == "percent"
        )
        percent = grid.percent
        ledger = self.ledger
        for col, village in self.units:
            raw = row[col] if 0 <= col < n else ""
            filled = raw != "" and raw is not None
            if village is not None and scope == "commune":
                if filled:
                    self.problem(Code.COMMUNE_CODE_ON_VILLAGE, r, col, code=code, village=village)
                continue
            if not filled:
                value = NAN
                if col >= 0 and no_cache and (r, col) in no_cache:
                    self.problem(Code.FORMULA_NO_CACHED_VALUE, r, col)
            elif (
                plain
                and type(raw) is float
                and raw - raw == 0.0
                and not (percent and (r, col) in percent)
                and not (village is not None and info.aggregation == "share")
            ):
                value = raw
            else:
                value = self._value(row, r, col, info, village is not None)
            if value != value:
                if info.kind == "percent" and num >= 0 and den > 0:
                    value = round(100 * num / den, 10)
                elif num != num and den != den and (self.table.wide or not note):
                    continue
            if village is None and scope == "village":
                self.commune_figures.append(code)
            cell_col = col if col >= 0 else num_col
            if cell_col < 0:  # no value nor numerator column: the row's code or name cell
                cell_col = self.table.code_col if self.table.code_col >= 0 else self.name_col
            ledger.used_count += filled + len(extra)
            self.ctx.rows.append(
                {
                    "commune": self.commune,
                    "village": village,
                    "period": self.period,
                    "code": code,
                    "value": value,
                    "numerator": num,
                    "denominator": den,
                    "note": note or None,
                    "self_assessed": NAN if assessed is None else assessed,
                    "file": self.ctx.file,
                    "sheet": grid.name,
                    "cell": a1(r, cell_col),
                }
            )

    def _value(self, row: list[Any], r: int, c: int, info: CodeInfo, village: bool) -> float:
        """A non-empty value cell (see `ntm.returns.values`); NaN after naming its problem."""
        grid = self.grid
        raw = row[c]
        percent = bool(grid.percent) and (r, c) in grid.percent
        value, bad = cell_value(raw, info, village=village, percent_cell=percent)
        if bad is not None:
            params: dict[str, Any] = {"code": info.code, "text": cell_text(raw)}
            if bad is Code.VERDICT_NOT_A_VALUE:
                params["unit"] = info.unit or info.kind
            elif bad is Code.AMBIGUOUS_TICK:
                params["name"] = info.names[0] if info.names else info.code
            self.problem(bad, r, c, **params)
            return NAN
        if info.kind == "money" and value == value:
            unit_text = row[self.unit_col] if 0 <= self.unit_col < len(row) else ""
            if not isinstance(unit_text, str) or not unit_text.strip():
                unit_text = self.table.columns[c].header if c in self.table.columns else ""
            factor, note = money_factor(value, unit_text, info.unit)
            if note is Code.MONEY_UNIT_UNCLEAR:
                self.problem(note, r, c, code=info.code, text=cell_text(raw), unit=info.unit)
                return NAN
            if note is Code.MONEY_CONVERTED:
                converted = round(value * factor, 9)
                self.ctx.report(
                    note,
                    grid.name,
                    a1(r, c),
                    code=info.code,
                    text=cell_text(raw),
                    written=str(unit_text or "đồng").strip(),
                    value=fmt_number(converted),
                    unit=info.unit,
                )
                return converted
        if self.ctx.percent_unknown and info.kind == "percent" and 0 < value <= 1:
            self.ctx.report(
                Code.LEGACY_PERCENT_UNSURE,
                grid.name,
                a1(r, c),
                code=info.code,
                text=fmt_number(value),
                shown=fmt_number(round(value * 100, 6)),
            )
        return value

    def _number(self, row: list[Any], r: int, c: int, info: CodeInfo) -> float:
        """A non-empty numerator or denominator cell."""
        raw = row[c]
        if type(raw) is float and raw - raw == 0.0:
            return raw
        value, bad = cell_number(raw, info.kind)
        if bad is not None:
            self.problem(bad, r, c, code=info.code, text=cell_text(raw))
        return value

    def _assessment(self, row: list[Any], r: int, code: str) -> float | None:
        c = self.assess_col
        if c < 0 or not self._filled(row, c):
            return None
        verdict = self_assessment(row[c])
        if verdict is None:
            self.problem(Code.NOT_A_VERDICT, r, c, code=code, text=cell_text(row[c]))
        return verdict

    # -- after the rows ----------------------------------------------------------------------


_NO_SCOPE = CodeInfo("", "", "", "", ())
