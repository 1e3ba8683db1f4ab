"""The reader that ties the steps together (see the package docstring)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ntm.criteria import CriteriaSet, set_for_year, shipped_sets
from ntm.errors import Code, NoCriteriaSetError, NtmError, Problem
from ntm.returns.cells import a1, cell_text, is_empty, name_text
from ntm.returns.codes import Codes, Entry
from ntm.returns.container import DEFAULT_LIMITS, MB, OLE_MAGIC, Guard, Limits, Refused, sniff_other
from ntm.returns.grids import Grid, load_grids
from ntm.returns.labels import COMMUNE_WORDS, INFO_SHEETS, label_key
from ntm.returns.layout import HEADER_SEARCH_ROWS, Table, find_table
from ntm.returns.meta import (
    INFO_SEARCH_ROWS,
    SheetMeta,
    commune_name,
    parse_period,
    resolve_key,
    scan_meta,
)
from ntm.returns.values import NAN, cell_number
from ntm.text import fold
from ntm.validation import CodeIndex, check_rows, code_index, reading_index, unknown_code_problem
from ntm.values import ReadResult, ReturnMeta, empty_values

log = logging.getLogger("ntm.returns")


@dataclass
class _Sheet:
    """One table being read: where its columns are and whose values it holds."""

    grid: Grid
    units: list[tuple[int, str | None]]  # value column → village (None: the commune)
    code_col: int
    num_col: int
    den_col: int
    note_col: int
    commune: str
    period: int
    wide: bool = False


# The values frame's columns and dtypes (`ntm.values.empty_values`).
_FRAME_DTYPES = dict(empty_values().dtypes.astype(str))


class _Reader:
    def __init__(
        self,
        data: bytes,
        file: str,
        criteria: CriteriaSet | None,
        limits: Limits,
        village_sets: Sequence[CriteriaSet] = (),
        extra_sets: Sequence[CriteriaSet] = (),
        commune_sets: Mapping[str, str] | None = None,
        commune_village_sets: Mapping[str, Sequence[CriteriaSet]] | None = None,
    ):
        self.data = data
        self.file = file
        self.criteria = criteria
        self.village_sets = village_sets
        self.extra_sets = extra_sets
        self.commune_sets = commune_sets or {}
        self.commune_village_sets = commune_village_sets or {}
        self.limits = limits
        self.guard = Guard(file, limits, time.monotonic() + limits.parse_seconds)
        self.problems: list[Problem] = []
        self.meta = ReturnMeta()
        self.rows: list[dict[str, Any]] = []
        self.period_where: tuple[str, str] = ("", "")  # the sheet and cell that give the year

    def problem(self, which: Code, sheet: str = "", cell: str = "", /, **params: Any) -> None:
        self.problems.append(Problem(which, self.file, sheet, cell, params))

    def run(self) -> ReadResult:
        try:
            self._read()
        except Refused as refused:
            self.problems.append(refused.problem)
            self.rows = []
        return ReadResult(self.file, self._frame(), self.problems, self.meta)

    # -- steps ---------------------------------------------------------------------------
    def _read(self) -> None:
        data, guard = self.data, self.guard
        if len(data) > self.limits.max_file_bytes:
            raise guard.refuse(
                Code.FILE_TOO_LARGE,
                size_mb=f"{len(data) / MB:.1f}",
                limit_mb=f"{self.limits.max_file_bytes / MB:.0f}",
            )
        if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
            book = guard.zip_book(data, self.file)
        elif data[:8] == OLE_MAGIC:
            book = guard.ole_book(data)
        else:
            raise guard.refuse(Code.NOT_A_WORKBOOK, detail=sniff_other(data))
        if book.macro:
            self.problem(Code.MACRO_WORKBOOK)
        grids = load_grids(book.archive or data, book, guard)
        self._interpret(grids)

    def _interpret(self, grids: list[Grid]) -> None:
        info = SheetMeta()
        tables: list[tuple[Grid, Table, SheetMeta]] = []
        others: list[SheetMeta] = []
        for grid in grids:
            if label_key(grid.name) in INFO_SHEETS:
                info = scan_meta(grid, INFO_SEARCH_ROWS)
                continue
            table = find_table(grid)
            if table is None:
                others.append(scan_meta(grid, HEADER_SEARCH_ROWS))
                continue
            tables.append((grid, table, scan_meta(grid, table.top)))
        book = SheetMeta()
        for source in (info, *(m for _, _, m in tables), *others):
            for key, found in source.found.items():
                book.found.setdefault(key, found)
        self._book_meta(book)
        if not tables:
            self.problem(Code.NO_INDICATOR_TABLE)
            return
        commune = self.meta.commune
        period = self.meta.period
        if commune is None:
            self.problem(Code.MISSING_COMMUNE)
        if period is None:
            self.problem(Code.MISSING_PERIOD)
        if commune is None or period is None:
            return
        criteria = self._choose_criteria(period)
        if criteria is None:
            return
        self._resolve_keys(book, criteria)
        # A village sheet may also carry the codes of the province's village set for the year.
        own = self.commune_village_sets.get(commune, ())
        in_force = [
            s for s in (*self.village_sets, *own) if s.level == "village" and s.covers(period)
        ]
        index = reading_index(criteria, in_force)
        codes = Codes(index)
        villages: dict[str, None] = {}
        for grid, table, meta in tables:
            stated_commune, stated_period = meta.get("commune"), meta.get("period")
            unit_commune = commune_name(stated_commune.value) if stated_commune else commune
            unit_period = (parse_period(stated_period.value) if stated_period else None) or period
            self._sheet_rows(grid, table, meta, codes, unit_commune, unit_period, villages)
            self.guard.check_time()
        self.meta.villages = list(villages)
        problems, kept = check_rows(self.rows, index, self.file)
        self.problems.extend(problems)
        self.rows = self._village_codes_on_villages(kept, index, criteria, in_force)
        if not self.rows and not any(p.is_error for p in self.problems):
            # A blank template: storing it would add an empty revision and tell nobody.
            self.problem(Code.NO_VALUES)

    def _village_codes_on_villages(
        self,
        rows: list[Any],
        index: CodeIndex,
        criteria: CriteriaSet,
        village_sets: Sequence[CriteriaSet],
    ) -> list[dict[str, Any]]:
        """A village set's value given for the commune as a whole is left out and reported: the
        set judges each village on its own values (ntm.village_sets), never the commune."""
        commune_codes = code_index(criteria).measured
        if index.measured is commune_codes:  # no village set in use: nothing to check
            return list(rows)
        out = []
        for row in rows:
            code = row["code"]
            if row.get("village") is None and code not in commune_codes:
                owner = next((s.id for s in village_sets if code in s.measured_codes()), "")
                self.problem(
                    Code.VILLAGE_CODE_FOR_COMMUNE,
                    row.get("sheet") or "",
                    row.get("cell") or "",
                    code=code,
                    criteria_set=owner,
                )
                continue
            out.append(row)
        return out

    def _book_meta(self, book: SheetMeta) -> None:
        meta = self.meta
        found = book.get("commune")
        if found is not None:
            meta.commune = commune_name(found.value) or None
        found = book.get("commune_code")
        if found is not None:
            meta.commune_code = cell_text(found.value) or None
        found = book.get("period")
        if found is not None:
            self.period_where = (found.sheet, found.cell)
            meta.period = parse_period(found.value)
            if meta.period is None:
                self.problem(Code.BAD_PERIOD, found.sheet, found.cell, text=cell_text(found.value))
        found = book.get("criteria_set")
        if found is not None:
            meta.criteria_set = name_text(found.value)

    def _choose_criteria(self, period: int) -> CriteriaSet | None:
        # As the assessment chooses (ntm.attainment.assess, ui.services): the commune's own set,
        # else the set the return names, else the one in force for the year; a set users
        # imported or edited replaces the shipped file of its id.
        known = {**shipped_sets(), **{s.id: s for s in self.extra_sets}}
        own = self.commune_sets.get(self.meta.commune or "")
        named = self.meta.criteria_set
        if self.criteria is not None:
            chosen = self.criteria
        elif own and own in known:
            chosen = known[own]
        elif named and named in known and known[named].level == "commune":
            chosen = known[named]
        else:
            try:
                chosen = set_for_year(period, "commune", list(known.values()))
            except NoCriteriaSetError:
                self.problem(Code.NO_CRITERIA_SET, *self.period_where, year=period)
                return None
        self.meta.criteria_set = chosen.id
        self.criteria = chosen
        return chosen

    def _resolve_keys(self, book: SheetMeta, criteria: CriteriaSet) -> None:
        for key in ("region", "group"):
            found = book.get(key)
            if found is None:
                continue
            if key == criteria.keyed_by:
                resolved = resolve_key(found.value, criteria)
                if resolved is None:
                    self.problem(
                        Code.UNKNOWN_REGION,
                        found.sheet,
                        found.cell,
                        text=cell_text(found.value),
                        criteria_set=criteria.id,
                        choices=", ".join(criteria.key_ids()),
                    )
                setattr(self.meta, key, resolved)
            else:
                text = name_text(found.value)
                bare = re.sub(r"^(?:nhom|group)\s*", "", fold(text))
                setattr(self.meta, key, bare if key == "group" and bare.isdigit() else text)

    def _sheet_unit_village(self, grid: Grid, meta: SheetMeta) -> str | None:
        found = meta.get("village")
        if found is not None:
            name = name_text(found.value)
            return None if label_key(name) in COMMUNE_WORDS else name
        if label_key(grid.name) not in COMMUNE_WORDS:
            self.problem(Code.MISSING_VILLAGE, grid.name)
        return None

    def _sheet_rows(
        self,
        grid: Grid,
        table: Table,
        meta: SheetMeta,
        codes: Codes,
        commune: str,
        period: int,
        villages: dict[str, None],
    ) -> None:
        roles = table.roles
        wide = table.units is not None
        if table.units is not None:
            units = list(table.units)
        else:
            units = [(roles.get("value", -1), self._sheet_unit_village(grid, meta))]
        for _, village in units:
            if village is not None:
                villages.setdefault(village)
        sheet = _Sheet(
            grid=grid,
            units=units,
            code_col=roles["code"],
            num_col=-1 if wide else roles.get("numerator", -1),
            den_col=-1 if wide else roles.get("denominator", -1),
            note_col=roles.get("note", -1),
            commune=commune,
            period=period,
            wide=wide,
        )
        data_cols = [c for c in (*(c for c, _ in units), sheet.num_col, sheet.den_col) if c >= 0]
        code_col, name_col = sheet.code_col, roles.get("name", -1)
        no_cache = grid.no_cache
        entries: list[Entry] = []
        for r in range(table.header_row + 1, len(grid.rows)):
            row = grid.rows[r]
            n = len(row)
            raw = row[code_col] if code_col < n else ""
            if isinstance(raw, str):
                raw = raw.strip()
            if raw == "" or raw is None:
                continue
            name = row[name_col] if 0 <= name_col < n else ""
            entry = Entry(r, raw, name=name if isinstance(name, str) else "")
            for c in data_cols:
                if (c < n and row[c] != "" and row[c] is not None) or (
                    no_cache and (r, c) in no_cache
                ):
                    entry.valued = entry.filled = True
                    break
            if not entry.filled and 0 <= sheet.note_col < n and not is_empty(row[sheet.note_col]):
                entry.filled = True
            codes.parse(entry)
            entries.append(entry)
        codes.by_position(entries)
        for entry in entries:
            if entry.filled:
                self._entry_rows(sheet, entry, codes.index)

    def _entry_rows(self, sheet: _Sheet, entry: Entry, index: CodeIndex) -> None:
        grid, r = sheet.grid, entry.row
        row = grid.rows[r]
        n = len(row)
        if not entry.valued and (entry.code is None or entry.code not in index.measured):
            return  # a note beside a heading or an unknown code: nothing is lost
        if entry.code is None:
            code_cell = a1(r, sheet.code_col)
            if entry.candidates:
                self.problem(
                    Code.AMBIGUOUS_CODE,
                    grid.name,
                    code_cell,
                    code=cell_text(entry.raw),
                    candidates=" / ".join(entry.candidates),
                    example=entry.candidates[-1],
                )
            else:
                self.problem(
                    Code.UNKNOWN_INDICATOR,
                    grid.name,
                    code_cell,
                    code=cell_text(entry.raw),
                    criteria_set=index.set_id,
                )
            return
        info = index.measured.get(entry.code)
        if info is None:
            self.problems.append(
                unknown_code_problem(entry.code, index, self.file, grid.name, a1(r, sheet.code_col))
            )
            return
        note_col = sheet.note_col
        note = cell_text(row[note_col]) if 0 <= note_col < n else ""
        kind = info.kind
        num = self._number(sheet, row, r, sheet.num_col, kind, entry.code, False, False)
        den = self._number(sheet, row, r, sheet.den_col, kind, entry.code, False, False)
        for col, village in sheet.units:
            yes_no_ok = kind == "boolean" or (village is not None and info.aggregation == "share")
            value = self._number(sheet, row, r, col, kind, entry.code, yes_no_ok, True)
            if value != value and kind == "percent" and num >= 0 and den > 0:
                value = round(100 * num / den, 10)
            if value != value and num != num and den != den and (sheet.wide or not note):
                continue
            cell_col = col if col >= 0 else sheet.num_col
            if cell_col < 0:  # no value nor numerator column: the row's code cell
                cell_col = sheet.code_col
            self.rows.append(
                {
                    "commune": sheet.commune,
                    "village": village,
                    "period": sheet.period,
                    "code": entry.code,
                    "value": value,
                    "numerator": num,
                    "denominator": den,
                    "note": note or None,
                    "file": self.file,
                    "sheet": grid.name,
                    "cell": a1(r, cell_col),
                }
            )

    def _number(
        self,
        sheet: _Sheet,
        row: list[Any],
        r: int,
        c: int,
        kind: str,
        code: str,
        yes_no_ok: bool,
        is_value: bool,
    ) -> float:
        if c < 0:
            return NAN
        raw = row[c] if c < len(row) else ""
        grid = sheet.grid
        # Most cells: a finite number, not yes/no, not percent-formatted: taken as it is.
        if (
            type(raw) is float
            and raw - raw == 0.0
            and kind != "boolean"
            and not (is_value and grid.percent and (r, c) in grid.percent)
        ):
            return raw
        if raw == "" or raw is None:
            if (r, c) in grid.no_cache:
                self.problem(Code.FORMULA_NO_CACHED_VALUE, grid.name, a1(r, c))
            return NAN
        value, bad = cell_number(
            raw, kind, yes_no_ok=yes_no_ok, percent_cell=(r, c) in grid.percent, is_value=is_value
        )
        if bad is not None:
            self.problem(bad, grid.name, a1(r, c), code=code, text=cell_text(raw))
        return value

    def _frame(self) -> pd.DataFrame:
        rows = self.rows
        if not rows:
            return empty_values()

        # Each column is built here as the array pandas stores (text: str or None, as object,
        # like `empty_values`), so pandas is told to take them as they are: its per-column
        # checks and conversions (through a Series for each text column, so that pandas 3
        # does not infer its string dtype) were about half of the frame's time. Private
        # pandas API (since 1.x); tests/test_returns.py checks the dtypes.
        return pd.DataFrame._from_arrays(
            [
                np.array([row[name] for row in rows], dtype=dtype)
                for name, dtype in _FRAME_DTYPES.items()
            ],
            columns=pd.Index(list(_FRAME_DTYPES)),
            index=pd.RangeIndex(len(rows)),
            verify_integrity=False,
        )


def read_return(
    source: bytes | Path,
    filename: str | None = None,
    *,
    criteria: CriteriaSet | None = None,
    limits: Limits = DEFAULT_LIMITS,
    village_sets: Sequence[CriteriaSet] = (),
    extra_sets: Sequence[CriteriaSet] = (),
    commune_sets: Mapping[str, str] | None = None,
    commune_village_sets: Mapping[str, Sequence[CriteriaSet]] | None = None,
) -> ReadResult:
    """Read one Excel return into tidy values, with every problem found (never raises on bad
    user data: each problem names the file, sheet and cell). See the module docstring.

    `village_sets`: province village (thôn) sets whose codes the return may carry too; the one
    covering the return's year is used (ntm.village_sets). `extra_sets`: sets users imported
    or edited (each replaces the shipped file of its id); `commune_sets`: a commune's own set
    by commune name (Cài đặt); `commune_village_sets`: the village sets a commune follows, used
    for its returns only. The database gives these: `Store.reading_context()`."""
    file = filename if filename is not None else (source.name if isinstance(source, Path) else "")
    if isinstance(source, Path | str):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > limits.max_file_bytes:
                problem = Problem(
                    Code.FILE_TOO_LARGE,
                    file,
                    params={
                        "size_mb": f"{size / MB:.1f}",
                        "limit_mb": f"{limits.max_file_bytes / MB:.0f}",
                    },
                )
                return ReadResult(file, empty_values(), [problem], ReturnMeta())
            data = path.read_bytes()
        except OSError as exc:
            detail = exc.strerror or type(exc).__name__
            problem = Problem(Code.UNREADABLE_FILE, file, params={"detail": detail})
            return ReadResult(file, empty_values(), [problem], ReturnMeta())
    else:
        data = bytes(source)
    reader = _Reader(
        data, file, criteria, limits, village_sets, extra_sets, commune_sets, commune_village_sets
    )
    try:
        return reader.run()
    except NtmError:
        raise  # a broken shipped criteria file is not the user's data
    except Exception as exc:  # a bug must not lose the user's upload silently: report it
        log.exception("reading %s failed", file)
        problem = Problem(Code.UNREADABLE_FILE, file, params={"detail": type(exc).__name__})
        return ReadResult(file, empty_values(), [*reader.problems, problem], reader.meta)
