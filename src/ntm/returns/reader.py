"""The reader that ties the steps together (see the package docstring): the container is
guarded, the sheets loaded, legacy text converted, the tables found, each table's unit
settled (`ntm.returns.units`) and its rows read (`ntm.returns.rows`), then the rows checked
(`ntm.validation.check_rows`) and the values frame built."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ntm.criteria import CriteriaSet
from ntm.errors import Code, NtmError, Problem
from ntm.returns.accounting import TableContext
from ntm.returns.codes import Codes
from ntm.returns.container import (
    DEFAULT_LIMITS,
    MB,
    OLE_MAGIC,
    Guard,
    Limits,
    Refused,
    open_book,
)
from ntm.returns.grids import Grid, legacy_percent_cells, load_grids
from ntm.returns.labels import INFO_SHEETS, label_key
from ntm.returns.layout import HEADER_SEARCH_ROWS, Table, find_table
from ntm.returns.legacy import convert_sheets
from ntm.returns.meta import (
    INFO_SEARCH_ROWS,
    SheetMeta,
    letterhead,
    scan_meta,
)
from ntm.returns.rows import TableReader
from ntm.returns.summary import ReadingSummary
from ntm.returns.units import KeysByCommune, UnitsMixin
from ntm.validation import (
    CodeIndex,
    CodeInfo,
    check_rows,
    code_index,
    reading_index,
)
from ntm.values import ReadResult, ReturnMeta, empty_values

log = logging.getLogger("ntm.returns")

# The values frame's columns and dtypes (`ntm.values.empty_values`).
_FRAME_DTYPES = dict(empty_values().dtypes.astype(str))
_NO_INFO = CodeInfo("", "", "", "", ())


class _Reader(UnitsMixin):
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
        commune_keys: KeysByCommune | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.data = data
        self.file = file
        self.criteria = criteria
        self.village_sets = village_sets
        self.extra_sets = extra_sets
        self.commune_sets = commune_sets or {}
        self.commune_village_sets = commune_village_sets or {}
        self.commune_keys = commune_keys or {}
        self.limits = limits
        self.guard = Guard(file, limits, clock() + limits.parse_seconds, clock=clock)
        self.problems: list[Problem] = []
        self.meta = ReturnMeta()
        self.summary = ReadingSummary(file)
        self.rows: list[dict[str, Any]] = []
        self.period_where: tuple[str, str] = ("", "")  # the sheet and cell that give the year
        self.percent_unknown = False

    def problem(self, which: Code, sheet: str = "", cell: str = "", /, **params: Any) -> None:
        self.problems.append(Problem(which, self.file, sheet, cell, params))

    def run(self) -> ReadResult:
        try:
            self._read()
        except Refused as refused:
            self.problems.append(refused.problem)
            self.rows = []
        return ReadResult(self.file, self._frame(), self.problems, self.meta, self.summary)

    # -- steps ---------------------------------------------------------------------------
    def _read(self) -> None:
        data, guard = self.data, self.guard
        book = open_book(guard, data, self.file)
        if data[:8] == OLE_MAGIC:
            formats = legacy_percent_cells(data)
            if formats is None:
                self.percent_unknown = True
            else:
                book.percent = formats
        if book.macro:
            self.problem(Code.MACRO_WORKBOOK)
        grids = load_grids(book.archive or data, book, guard)
        if book.maybe_tcvn3:
            found = convert_sheets([grid.rows for grid in grids])
            if found.count:
                self.problem(
                    Code.LEGACY_ENCODING, count=found.count, before=found.before, after=found.after
                )
        self._interpret(grids)

    def _interpret(self, grids: list[Grid]) -> None:
        info = SheetMeta()
        tables: list[tuple[Grid, Table, SheetMeta]] = []
        others: list[SheetMeta] = []
        for grid in grids:
            if label_key(grid.name) in INFO_SHEETS:
                info.add(scan_meta(grid, INFO_SEARCH_ROWS))
                continue
            table = find_table(grid)
            if table is None:
                others.append(scan_meta(grid, HEADER_SEARCH_ROWS))
                continue
            tables.append((grid, table, scan_meta(grid, table.top)))
        for other in others:
            info.add(other)
        book = SheetMeta()
        book.add(info)
        for _, _, own in tables:
            book.add(own)
        if book.get("commune") is None or book.get("period") is None:
            for grid, table, own in tables:  # no label: a letterhead, a title
                letterhead(grid, table.top, own)
                book.add(own)
        self._book_meta(book)
        if not tables:
            self.problem(Code.NO_INDICATOR_TABLE)
            return
        if self.meta.period is None and not any(m.get("period") for _, _, m in tables):
            self._period_from_header(tables)
        commune, period = self.meta.commune, self.meta.period
        if commune is None:
            self.problem(Code.MISSING_COMMUNE)
        if period is None:
            self.problem(Code.MISSING_PERIOD)
        if commune is None or period is None:
            return
        criteria = self._choose_criteria(period, book)
        if criteria is None:
            return
        self._resolve_keys(book, criteria)
        # A village sheet may also carry the codes of the province's village set for the year.
        own_sets = self.commune_village_sets.get(commune, ())
        in_force = [
            s for s in (*self.village_sets, *own_sets) if s.level == "village" and s.covers(period)
        ]
        index = reading_index(criteria, in_force)
        codes = Codes(index)
        ctx = TableContext(
            file=self.file,
            index=index,
            commune_codes=code_index(criteria).measured,
            criterion_numbers=frozenset(c.number for c in criteria.criteria),
            report=self.problem,
            rows=self.rows,
            notes=self.summary.notes,
            not_used=self.summary.not_used,
            percent_unknown=self.percent_unknown,
        )
        villages: dict[str, None] = {}
        for grid, table, own in tables:
            unit = self._sheet_unit(grid, table, own, info)
            if unit is None:
                continue
            unit_commune, unit_period, village, unnamed = unit
            if not self._choose_value_column(grid, table, unit_period):
                continue
            reader = TableReader(
                ctx, grid, table, codes, commune=unit_commune, period=unit_period, village=village
            )
            start = len(self.rows)
            sheet = reader.read()
            if unnamed and not any(
                ctx.commune_codes.get(row["code"], _NO_INFO).scope == "commune"
                for row in self.rows[start:]
            ):
                # Only village indicators and no village named: it may be one village's
                # return whose values would replace the commune's aggregate.
                self.problem(Code.MISSING_VILLAGE, grid.name)
            self.summary.sheets.append(sheet)
            for _, name in [(0, village)] if not table.wide else table.units():
                if name is not None:
                    villages.setdefault(name)
            self.guard.check_time()
        self.meta.villages = list(villages)
        problems, kept = check_rows(self.rows, index, self.file)
        self.problems.extend(problems)
        self.rows = self._village_codes_on_villages(kept, index, criteria, in_force)
        self._fill_summary()
        if not self.rows and not any(p.is_error for p in self.problems):
            # A blank template: storing it would add an empty revision and tell nobody.
            self.problem(Code.NO_VALUES)

    # -- metadata ----------------------------------------------------------------------------
    def _fill_summary(self) -> None:
        meta, summary = self.meta, self.summary
        summary.commune, summary.commune_code = meta.commune, meta.commune_code
        summary.period, summary.villages = meta.period, list(meta.villages)
        summary.region, summary.group = meta.region, meta.group
        summary.criteria_set = meta.criteria_set

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
    commune_keys: KeysByCommune | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ReadResult:
    """Read one Excel return into tidy values, with every problem found (never raises on bad
    user data: each problem names the file, sheet and cell). See the module docstring.

    `village_sets`: province village (thôn) sets whose codes the return may carry too; the one
    covering the return's year is used (ntm.village_sets). `extra_sets`: sets users imported
    or edited (each replaces the shipped file of its id); `commune_sets`: a commune's own set
    by commune name (Cài đặt); `commune_village_sets`: the village sets a commune follows, used
    for its returns only; `commune_keys`: each commune's region/group from its stored profile
    (the truth when a return says otherwise). The database gives these:
    `Store.reading_context()`. `clock` times the read against `limits.parse_seconds` (tests
    inject it: time is never measured there)."""
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
        data,
        file,
        criteria,
        limits,
        village_sets,
        extra_sets,
        commune_sets,
        commune_village_sets,
        commune_keys,
        clock,
    )
    try:
        return reader.run()
    except NtmError:
        raise  # a broken shipped criteria file is not the user's data
    except Exception as exc:  # a bug must not lose the user's upload silently: report it
        log.exception("reading %s failed", file)
        problem = Problem(Code.UNREADABLE_FILE, file, params={"detail": type(exc).__name__})
        return ReadResult(file, empty_values(), [*reader.problems, problem], reader.meta)
