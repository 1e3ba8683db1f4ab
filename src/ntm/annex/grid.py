"""The annex's tables as plain grids, whatever the file: Word, Excel or a text PDF.

A reader turns each table of the document into a `Grid`: rows of `Cell`s where a merged cell
(a criterion merged over its indicators, "Chỉ tiêu theo vùng" over seven regions, "Đạt" over
every column) fills every position it covers with its text; `origin` is the top-left position
of the merged cell, so a cell knows where it was printed. Positions are 1-based.

- Word (.docx, python-docx): every table of the body, in order; `w:gridSpan` and `w:vMerge`.
- Excel (.xlsx, openpyxl): every sheet is one table; merged ranges; a cell formatted as a
  percentage holding 0.7 prints "70%", as Excel shows it.
- PDF (pdfplumber): every ruled table of every page; merged cells are found from the cells'
  rectangles (a cell spanning two row bands spans two rows). A text PDF only: a scan has no
  text to read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from ntm.annex.thresholds import clean


@dataclass(frozen=True)
class Where:
    """Where a cell was printed: table (1-based, in document order), row, column; page for a
    PDF, sheet for a workbook; `ref` says it for a person ("Phụ lục!E12", "trang 2 · bảng 1 ·
    hàng 5 · cột 4")."""

    table: int
    row: int
    column: int
    page: int | None = None
    sheet: str | None = None

    @property
    def ref(self) -> str:
        if self.sheet is not None:
            return f"{self.sheet}!{get_column_letter(self.column)}{self.row}"
        place = f"bảng {self.table} · hàng {self.row} · cột {self.column}"
        return f"trang {self.page} · {place}" if self.page is not None else place


@dataclass(frozen=True)
class Cell:
    text: str
    origin: Where  # where the (merged) cell starts


@dataclass
class Grid:
    table: int
    rows: list[list[Cell]] = field(default_factory=list)
    page: int | None = None
    sheet: str | None = None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


class UnreadableDocument(Exception):
    """The bytes are not a document of the kind the name says (or are damaged)."""


# --- Word -------------------------------------------------------------------------------------


def docx_grids(data: bytes) -> list[Grid]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise UnreadableDocument(exc.__class__.__name__) from None
    grids = []
    for t, table in enumerate(document.tables, start=1):
        grid = Grid(table=t)
        # A merged cell's element → where it starts. The elements themselves are the keys (not
        # their id()): holding them keeps lxml handing out the same proxy for the same cell.
        seen: dict[object, Where] = {}
        for r, row in enumerate(table.rows, start=1):
            line = []
            for c, cell in enumerate(row.cells, start=1):
                where = seen.setdefault(cell._tc, Where(t, r, c))
                line.append(Cell(clean(cell.text), where))
            grid.rows.append(line)
        grids.append(grid)
    return grids


# --- Excel ------------------------------------------------------------------------------------


def _xlsx_text(value: object, number_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | float):
        if "%" in number_format:
            return f"{value * 100:g}".replace(".", ",") + "%"
        return f"{value:g}".replace(".", ",")
    return clean(value)


def xlsx_grids(data: bytes) -> list[Grid]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        raise UnreadableDocument(exc.__class__.__name__) from None
    grids = []
    for t, sheet in enumerate(workbook.worksheets, start=1):
        starts: dict[tuple[int, int], tuple[int, int]] = {}
        for merged in sheet.merged_cells.ranges:
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    starts[(r, c)] = (merged.min_row, merged.min_col)
        grid = Grid(table=t, sheet=sheet.title)
        for r, row in enumerate(sheet.iter_rows(), start=1):
            line = []
            for c in range(1, len(row) + 1):
                r0, c0 = starts.get((r, c), (r, c))
                origin = sheet.cell(r0, c0)
                text = _xlsx_text(origin.value, origin.number_format or "")
                line.append(Cell(text, Where(t, r0, c0, sheet=sheet.title)))
            grid.rows.append(line)
        grids.append(grid)
    return grids


# --- PDF --------------------------------------------------------------------------------------


def _bands(edges: list[float], tolerance: float = 1.5) -> list[float]:
    """Edges closer than `tolerance` points are one edge."""
    out: list[float] = []
    for edge in sorted(edges):
        if not out or edge - out[-1] > tolerance:
            out.append(edge)
    return out


def _index(bands: list[float], edge: float) -> int:
    return min(range(len(bands)), key=lambda i: abs(bands[i] - edge))


def pdf_grids(data: bytes) -> list[Grid]:
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise UnreadableDocument(exc.__class__.__name__) from None
    grids: list[Grid] = []
    with pdf:
        for p, page in enumerate(pdf.pages, start=1):
            for found in page.find_tables():
                # pdfplumber's own text of each cell (characters placed by their centre) and
                # the cell's rectangle, from which the rows and columns it spans follow.
                texts = found.extract()
                boxes = [
                    (box, texts[i][j] or "")
                    for i, row in enumerate(found.rows)
                    for j, box in enumerate(row.cells)
                    if box is not None
                ]
                if not boxes:
                    continue
                xs = _bands([b[0] for b, _ in boxes] + [b[2] for b, _ in boxes])
                ys = _bands([b[1] for b, _ in boxes] + [b[3] for b, _ in boxes])
                t = len(grids) + 1
                grid = Grid(table=t, page=p)
                grid.rows = [
                    [Cell("", Where(t, r + 1, c + 1, page=p)) for c in range(len(xs) - 1)]
                    for r in range(len(ys) - 1)
                ]
                for (x0, top, x1, bottom), text in boxes:
                    c0, c1 = _index(xs, x0), _index(xs, x1)
                    r0, r1 = _index(ys, top), _index(ys, bottom)
                    origin = Where(t, r0 + 1, c0 + 1, page=p)
                    for r in range(r0, max(r1, r0 + 1)):
                        for c in range(c0, max(c1, c0 + 1)):
                            grid.rows[r][c] = Cell(clean(text), origin)
                grids.append(grid)
    return grids


READERS = {".docx": docx_grids, ".xlsx": xlsx_grids, ".pdf": pdf_grids}


def grids_of(data: bytes, suffix: str) -> list[Grid]:
    """The tables of a document by its file suffix (.docx, .xlsx, .pdf). UnreadableDocument."""
    try:
        reader = READERS[suffix.lower()]
    except KeyError:
        raise UnreadableDocument(f"không đọc được tệp {suffix}") from None
    return reader(data)
