"""Whose values a table holds, and against what they are judged (part of the reader).

Metadata: a book-level block (a "Thông tin" sheet under any usual name, or a sheet with labels
and no table) applies to every data sheet without its own; a sheet's own block above its table
wins, and a block that contradicts the info sheet is an error (META_CONFLICT), never settled in
silence. Without any label, the commune of a letterhead ("UBND XÃ …") and the year of a title
("… NĂM 2024") are used and said so in the reading summary. A long table's result column is the
only one, or the one naming the return's year.

The criteria set is chosen by `ntm.criteria.choose_set`, as the assessment chooses it; a set
named in the return that differs is a warning. The stored profile's region or group is the
truth: a return that says otherwise is a warning naming both, and a missing one is a warning
naming the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

from ntm.criteria import CriteriaSet, choose_set, shipped_sets
from ntm.errors import Code, NoCriteriaSetError
from ntm.returns.cells import a1, cell_text, name_text
from ntm.returns.grids import Grid
from ntm.returns.labels import COMMUNE_WORDS, label_key, village_prefix
from ntm.returns.layout import Table
from ntm.returns.meta import Found, SheetMeta, commune_name, parse_period, resolve_key
from ntm.returns.summary import Note, ReadingSummary
from ntm.text import fold
from ntm.values import ReturnMeta

KeysByCommune = Mapping[str, Mapping[str, str]]


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


def _other_period_form(stated: CriteriaSet, chosen: CriteriaSet, period: int) -> bool:
    """Whether a return naming `stated` is a form of another period than `period`'s set: the
    named set does not cover the year, and both sets have codes a return could carry."""
    return (
        stated.id != chosen.id
        and not stated.covers(period)
        and bool(stated.measured_codes())
        and bool(chosen.measured_codes())
    )


def _stated_set(named: str, known: Mapping[str, CriteriaSet]) -> CriteriaSet | None:
    """The one commune set a return's "Bộ tiêu chí:" names, if exactly one."""
    found = [s for s in known.values() if s.level == "commune" and _names_set(named, s)]
    return found[0] if len(found) == 1 else None


class UnitsMixin:
    """The reader's metadata steps (mixed into `ntm.returns.reader._Reader`)."""

    meta: ReturnMeta
    summary: ReadingSummary
    criteria: CriteriaSet | None
    extra_sets: Sequence[CriteriaSet]
    commune_sets: Mapping[str, str]
    commune_keys: KeysByCommune
    period_where: tuple[str, str]
    problem: Callable[..., None]

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
            stated = _stated_set(name_text(named.value), known)

            def said(code: Code, stated_name: str) -> None:
                where = (named.sheet, named.cell)
                self.problem(code, *where, stated=stated_name, chosen=chosen.id, period=period)

            if stated is not None and not chosen.measured_codes() and stated.measured_codes():
                # The set in force has no indicators yet (2026-2030 as shipped: Decision
                # 51/2025's 47 indicators are not transcribed), so it could keep no value at
                # all. The return is read on the set it names, its values kept under that set's
                # codes; they are judged on the set in force, which does not know them, so every
                # criterion stays unknown: no indicator is invented (issue 16).
                said(Code.READ_ON_STATED_SET, stated.id)
                self.meta.criteria_set = chosen.id
                self.criteria = stated
                return stated
            if stated is not None and _other_period_form(stated, chosen, period):
                # A form of another period (the 2021-2025 form filled for 2026 once the
                # 2026-2030 indicators are loaded): its codes ("1.1", "2.1" …) exist in both
                # sets with other meanings (318/QĐ-TTg vs 51/2025/QĐ-TTg), so reading them on
                # the set in force would judge values under indicators they were not written
                # for. Refused with what to do instead (issue 16).
                said(Code.FORM_OF_OTHER_PERIOD, stated.id)
                return None
            said(Code.CRITERIA_SET_DIFFERS, name_text(named.value))
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
