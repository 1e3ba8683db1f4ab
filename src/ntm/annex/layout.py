"""Finding the criteria table in the annex's grids and reading it row by row (criteria.md §2b).

The table: `TT | Tên tiêu chí | Nội dung tiêu chí | Chỉ tiêu chung | Chỉ tiêu theo vùng` with a
sub-column per region (Decision 318) or one column per commune group "Nhóm 1/2/3" (Decision
51/2025), on one or two header rows; headers are matched without regard to case, diacritics or
spacing, regions also by their initials ("TDMNPB", "ĐBSH"). Body rows:

- a section row ("I. QUY HOẠCH", merged across the table) is passed over;
- TT gives the criterion number (merged over its indicator rows; blank on a continued page:
  the criterion goes on), "Tên tiêu chí" its name;
- the content starts with the indicator's code and a dot ("2.2. Tỷ lệ …"); a criterion with
  one indicator prints no code: the code is the criterion number ("7");
- a content row with no code, no threshold and an indicator before it continues that
  indicator's text (a row broken over a page); a row with thresholds but no code, after an
  indicator of the same criterion, is not guessed at: it is reported (`SkippedRow`);
- a repeated header (every PDF page, Word's repeated header rows) and a column-number row
  ("(1) (2) (3) …") are passed over.

Every threshold column of a row gives one `DraftCell`, whatever it prints; a blank cell or a
dash gives none (the general column applies).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ntm.annex.draft import (
    DraftCell,
    DraftCriterion,
    DraftIndicator,
    Place,
    SkippedRow,
    cell_from,
    check_consistency,
)
from ntm.annex.grid import Cell, Grid, Where
from ntm.annex.thresholds import read_threshold
from ntm.criteria import GENERAL_KEY, KeyDef
from ntm.text import strip_marks

TT, NAME, CONTENT, GENERAL = "tt", "name", "content", "general"
UNKNOWN_KEY = "?"
_CODE = re.compile(r"^(\d+(?:\.\d+)*)\s*[.)]?\s+(\S.*)$")
_ROMAN = re.compile(r"^[IVXLC]+\.?$")
_NUMBERING = re.compile(r"^\(?\d+\)?$")
_GROUP = re.compile(r"^(?:xa )?nhom(?: xa)? (\w+)$")
HEADER_ROWS_SEARCHED = 10


def norm(text: str) -> str:
    """'Chỉ tiêu  chung' → 'chi tieu chung': no diacritics, lower case, no punctuation."""
    text = strip_marks(text).lower()
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


def _is_content_header(n: str) -> bool:
    return n.startswith("noi dung") or n in {"ten chi tieu", "chi tieu"}


def _role_of_header(n: str) -> str | None:
    if n in {"tt", "stt", "so tt", "so thu tu"}:
        return TT
    if n in {"ten tieu chi", "tieu chi"}:
        return NAME
    if _is_content_header(n):
        return CONTENT
    if n.startswith("chi tieu chung") or n == "chung":
        return GENERAL
    return None


class KeyMatcher:
    """Matches a printed column header to a region or group id of the set."""

    def __init__(self, keys: list[KeyDef]):
        self.names: dict[str, str] = {}
        for key in keys:
            if key.id == GENERAL_KEY:
                continue
            for name in (key.name.vi, key.name.en):
                n = norm(name)
                if not n:
                    continue
                words = [w for w in n.split() if w != "va"]
                self.names[n] = key.id
                self.names[" ".join(words)] = key.id
                if len(words) > 1:
                    self.names["".join(w[0] for w in words)] = key.id
            if not key.id.isdigit():
                self.names[norm(key.id)] = key.id

    def __call__(self, text: str) -> str | None:
        n = norm(text)
        for candidate in (n, re.sub(r"^(vung|mien) ", "", n), n.replace(" va ", " ")):
            if candidate in self.names:
                return self.names[candidate]
        group = _GROUP.match(n)
        if group and f"nhom {group[1]}" in self.names:
            return self.names[f"nhom {group[1]}"]
        return None


@dataclass
class Columns:
    """The role of each column (0-based): tt, name, content, general, or a key id."""

    roles: dict[int, str]
    headers: dict[int, str]  # the printed header of each threshold column
    width: int
    unknown: list[tuple[int, str, Where]] = field(default_factory=list)

    def of(self, role: str) -> int | None:
        return next((c for c, r in self.roles.items() if r == role), None)

    def thresholds(self) -> list[int]:
        return [c for c, r in self.roles.items() if r not in (TT, NAME, CONTENT, UNKNOWN_KEY)]


def _text(row: list[Cell], column: int | None) -> str:
    return row[column].text if column is not None and column < len(row) else ""


def find_header(grid: Grid, match: KeyMatcher) -> tuple[int, Columns] | None:
    """(the first body row, the columns) when the grid starts with the criteria table header."""
    for h, row in enumerate(grid.rows[:HEADER_ROWS_SEARCHED]):
        roles = {_role_of_header(norm(c.text)) for c in row}
        if CONTENT not in roles:
            continue
        below = grid.rows[h + 1] if h + 1 < len(grid.rows) else []
        if not (
            GENERAL in roles
            or any(match(c.text) for c in [*row, *below])
            or any(norm(c.text).startswith("chi tieu theo") for c in row)
        ):
            continue
        end = h + 1
        while end < len(grid.rows) and end < h + 3 and _is_header_row(grid.rows[end], match):
            end += 1
        return end, _columns(grid.rows[h:end], match)
    return None


def _is_header_row(row: list[Cell], match: KeyMatcher) -> bool:
    """A row below the first header row that still belongs to the header."""
    return any(match(c.text) for c in row) and not any(_CODE.match(c.text) for c in row)


def _columns(header: list[list[Cell]], match: KeyMatcher) -> Columns:
    width = max(len(r) for r in header)
    roles: dict[int, str] = {}
    headers: dict[int, str] = {}
    unknown = []
    for c in range(width):
        texts = [r[c].text for r in header if c < len(r)]
        key = match(texts[-1]) if texts else None
        own = [_role_of_header(norm(t)) for t in texts]
        if key is not None:
            roles[c], headers[c] = key, texts[-1]
        elif GENERAL in own:
            roles[c], headers[c] = GENERAL, texts[own.index(GENERAL)]
        elif CONTENT in own:
            roles[c] = CONTENT
        elif NAME in own:
            roles[c] = NAME
        elif TT in own:
            roles[c] = TT
        elif any(norm(t).startswith("chi tieu theo") for t in texts[:-1]) or (
            texts
            and texts[-1]
            and roles.get(c - 1) not in (None, TT, NAME, CONTENT, GENERAL)
            and not norm(texts[-1]).startswith(_EXTRA_COLUMNS)
        ):
            # under "Chỉ tiêu theo vùng", or right of a region/group column: a region or
            # group this set does not have (its thresholds would be lost: refuse)
            roles[c] = UNKNOWN_KEY
            unknown.append((c, texts[-1], header[-1][c].origin))
    return Columns(roles, headers, width, unknown)


# Columns self-assessment forms add beside the thresholds (criteria.md §2b): not thresholds.
_EXTRA_COLUMNS = ("ghi chu", "ket qua", "hien trang", "tu danh gia", "danh gia", "don vi")


@dataclass
class TableRead:
    criteria: list[DraftCriterion] = field(default_factory=list)
    indicators: list[DraftIndicator] = field(default_factory=list)
    cells: list[DraftCell] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    unknown_columns: list[tuple[str, Where]] = field(default_factory=list)
    found_header: bool = False


def place(where: Where) -> Place:
    return Place(
        table=where.table,
        row=where.row,
        column=where.column,
        page=where.page,
        sheet=where.sheet,
        ref=where.ref,
    )


class _Reader:
    def __init__(self, match: KeyMatcher):
        self.match = match
        self.out = TableRead()
        self.criterion: DraftCriterion | None = None
        self.indicator: DraftIndicator | None = None
        self.codes: set[str] = set()

    def grid(self, grid: Grid, columns: Columns | None) -> Columns | None:
        found = find_header(grid, self.match)
        start = 0
        if found is not None:
            start, columns = found
            self.out.found_header = True
            self.out.unknown_columns += [(text, where) for _, text, where in columns.unknown]
        elif columns is None or grid.width != columns.width:
            return columns  # not part of the criteria table
        for row in grid.rows[start:]:
            self.row(row, columns)
        return columns

    def row(self, row: list[Cell], cols: Columns) -> None:
        tt, name = _text(row, cols.of(TT)), _text(row, cols.of(NAME))
        content = _text(row, cols.of(CONTENT))
        printed = {c: _text(row, c) for c in cols.thresholds()}
        texts = [c.text for c in row if c.text]
        if not texts or _role_of_header(norm(content)) == CONTENT or norm(tt) in {"tt", "stt"}:
            return  # empty, or the header repeated on a new page
        if all(_NUMBERING.match(t) for t in texts):
            return  # the column-number row "(1) (2) (3) …"
        if _ROMAN.match(tt) or len({c.origin for c in row}) == 1:
            return  # a section row ("I. QUY HOẠCH"), one cell across the table
        number = re.sub(r"\.$", "", tt.strip())
        if number.isdigit() and (self.criterion is None or number != self.criterion.number):
            self.criterion = DraftCriterion(number=number, name=name)
            self.out.criteria.append(self.criterion)
            self.indicator = None
        elif self.criterion is not None and name and not self.criterion.name:
            self.criterion = self.criterion.model_copy(update={"name": name})
            self.out.criteria[-1] = self.criterion
        where = row[cols.of(CONTENT) or 0].origin
        if self.criterion is None:
            self.skip(where, " | ".join(texts), "no_criterion")
            return
        code, rest = self.code_of(content)
        has_thresholds = any(printed.values()) and any(
            read_threshold(t) is not None for t in printed.values()
        )
        if code is None or code in self.codes:
            same = self.indicator is not None and self.indicator.criterion == self.criterion.number
            if not has_thresholds and same and content:
                self.extend(content if code is None else rest)
                return
            if code is None and not has_thresholds:
                return  # a criterion's heading row without figures
            if code is None and not any(
                i.criterion == self.criterion.number for i in self.out.indicators
            ):
                code, rest = self.criterion.number, content
            else:
                reason = "duplicate_code" if code else "no_code"
                self.skip(where, " | ".join(texts), reason)
                return
        self.indicator = DraftIndicator(
            criterion=self.criterion.number, code=code, name=rest, where=place(where)
        )
        self.codes.add(code)
        self.out.indicators.append(self.indicator)
        for c, text in printed.items():
            reading = read_threshold(text, rest)
            if reading is None:
                continue
            key = None if cols.roles[c] == GENERAL else cols.roles[c]
            self.out.cells.append(
                cell_from(code, key, cols.headers.get(c, ""), text, place(row[c].origin), reading)
            )

    def code_of(self, content: str) -> tuple[str | None, str]:
        found = _CODE.match(content)
        if found and self.criterion and found[1].split(".")[0] == self.criterion.number:
            return found[1], found[2].strip()
        return None, content

    def extend(self, text: str) -> None:
        assert self.indicator is not None
        longer = self.indicator.model_copy(update={"name": f"{self.indicator.name} {text}"})
        self.out.indicators[-1] = self.indicator = longer

    def skip(self, where: Where, text: str, reason: str) -> None:
        self.out.skipped.append(SkippedRow(where=place(where), text=text[:300], reason=reason))


def read_tables(grids: list[Grid], keys: list[KeyDef]) -> TableRead:
    """Read the criteria table spread over `grids` (a PDF's pages, a document's tables)."""
    reader = _Reader(KeyMatcher(keys))
    columns: Columns | None = None
    for grid in grids:
        columns = reader.grid(grid, columns)
    reader.out.cells = check_consistency(reader.out.cells)
    return reader.out


def key_columns(grids: list[Grid], keys: list[KeyDef]) -> int:
    """How many header columns of the grids name one of `keys` (to choose the base set)."""
    match = KeyMatcher(keys)
    best = 0
    for grid in grids:
        found = find_header(grid, match)
        if found is not None:
            best = max(best, sum(1 for r in found[1].roles.values() if r not in _NOT_KEYS))
    return best


_NOT_KEYS = {TT, NAME, CONTENT, GENERAL, UNKNOWN_KEY}
