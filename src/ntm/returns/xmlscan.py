"""Scans of a worksheet's XML before calamine parses it: extent, formulas, number formats."""

from __future__ import annotations

import html
import posixpath
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from ntm.returns.cells import column_index

if TYPE_CHECKING:
    from ntm.returns.container import Limits

_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_EL = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>")
_REL_EL = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
_CELL_WITHOUT_REF = re.compile(rb'<c(?! r=")[\s>/]')
_WIDE_REF = re.compile(rb'<c r="([A-Z]{2,3})\d')
_REF_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d+)"')
_ROW_OR_CELL = re.compile(rb"<(?:[\w.-]+:)?(row|c)(\s[^>]*)?/?>")
_REF_ATTR = re.compile(rb"\sr\s*=\s*[\"']([A-Z]{0,3})(\d*)[\"']")
_CELL = re.compile(rb"<((?:[\w.-]+:)?)c\b([^>]*?)(?:/>|>(.*?)</\1c>)", re.S)
_CELL_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Z]{1,3})(\d+)[\"']")
_CELL_TYPE = re.compile(rb"\st\s*=\s*[\"'](\w+)[\"']")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_CACHED = re.compile(rb"<(?:[\w.-]+:)?v>\s*[^<\s]")
_CELL_XFS = re.compile(rb"<(?:[\w.-]+:)?cellXfs\b[^>]*>(.*?)</(?:[\w.-]+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:[\w.-]+:)?xf\b([^>]*)>")
_NUM_FMT = re.compile(rb"<(?:[\w.-]+:)?numFmt\b([^>]*)>")
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
BUILTIN_PERCENT_FORMATS = frozenset({9, 10})
_PERCENT_ID = re.compile(rb"numFmtId\s*=\s*[\"'](?:9|10)[\"']")


@lru_cache(maxsize=32)
def odd_cell(digits: int, or_formula: bool = False) -> re.Pattern[bytes]:
    """A cell that does not name its place first as one letter and a row number of fewer than
    `digits` digits (r="A1" to r="Z99999" for 6), e.g. one past column Z or far down; with
    `or_formula`, also a formula element (a superset of `has_formula`)."""
    # Written as "not the usual cell" (one lookahead per cell): a third faster than listing
    # the odd ones, and anything unusual only takes `sheet_extent` to its exact scan.
    usual = rb'(?! r="[A-Z]\d{1,%d}")' % (digits - 1) if digits > 1 else b""
    if or_formula:
        return re.compile(rb"<(?:c" + usual + rb"|f)[\s>/]")
    return re.compile(rb"<c" + usual + rb"[\s>/]")


def sheet_extent(xml: bytes, limits: Limits, usual_cells: bool = False) -> tuple[int, int]:
    """(last row, last column), 1-based, of the cells calamine will place, or a bound above
    them: calamine builds a dense grid from A1 to there (a lone cell in XFD1048576 aborts the
    process). `usual_cells`: `odd_cell` is known to find nothing."""
    if b"<sheetData" in xml:
        # Cells that name their place first (Excel, LibreOffice, openpyxl): one literal scan.
        digits = len(str(limits.max_rows))
        bound = 10 ** (digits - 1) - 1  # rows with fewer digits
        if 26 * bound <= limits.max_cells and (usual_cells or not odd_cell(digits).search(xml)):
            return bound, 26
        if not _CELL_WITHOUT_REF.search(xml):
            last_row = max(map(int, _REF_ROW.findall(xml)), default=0)
            wide = set(_WIDE_REF.findall(xml))
            return last_row, max((column_index(c) + 1 for c in wide), default=26)
    # Anything else: follow calamine (a row or cell without r comes after the previous one).
    row = col = -1
    last_row = last_col = 0
    for m in _ROW_OR_CELL.finditer(xml):
        ref = _REF_ATTR.search(m.group(2) or b"")
        if m.group(1) == b"row":
            row = int(ref.group(2)) - 1 if ref and ref.group(2) else row + 1
            col = -1
            continue
        if ref and ref.group(1):
            col = column_index(ref.group(1))
            at = int(ref.group(2)) - 1 if ref.group(2) else row
        else:
            col, at = col + 1, row
        last_row, last_col = max(last_row, at + 1), max(last_col, col + 1)
    return last_row, last_col


def has_formula(xml: bytes) -> bool:
    if b"<sheetData" not in xml:  # a namespace prefix: the slower pattern
        return _FORMULA.search(xml) is not None
    at = xml.find(b"<f")
    while at >= 0:  # "<f" also starts "<formula1>" of a data validation
        if xml[at + 2 : at + 3] in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
            return True
        at = xml.find(b"<f", at + 2)
    return False


def xml_attrs(blob: bytes) -> dict[str, str]:
    out = {}
    for name, double, single in _ATTR.findall(blob):
        value = (double or single).decode("utf-8", "replace")
        out[name.decode("ascii", "replace")] = html.unescape(value) if "&" in value else value
    return out


def is_percent_format(code: str) -> bool:
    """True when an Excel number format scales by 100: a '%' outside quotes and escapes."""
    return "%" in _FORMAT_LITERALS.sub("", code)


def percent_styles(styles: bytes) -> set[bytes]:
    if b"%" not in styles and not _PERCENT_ID.search(styles):
        return set()
    custom = {}
    for m in _NUM_FMT.finditer(styles):
        a = xml_attrs(m.group(1))
        if a.get("numFmtId", "").isdigit():
            custom[int(a["numFmtId"])] = a.get("formatCode", "")
    block = _CELL_XFS.search(styles)
    out: set[bytes] = set()
    if block is None:
        return out
    for i, m in enumerate(_XF.finditer(block.group(1))):
        fmt_id = xml_attrs(m.group(1)).get("numFmtId", "0")
        n = int(fmt_id) if fmt_id.isdigit() else 0
        if n in BUILTIN_PERCENT_FORMATS or (n in custom and is_percent_format(custom[n])):
            out.add(str(i).encode())
    return out


def relationship_targets(rels: bytes) -> dict[str, tuple[str, str]]:
    """Relationship id → (member name in lower case, relationship type)."""
    out = {}
    for m in _REL_EL.finditer(rels):
        a = xml_attrs(m.group(1))
        target = a.get("Target", "")
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join("xl", target))
        out[a.get("Id", "")] = (path.lower(), a.get("Type", ""))
    return out
