"""The reader that ties the steps together (see the package docstring).

Metadata: a book-level block (a "Thông tin" sheet under any usual name, or a sheet with labels
and no table) applies to every data sheet without its own; a sheet's own block above its table
wins, and a block that contradicts the info sheet is an error (META_CONFLICT), never settled in
silence. Without any label, the commune of a letterhead ("UBND XÃ …") and the year of a title
("… NĂM 2024") are used and said so in the reading summary.

The criteria set is chosen by `ntm.criteria.choose_set`, as the assessment chooses it; a set
named in the return that differs is a warning. The stored profile's region or group is the
truth: a return that says otherwise is a warning naming both, and a missing one is a warning
naming the fallback.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ntm.criteria import CriteriaSet, choose_set, shipped_sets
from ntm.errors import Code, NoCriteriaSetError, NtmError, Problem
from ntm.returns.cells import a1, cell_text, name_text
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
from ntm.returns.labels import COMMUNE_WORDS, INFO_SHEETS, label_key, village_prefix
from ntm.returns.layout import HEADER_SEARCH_ROWS, Table, find_table
from ntm.returns.legacy import convert_sheets
from ntm.returns.meta import (
    INFO_SEARCH_ROWS,
    Found,
    SheetMeta,
    commune_name,
    letterhead,
    parse_period,
    resolve_key,
    scan_meta,
)
from ntm.returns.rows import TableContext, TableReader
from ntm.returns.summary import Note, ReadingSummary
from ntm.text import fold
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
KeysByCommune = Mapping[str, Mapping[str, str]]
_NO_INFO = CodeInfo("", "", "", "", ())


@lru_cache(maxsize=1024)
def _same_name(a: str, b: str) -> bool:
    return fold(commune_name(a)) == fold(commune_name(b))


def _names_set(named: str, crit: CriteriaSet) -> bool:
    """Whether a return's "Bộ tiêu chí:" names `crit`: its id, title or decision number."""
    key = fold(named)
    decision = fold(crit.legal_basis.decision).split("/")[0]
    return bool(key) and (
        key == fold(crit.id)
        or key in (fold(crit.title.vi), fold(crit.title.en))
        or (decision.isdigit() and re.search(rf"(?<!\d){decision}(?!\d)", key) is not None)
    )


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
    def _book_meta(self, book: SheetMeta) -> None:
        meta, summary = self.meta, self.summary
        found = book.get("commune")
        if found is None and "commune" in book.inferred:
            found = book.inferred["commune"]
            self._inferred_note("commune", found)
        if found is not None:
            meta.commune = commune_name(found.value) or None
            summary.sources["commune"] = f"{found.sheet}!{found.cell}"
        found = book.get("commune_code")
        if found is not None:
            meta.commune_code = cell_text(found.value) or None
        found = book.get("period")
        if found is None and "period" in book.inferred:
            found = book.inferred["period"]
            self._inferred_note("period", found)
        if found is not None:
            self.period_where = (found.sheet, found.cell)
            summary.sources["period"] = f"{found.sheet}!{found.cell}"
            meta.period = parse_period(found.value)
            if meta.period is None:
                self.problem(Code.BAD_PERIOD, found.sheet, found.cell, text=cell_text(found.value))
        found = book.get("criteria_set")
        if found is not None:
            meta.criteria_set = name_text(found.value)

    def _inferred_note(self, key: str, found: Found) -> None:
        cell = f"{found.sheet}!{found.cell}"
        text = cell_text(found.value) if key == "period" else str(found.value)
        self.summary.notes.append(
            Note(
                "from_letterhead",
                {"label": f"i18n:reading.label.{key}", "cell": cell, "text": text},
            )
        )

    def _period_from_header(self, tables: list[tuple[Grid, Table, SheetMeta]]) -> None:
        """No year anywhere else: the one result column that names a year gives it."""
        years = {c.year for _, t, _ in tables for c in t.value_candidates() if c.year}
        heads = [(g, c) for g, t, _ in tables for c in t.value_candidates() if c.year]
        if len(years) != 1 or any(len(t.value_candidates()) > 1 for _, t, _ in tables):
            return
        grid, column = heads[0]
        self.meta.period = column.year
        self.period_where = (grid.name, a1(column.header_row, column.col))
        self.summary.sources["period"] = f"{grid.name}!{self.period_where[1]}"
        self.summary.notes.append(
            Note("period_from_header", {"period": column.year, "header": column.header})
        )

    def _sheet_unit(
        self, grid: Grid, table: Table, own: SheetMeta, info: SheetMeta
    ) -> tuple[str, int, str | None, bool] | None:
        """(commune, period, village, no village named) of a table; None when its block
        contradicts the info sheet (META_CONFLICT)."""
        commune, period = str(self.meta.commune), int(self.meta.period or 0)
        mine, theirs = own.get("commune"), info.get("commune")
        if mine is not None:
            if theirs is not None and not _same_name(
                name_text(mine.value), name_text(theirs.value)
            ):
                self._conflict(grid, mine, theirs, "commune")
                return None
            commune = commune_name(mine.value) or commune
        mine, theirs = own.get("period"), info.get("period")
        if mine is not None:
            year = parse_period(mine.value)
            if theirs is not None and year != parse_period(theirs.value):
                self._conflict(grid, mine, theirs, "period")
                return None
            period = year or period
        mine, theirs = own.get("village"), info.get("village")
        sheet_is_commune = label_key(grid.name) in COMMUNE_WORDS
        if table.wide:
            village = None  # its columns name the villages
        elif mine is not None:
            name = name_text(mine.value)
            if theirs is not None and fold(name) != fold(name_text(theirs.value)):
                self._conflict(grid, mine, theirs, "village")
                return None
            village = None if label_key(name) in COMMUNE_WORDS else name
        elif theirs is not None and label_key(name_text(theirs.value)) not in COMMUNE_WORDS:
            if sheet_is_commune:
                here = Found(grid.name, grid.name, 0, 0)
                self._conflict(grid, here, theirs, "village", cell="")
                return None
            village = name_text(theirs.value)
        elif sheet_is_commune or theirs is not None:
            village = None
        elif village_prefix(grid.name):
            village = name_text(grid.name)
            self.summary.notes.append(Note("village_from_sheet", {"sheet": grid.name}))
        else:
            return commune, period, None, True
        return commune, period, village, False

    def _conflict(
        self, grid: Grid, mine: Found, theirs: Found, key: str, cell: str | None = None
    ) -> None:
        self.problem(
            Code.META_CONFLICT,
            grid.name,
            mine.cell if cell is None else cell,
            sheet=grid.name,
            label=f"i18n:reading.label.{key}",
            here=cell_text(mine.value),
            book=cell_text(theirs.value),
            where=f"{theirs.sheet}!{theirs.cell}",
        )
        return None

    def _choose_value_column(self, grid: Grid, table: Table, period: int) -> bool:
        """The result column of a long table: the only one, or the one naming the return's
        year; False (and an error) when that cannot be told."""
        if table.wide:
            return True
        candidates = table.value_candidates()
        if not candidates:
            table.value_col = -1
            return True
        if len(candidates) == 1:
            column = candidates[0]
            if column.year is not None and column.year != period:
                self.problem(
                    Code.VALUE_COLUMN_OTHER_YEAR,
                    grid.name,
                    a1(column.header_row, column.col),
                    header=column.header,
                    year=column.year,
                    period=period,
                )
                return False
            table.value_col = column.col
            return True
        match = [c for c in candidates if c.year == period]
        if not match:
            yearless = [c for c in candidates if c.year is None]
            if len(yearless) == 1:
                match = yearless
        if len(match) != 1:
            first = candidates[0]
            self.problem(
                Code.AMBIGUOUS_VALUE_COLUMN,
                grid.name,
                a1(first.header_row, first.col),
                headers=", ".join(f'"{c.header}"' for c in candidates),
                period=period,
            )
            return False
        table.value_col = match[0].col
        for column in candidates:
            if column is not match[0]:
                column.reason = "other_year"
        return True

    def _choose_criteria(self, period: int, book: SheetMeta) -> CriteriaSet | None:
        known = {**shipped_sets(), **{s.id: s for s in self.extra_sets}}
        own = self.commune_sets.get(self.meta.commune or "")
        try:
            chosen = choose_set(period, known=known, forced=self.criteria, own=own)
        except NoCriteriaSetError:
            self.problem(Code.NO_CRITERIA_SET, *self.period_where, year=period)
            return None
        named = book.get("criteria_set")
        if named is not None and not _names_set(name_text(named.value), chosen):
            self.problem(
                Code.CRITERIA_SET_DIFFERS,
                named.sheet,
                named.cell,
                stated=name_text(named.value),
                chosen=chosen.id,
                period=period,
            )
        self.meta.criteria_set = chosen.id
        self.criteria = chosen
        return chosen

    def _resolve_keys(self, book: SheetMeta, criteria: CriteriaSet) -> None:
        commune = self.meta.commune or ""
        profile = self.commune_keys.get(commune) or next(
            (keys for name, keys in self.commune_keys.items() if _same_name(name, commune)), {}
        )
        for key in ("region", "group"):
            found = book.get(key)
            if key != criteria.keyed_by:
                if found is not None:
                    text = name_text(found.value)
                    bare = re.sub(r"^(?:nhom|group)\s*", "", fold(text))
                    setattr(self.meta, key, bare if key == "group" and bare.isdigit() else text)
                continue
            stated = resolve_key(found.value, criteria) if found is not None else None
            truth = profile.get(key)
            if truth:
                if found is not None and stated != truth:
                    self.problem(
                        Code.REGION_DIFFERS,
                        found.sheet,
                        found.cell,
                        key=f"i18n:reading.label.{key}",
                        stated=cell_text(found.value),
                        profile=truth,
                        commune=commune,
                    )
                setattr(self.meta, key, truth)
                self.summary.sources[key] = "profile"
            elif found is not None:
                if stated is None:
                    self.problem(
                        Code.UNKNOWN_REGION,
                        found.sheet,
                        found.cell,
                        text=cell_text(found.value),
                        criteria_set=criteria.id,
                        choices=", ".join(criteria.key_ids()),
                    )
                setattr(self.meta, key, stated)
                self.summary.sources[key] = f"{found.sheet}!{found.cell}"
            elif len(criteria.keys) > 1:
                which = Code.MISSING_REGION if key == "region" else Code.MISSING_GROUP
                self.problem(which, criteria_set=criteria.id)

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
