"""Sheets as grids of values (python-calamine), with the percent and uncached cells found by
the XML scan."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import python_calamine as pc

from ntm.errors import Code
from ntm.returns.cells import a1
from ntm.returns.container import Book, Guard, Refused
from ntm.returns.xmlscan import is_percent_format


@dataclass
class Grid:
    name: str
    rows: list[list[Any]]
    percent: set[tuple[int, int]]
    no_cache: set[tuple[int, int]]

    def get(self, r: int, c: int) -> Any:
        if c < 0 or r >= len(self.rows):
            return ""
        row = self.rows[r]
        return row[c] if c < len(row) else ""


def load_grids(data: bytes, book: Book, guard: Guard) -> list[Grid]:
    limits = guard.limits
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = wb.sheets_metadata
    except pc.PasswordError:
        raise guard.refuse(Code.ENCRYPTED_WORKBOOK) from None
    except BaseException as exc:  # calamine errors, and a Rust panic (a BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise guard.refuse(Code.UNREADABLE_FILE, detail=type(exc).__name__) from None
    if len(metas) > limits.max_sheets:
        raise guard.refuse(Code.TOO_MANY_SHEETS, count=len(metas), limit=limits.max_sheets)
    grids = []
    for meta in metas:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        try:
            sheet = wb.get_sheet_by_name(meta.name)
            end = sheet.end
            if end is not None:
                if end[0] + 1 > limits.max_rows:
                    raise guard.refuse(Code.TOO_MANY_ROWS, sheet=meta.name, limit=limits.max_rows)
                if (end[0] + 1) * (end[1] + 1) > limits.max_cells:
                    raise guard.refuse(
                        Code.TOO_MANY_CELLS,
                        sheet=meta.name,
                        cell=a1(*end),
                        last_cell=a1(*end),
                        limit=limits.max_cells,
                    )
            rows = sheet.to_python(skip_empty_area=False)
        except Refused:
            raise
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise guard.refuse(
                Code.UNREADABLE_FILE, sheet=meta.name, detail=type(exc).__name__
            ) from None
        grids.append(
            Grid(
                meta.name,
                rows,
                book.percent.get(meta.name, set()),
                book.no_cache.get(meta.name, set()),
            )
        )
        guard.check_time()
    return grids


def legacy_percent_cells(data: bytes) -> dict[str, set[tuple[int, int]]] | None:
    """Percent-formatted cells of a legacy .xls, from its format records (xlrd; calamine gives
    values only). None when the records cannot be read: the reader then warns on percent
    values in (0, 1] instead of guessing (LEGACY_PERCENT_UNSURE)."""
    try:
        import xlrd

        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception:  # xlrd's own errors, and anything a damaged BIFF stream raises
        return None
    try:
        percent_xfs = {
            i
            for i, xf in enumerate(book.xf_list)
            if is_percent_format(getattr(book.format_map.get(xf.format_key), "format_str", ""))
        }
        out: dict[str, set[tuple[int, int]]] = {}
        for index in range(book.nsheets):
            sheet = book.get_sheet(index)
            cells = out.setdefault(sheet.name, set())
            if not percent_xfs:
                continue
            for r in range(sheet.nrows):
                for c in range(sheet.row_len(r)):
                    if sheet.cell_xf_index(r, c) in percent_xfs:
                        cells.add((r, c))
        return out
    except Exception:
        return None
    finally:
        book.release_resources()
