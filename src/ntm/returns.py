"""Excel return → tidy values (DESIGN §4). `read_return` never raises on bad user data.

What happens to a file, in order:

1. Safety, before any parsing: size (`Limits.max_file_bytes`); the container is sniffed by its
   first bytes (zip → .xlsx/.xlsm; OLE → .xls, or a password-protected .xlsx when it holds an
   "EncryptedPackage" stream; anything else, e.g. CSV or HTML renamed .xlsx, is refused). For a
   zip, the central directory is checked (claimed inflated size, compression ratio, encrypted
   members), the sheet count is read from xl/workbook.xml, then every XML member is inflated in
   small chunks (so a forged size cannot make one read explode; zipfile checks each CRC) and
   refused if it declares a DOCTYPE or ENTITY. Each worksheet's used area (last row, last
   column) is checked before calamine builds its dense grid.
2. The same pass over the worksheet XML records the cells that carry a percent number format and
   the formula cells without a cached value (calamine gives values only). Values are read with
   python-calamine (fast; also legacy .xls, which has no format information), from a copy of the
   zip whose already inflated parts are stored, so that no XML is inflated twice.
3. Metadata: a "Thông tin" sheet and label/value rows above each table (labels matched without
   regard to case, diacritics, Unicode form, spacing or a trailing colon). The period chooses the
   criteria set unless one is given (or the return names a shipped set).
4. Tables: a header row within the first 30 rows; long layout (code + value and/or numerator and
   denominator columns, one unit per sheet) or wide layout (code + one column per village, a
   "Toàn xã" column for the commune). A header cell spanning sub-headers on the next row (either
   Giá trị/Tử số/Mẫu số or village names) is followed.
5. Codes ("2.1", "2,1", "TC2.1", "Chỉ tiêu 2.1", "12.2a", "12.2 (nữ)"; a number 17.1 that may be
   17.10 is resolved by the row's indicator name, then by the neighbouring rows, else
   AMBIGUOUS_CODE), values by the indicator's kind (yes/no phrases, percent formats and
   spellings, decimal comma), then `ntm.validation.check_rows`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import io
import logging
import math
import posixpath
import re
import struct
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import python_calamine as pc

from ntm.criteria import CriteriaSet, set_for_year, shipped_sets
from ntm.errors import Code, NoCriteriaSetError, NtmError, Problem
from ntm.template import nfc
from ntm.validation import (
    CodeIndex,
    check_rows,
    code_index,
    fmt_number,
    reading_index,
    unknown_code_problem,
)
from ntm.values import ReadResult, ReturnMeta, empty_values

log = logging.getLogger(__name__)

MB = 1024 * 1024
HEADER_SEARCH_ROWS = 30
INFO_SEARCH_ROWS = 60
_CHUNK = 1 << 16
# Parts calamine opens by their fixed names, and relationship types it never reads.
_FIXED_PARTS = frozenset({"xl/sharedstrings.xml", "xl/styles.xml"})
_UNREAD_PARTS = ("/theme", "/externalLink", "/customXml")


@dataclass(frozen=True)
class Limits:
    """What a return may cost before it is refused (checked before parsing where possible)."""

    max_file_bytes: int = 20 * MB
    max_inflated_bytes: int = 100 * MB
    max_members: int = 1000
    max_sheets: int = 200
    max_rows: int = 100_000
    parse_seconds: float = 10.0
    max_cells: int = 5_000_000  # per sheet: the area from A1 to its last used cell
    max_ratio: float = 500.0  # inflated/compressed, for a zip member over 1 MB


DEFAULT_LIMITS = Limits()


class _Refused(Exception):
    """The file cannot be read further; `problem` says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code.value)
        self.problem = problem


# --- text normalisation --------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_AROUND_SEPARATORS = re.compile(r"\s*([/,;&-])\s*")


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), one space between words: for comparing labels."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("đ", "d").replace("Đ", "d").casefold()
    return _SPACES.sub(" ", bare).strip()


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """`fold` without bracketed remarks, trailing colon/asterisk, or spaces around '/' and ','."""
    s = _BRACKETS.sub(" ", fold(text))
    s = _AROUND_SEPARATORS.sub(r"\1", s)
    return _SPACES.sub(" ", s).strip(" :*.").strip()


def _table(entries: Mapping[str, str]) -> dict[str, str]:
    """{role: "alias|alias|…"} → {folded alias: role}."""
    return {label_key(a): role for role, aliases in entries.items() for a in aliases.split("|")}


def _words(aliases: str) -> frozenset[str]:
    return frozenset(fold(a) for a in aliases.split("|"))


def _labels(aliases: str) -> frozenset[str]:
    return frozenset(label_key(a) for a in aliases.split("|"))


# Column headers → role. Roles other than code/value/numerator/denominator/note/name are known
# columns that are not read (a wide layout takes every *unknown* header cell as a village).
HEADER_ALIASES = _table(
    {
        "code": "Mã|Mã chỉ tiêu|Mã số|Code|Mã tiêu chí|Mã CT|Mã TC|Mã số chỉ tiêu|Indicator code"
        "|Số hiệu",
        "value": "Giá trị|Kết quả|Value|Kết quả thực hiện|Giá trị thực hiện|Số liệu|Thực hiện"
        "|Result|Hiện trạng",
        "numerator": "Tử số|Numerator",
        "denominator": "Mẫu số|Denominator",
        "note": "Ghi chú|Note|Notes|Remarks",
        "name": "Nội dung|Nội dung chỉ tiêu|Tên chỉ tiêu|Indicator|Indicator name|Tên|Name"
        "|Nội dung tiêu chí",
        "unit": "Đơn vị|ĐVT|Đơn vị tính|Unit|Units",
        "criterion": "Tiêu chí|Criterion|Tên tiêu chí|Nhóm tiêu chí",
        # "Chỉ tiêu" heads the threshold column in the tables of Decision 318.
        "threshold": "Ngưỡng|Threshold|Chỉ tiêu|Chỉ tiêu chung|Chỉ tiêu theo vùng|Yêu cầu"
        "|Mức yêu cầu|Target",
        "assessment": "Đánh giá|Tự đánh giá|Kết quả đánh giá|Assessment|Đạt/Không đạt",
        "row": "STT|TT|Số TT|Số thứ tự|No|#",
    }
)
# Header text containing one of these (checked in order) when no alias matches exactly.
HEADER_CONTAINS: list[tuple[str, tuple[str, ...]]] = [
    ("numerator", ("tu so", "numerator")),
    ("denominator", ("mau so", "denominator")),
    ("note", ("ghi chu",)),
    ("code", ("ma chi tieu", "ma so chi tieu", "indicator code")),
    ("unit", ("don vi",)),
    ("threshold", ("nguong", "chi tieu chung", "threshold")),
    ("assessment", ("danh gia", "assessment")),
    ("value", ("gia tri", "ket qua", "thuc hien", "so lieu", "value", "result")),
    ("name", ("noi dung", "ten chi tieu", "indicator")),
]
# A column or "Thôn/Bản:" value that stands for the commune as a whole.
COMMUNE_WORDS = _labels("Toàn xã|Cả xã|Chung toàn xã|Xã|Commune|Tổng|Tổng cộng|Total")
INFO_SHEETS = _labels("Thông tin|Thông tin chung|Info|Information|Metadata")
META_LABELS = _table(
    {
        "commune": "Xã|Tên xã|Commune|Xã/phường/thị trấn",
        "commune_code": "Mã xã|Mã đơn vị hành chính|Mã ĐVHC|Mã đơn vị|Mã số xã|Commune code"
        "|Administrative unit code",
        "village": "Thôn|Bản|Thôn/Bản|Thôn, bản|Thôn - Bản|Thôn bản|Tên thôn|Tên thôn/bản|Village"
        "|Ấp|Thôn/Ấp|Bản/Ấp|Xóm|Thôn/Xóm|Thôn/Tổ|Thôn/Bản/Village",
        "period": "Năm|Kỳ báo cáo|Period|Year|Năm báo cáo|Reporting year|Reporting period",
        "region": "Vùng|Region|Vùng miền|Vùng kinh tế",
        "group": "Nhóm xã|Nhóm|Group|Commune group",
        "criteria_set": "Bộ tiêu chí|Criteria set|Criteria|Bộ tiêu chí áp dụng",
    }
)
YES_WORDS = _words("Đạt|Có|x|✓|✔|☑|TRUE|1|Yes|Y|Đạt chuẩn|Có đạt")
NO_WORDS = _words(
    "Không đạt|Chưa đạt|Không|Chưa|FALSE|0|No|N|Không đạt chuẩn|Chưa đạt chuẩn|Không có|✗|✘"
)


def yes_no(text: str) -> float | None:
    """1.0 / 0.0 for a whole yes/no phrase ("Không đạt" is no), None for anything else."""
    key = fold(text).strip(" .;:!")
    if key in YES_WORDS:
        return 1.0
    if key in NO_WORDS:
        return 0.0
    return None


_NUMBER_TEXT = re.compile(r"[+-]?[\d.,]*\d[\d.,]*")
_GROUPED = {",": re.compile(r"\d{1,3}(,\d{3})+"), ".": re.compile(r"\d{1,3}(\.\d{3})+")}


def parse_number_text(
    text: str, *, kind: str = "number", allow_percent: bool = False
) -> float | None:
    """A number typed as text, Vietnamese or English style; None if it is not one.

    "95,5" and "95.5" are 95.5 (one separator is a decimal mark); "1.234,5" and "1,234.5" are
    1234.5 (the last of two different separators is the decimal mark); "1.234.567" is grouped
    thousands; for a count, "1.234" is 1234 (a count has no decimals). "95%" and "95 %" are 95
    when `allow_percent`.
    """
    s = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    s = "".join(s.split())
    if allow_percent and s.endswith("%"):
        s = s[:-1]
    if not _NUMBER_TEXT.fullmatch(s):
        return None
    sign = -1.0 if s.startswith("-") else 1.0
    body = s.lstrip("+-")
    if "," in body and "." in body:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        group = "." if decimal == "," else ","
        whole, _, frac = body.rpartition(decimal)
        if decimal in whole or not _GROUPED[group].fullmatch(whole):
            return None
        body = whole.replace(group, "") + "." + frac
    elif body.count(",") > 1 or body.count(".") > 1:
        sep = "," if "," in body else "."
        if not _GROUPED[sep].fullmatch(body):
            return None
        body = body.replace(sep, "")
    elif "," in body:
        body = body.replace(",", ".")
    elif kind == "count" and _GROUPED["."].fullmatch(body):
        body = body.replace(".", "")
    try:
        return sign * float(body)
    except ValueError:
        return None


_CODE_TEXT = re.compile(
    r"(?:(?:chi tieu|tieu chi|ma chi tieu|ma so|ma|ct|tc|code|indicator)\s*(?:so)?\s*[:.]?\s*)?"
    r"(\d{1,2})(?:\s*[.,]\s*(\d{1,2}))?(?:\s*[.\-_]?\s*([a-z])(?![a-z]))?\s*\.?\s*(?:\((.*)\))?"
)


@lru_cache(maxsize=4096)
def parse_code_text(text: str) -> tuple[str, str] | None:
    """("12.2a", "") or ("12.2", "nu") for "12.2 (nữ)"; None when the text is not a code."""
    m = _CODE_TEXT.fullmatch(fold(text))
    if not m:
        return None
    major, minor, letter, remark = m.groups()
    code = major + (f".{minor}" if minor else "") + (letter or "")
    return code, (remark or "").strip()


def _number_code(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


# --- cell helpers ----------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _column_letters(col: int) -> str:
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """A1 reference of a zero-based (row, col)."""
    return f"{_column_letters(col)}{row + 1}"


def _column_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- the container: sniffing and zip safety ------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_OLE_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))

# ZIP records (APPNOTE 4.3.7, 4.3.12, 4.3.16), written by `_Guard._stored_copy`.
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")

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
def _odd_cell(digits: int, or_formula: bool = False) -> re.Pattern[bytes]:
    """A cell that does not name its place first as one letter and a row number of fewer than
    `digits` digits (r="A1" to r="Z99999" for 6), e.g. one past column Z or far down; with
    `or_formula`, also a formula element (a superset of `_has_formula`)."""
    # Written as "not the usual cell" (one lookahead per cell): a third faster than listing
    # the odd ones, and anything unusual only takes `_extent` to its exact scan.
    usual = rb'(?! r="[A-Z]\d{1,%d}")' % (digits - 1) if digits > 1 else b""
    if or_formula:
        return re.compile(rb"<(?:c" + usual + rb"|f)[\s>/]")
    return re.compile(rb"<c" + usual + rb"[\s>/]")


def _extent(xml: bytes, limits: Limits, usual_cells: bool = False) -> tuple[int, int]:
    """(last row, last column), 1-based, of the cells calamine will place, or a bound above
    them: calamine builds a dense grid from A1 to there (a lone cell in XFD1048576 aborts the
    process). `usual_cells`: `_odd_cell` is known to find nothing."""
    if b"<sheetData" in xml:
        # Cells that name their place first (Excel, LibreOffice, openpyxl): one literal scan.
        digits = len(str(limits.max_rows))
        bound = 10 ** (digits - 1) - 1  # rows with fewer digits
        if 26 * bound <= limits.max_cells and (usual_cells or not _odd_cell(digits).search(xml)):
            return bound, 26
        if not _CELL_WITHOUT_REF.search(xml):
            last_row = max(map(int, _REF_ROW.findall(xml)), default=0)
            wide = set(_WIDE_REF.findall(xml))
            return last_row, max((_column_index(c) + 1 for c in wide), default=26)
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
            col = _column_index(ref.group(1))
            at = int(ref.group(2)) - 1 if ref.group(2) else row
        else:
            col, at = col + 1, row
        last_row, last_col = max(last_row, at + 1), max(last_col, col + 1)
    return last_row, last_col


def _has_formula(xml: bytes) -> bool:
    if b"<sheetData" not in xml:  # a namespace prefix: the slower pattern
        return _FORMULA.search(xml) is not None
    at = xml.find(b"<f")
    while at >= 0:  # "<f" also starts "<formula1>" of a data validation
        if xml[at + 2 : at + 3] in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
            return True
        at = xml.find(b"<f", at + 2)
    return False


def _attrs(blob: bytes) -> dict[str, str]:
    out = {}
    for name, double, single in _ATTR.findall(blob):
        value = (double or single).decode("utf-8", "replace")
        out[name.decode("ascii", "replace")] = html.unescape(value) if "&" in value else value
    return out


def is_percent_format(code: str) -> bool:
    """True when an Excel number format scales by 100: a '%' outside quotes and escapes."""
    return "%" in _FORMAT_LITERALS.sub("", code)


@dataclass
class _Book:
    """What the zip pass learnt: sheet XML by name, percent-formatted and uncached cells."""

    sheets: list[str] = field(default_factory=list)
    percent: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    no_cache: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    macro: bool = False
    # What calamine opens: the archive with the parts already inflated here stored as they are
    # (None: the file as uploaded).
    archive: bytes | None = None


def _sniff_other(data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if not data:
        return "0 bytes"
    if head.startswith(b"%pdf"):
        return "PDF"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
        return "Excel 2003 XML"
    if any(tag in head for tag in (b"<html", b"<!doctype html", b"<table", b"<head", b"<body")):
        return "HTML"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "XML"
    if head.startswith(b"{\\rtf"):
        return "RTF"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "binary"
    return "CSV/text"


def _packed(raw: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A member's bytes as stored in the archive (after its local header); None when no local
    header is where the central directory says."""
    off = info.header_offset
    if raw[off : off + 4] != b"PK\x03\x04":
        return None
    start = off + 30 + int.from_bytes(raw[off + 26 : off + 28], "little")
    start += int.from_bytes(raw[off + 28 : off + 30], "little")
    return raw[start : start + info.compress_size]


# Above this size (uncompressed) the reader lets calamine inflate the upload itself.
STORED_COPY_MAX_BYTES = 8 * MB


class _Guard:
    """Refuses what is too big or unsafe, before the workbook is parsed."""

    def __init__(self, file: str, limits: Limits, deadline: float):
        self.file = file
        self.limits = limits
        self.deadline = deadline
        self.raw = b""
        self.inflated: dict[zipfile.ZipInfo, bytes] = {}

    def refuse(self, code: Code, sheet: str = "", cell: str = "", **params: Any) -> _Refused:
        return _Refused(Problem(code, self.file, sheet, cell, params))

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise self.refuse(Code.PARSE_TIMEOUT, seconds=fmt_number(self.limits.parse_seconds))

    def zip_book(self, data: bytes, filename: str) -> _Book:
        self.raw = data
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise self.refuse(Code.UNREADABLE_FILE, detail="ZIP damaged or truncated") from None
        names = {i.filename.lower(): i for i in infos}
        if "xl/workbook.xml" not in names:
            if "mimetype" in names or "content.xml" in names:
                raise self.refuse(Code.NOT_A_WORKBOOK, detail="OpenDocument .ods")
            if "word/document.xml" in names:
                raise self.refuse(Code.NOT_A_WORKBOOK, detail="Word .docx")
            raise self.refuse(Code.NOT_A_WORKBOOK, detail="ZIP without xl/workbook.xml")
        limits = self.limits
        total = sum(i.file_size for i in infos)
        if total > limits.max_inflated_bytes:
            raise self.refuse(
                Code.ARCHIVE_TOO_LARGE,
                detail=f"{total / MB:.0f} MB > {limits.max_inflated_bytes / MB:.0f} MB",
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MB and ratio > limits.max_ratio:
                raise self.refuse(
                    Code.ARCHIVE_TOO_LARGE, detail=f"{info.filename}: {ratio:.0f}:1 compression"
                )
            if info.flag_bits & 0x1:
                raise self.refuse(Code.ENCRYPTED_WORKBOOK)
        budget = [limits.max_inflated_bytes]
        workbook_xml = self._member(zf, names["xl/workbook.xml"], budget)
        sheet_tags = [_attrs(m.group(1)) for m in _SHEET_EL.finditer(workbook_xml)]
        if len(sheet_tags) > limits.max_sheets:
            raise self.refuse(Code.TOO_MANY_SHEETS, count=len(sheet_tags), limit=limits.max_sheets)
        if len(infos) > limits.max_members:
            raise self.refuse(
                Code.ARCHIVE_TOO_LARGE, detail=f"{len(infos)} parts > {limits.max_members}"
            )
        # The parts calamine reads (what the workbook's relationships name, themes aside) are
        # inflated here first, so that none of them can be hostile when calamine parses it.
        rels = self._member(zf, names.get("xl/_rels/workbook.xml.rels"), budget)
        targets = self._targets(rels)
        xml: dict[str, bytes] = {}
        wanted = [p for p, kind in targets.values() if not kind.endswith(_UNREAD_PARTS)]
        wanted += [k for k in names if k in _FIXED_PARTS or k.startswith("xl/worksheets/")]
        for path in wanted:
            if path not in xml and path.endswith(".xml"):
                xml[path] = self._member(zf, names.get(path), budget)
                self.check_time()
        content_types = self._member(zf, names.get("[content_types].xml"), budget)
        book = _Book(
            macro="xl/vbaproject.bin" in names
            or filename.lower().endswith((".xlsm", ".xltm", ".xlam"))
            or b"macroEnabled" in content_types
        )
        styles = next((xml[p] for p, k in targets.values() if k.endswith("/styles")), b"")
        percent_styles = self._percent_styles(styles)
        for tag in sheet_tags:
            name = tag.get("name", "")
            rid = next((v for k, v in tag.items() if k.endswith(":id")), "")
            sheet_xml = xml.get(targets.get(rid, ("", ""))[0])
            book.sheets.append(name)
            if sheet_xml:
                self._scan_sheet(book, name, sheet_xml, percent_styles)
            self.check_time()
        book.archive = self._stored_copy(infos)
        self.inflated.clear()  # the copy holds what calamine needs; the parts are not kept twice
        return book

    def _member(
        self, zf: zipfile.ZipFile, info: zipfile.ZipInfo | None, budget: list[int]
    ) -> bytes:
        """A member inflated with its size bounded by the central directory (a forged size
        cannot make a read explode; the CRC must match), refused if it declares a DOCTYPE or
        an ENTITY; b"" when there is no such member."""
        if info is None:
            return b""
        budget[0] -= info.file_size
        if budget[0] < 0:
            raise self.refuse(
                Code.ARCHIVE_TOO_LARGE, detail=f"> {self.limits.max_inflated_bytes / MB:.0f} MB"
            )
        data = self._inflate(zf, info)
        self.inflated[info] = data
        text = data
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = data.decode("utf-16", "replace").encode("utf-8")
        if b"<!DOCTYPE" in text or b"<!ENTITY" in text:  # long needles: faster than "<!"
            which = "DOCTYPE" if b"<!DOCTYPE" in text else "ENTITY"
            raise self.refuse(Code.UNSAFE_XML, detail=f"{which} in {info.filename}")
        return data

    def _inflate(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        def damaged() -> _Refused:  # built only when raised: most parts are not damaged
            return self.refuse(Code.UNREADABLE_FILE, detail=f"ZIP part {info.filename} damaged")

        if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            return self._inflate_other(zf, info)
        packed = _packed(self.raw, info)
        if packed is None or len(packed) != info.compress_size:
            raise damaged()
        if info.compress_type == zipfile.ZIP_STORED:
            out = packed
        else:
            try:
                out = zlib.decompressobj(-15).decompress(packed, info.file_size + 1)
            except zlib.error:
                raise damaged() from None
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            raise damaged()
        return out

    def _stored_copy(self, infos: list[zipfile.ZipInfo]) -> bytes | None:
        """The archive rebuilt with every part inflated above stored uncompressed, the others
        copied as they are, so that calamine does not inflate the same XML a second time. None
        (calamine reads the upload) when the parts overlap or the copy would need ZIP64."""
        raw, inflated = self.raw, self.inflated
        copied = sum(i.compress_size for i in infos if i not in inflated)
        size = copied + sum(map(len, inflated.values())) + 128 * len(infos)
        if copied > len(raw) or size >= 0xFFFFFFFF or len(infos) >= 0xFFFF:
            return None
        if size > STORED_COPY_MAX_BYTES:
            # The gain is on the common small return; a large one would hold another full
            # uncompressed copy in memory (up to the inflated limit) for a few per cent.
            return None
        local: list[bytes] = []
        central: list[bytes] = []
        offset = 0
        for info in infos:
            name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
            body = inflated.get(info)
            if body is not None:
                method, packed_size = zipfile.ZIP_STORED, len(body)
            else:
                body = _packed(raw, info)
                if body is None:
                    return None
                method, packed_size = info.compress_type, info.compress_size
            # Only the UTF-8 name flag is kept: sizes are known, nothing is encrypted.
            fields = (20, info.flag_bits & 0x800, method, 0, 0x21, info.CRC, packed_size)
            local += [_LOCAL_HEADER.pack(b"PK\x03\x04", *fields, info.file_size, len(name), 0)]
            local += [name, body]
            central += [
                _CENTRAL_HEADER.pack(
                    b"PK\x01\x02", 20, *fields, info.file_size, len(name), 0, 0, 0, 0, 0, offset
                ),
                name,
            ]
            offset += 30 + len(name) + len(body)
        directory = b"".join(central)
        end = _END_RECORD.pack(
            b"PK\x05\x06", 0, 0, len(infos), len(infos), len(directory), offset, 0
        )
        return b"".join([*local, directory, end])

    def _inflate_other(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        """Other compression methods, through zipfile in small chunks."""
        chunks, left = [], info.file_size
        try:
            with zf.open(info) as f:
                while chunk := f.read(_CHUNK):
                    left -= len(chunk)
                    if left < 0:
                        raise self.refuse(Code.UNREADABLE_FILE, detail=f"ZIP part {info.filename}")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise self.refuse(
                Code.UNREADABLE_FILE, detail=f"ZIP part {info.filename} damaged"
            ) from None
        except (NotImplementedError, RuntimeError):
            raise self.refuse(
                Code.UNREADABLE_FILE, detail=f"ZIP part {info.filename}: unsupported compression"
            ) from None
        return b"".join(chunks)

    @staticmethod
    def _percent_styles(styles: bytes) -> set[bytes]:
        if b"%" not in styles and not _PERCENT_ID.search(styles):
            return set()
        custom = {}
        for m in _NUM_FMT.finditer(styles):
            a = _attrs(m.group(1))
            if a.get("numFmtId", "").isdigit():
                custom[int(a["numFmtId"])] = a.get("formatCode", "")
        block = _CELL_XFS.search(styles)
        out: set[bytes] = set()
        if block is None:
            return out
        for i, m in enumerate(_XF.finditer(block.group(1))):
            fmt_id = _attrs(m.group(1)).get("numFmtId", "0")
            n = int(fmt_id) if fmt_id.isdigit() else 0
            if n in BUILTIN_PERCENT_FORMATS or (n in custom and is_percent_format(custom[n])):
                out.add(str(i).encode())
        return out

    @staticmethod
    def _targets(rels: bytes) -> dict[str, tuple[str, str]]:
        """Relationship id → (member name in lower case, relationship type)."""
        out = {}
        for m in _REL_EL.finditer(rels):
            a = _attrs(m.group(1))
            target = a.get("Target", "")
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = posixpath.normpath(posixpath.join("xl", target))
            out[a.get("Id", "")] = (path.lower(), a.get("Type", ""))
        return out

    def _scan_sheet(self, book: _Book, name: str, xml: bytes, percent_styles: set[bytes]) -> None:
        limits = self.limits
        # The usual sheet (every cell placed as r="A1".., no formula) in one scan, not two.
        usual = b"<sheetData" in xml and not _odd_cell(len(str(limits.max_rows)), True).search(xml)
        last_row, last_col = _extent(xml, limits, usual_cells=usual)
        if last_row > limits.max_rows:
            raise self.refuse(Code.TOO_MANY_ROWS, sheet=name, limit=limits.max_rows)
        if last_row * last_col > limits.max_cells:
            raise self.refuse(
                Code.TOO_MANY_CELLS,
                sheet=name,
                cell=a1(last_row - 1, last_col - 1),
                last_cell=a1(last_row - 1, last_col - 1),
                limit=limits.max_cells,
            )
        percent: set[tuple[int, int]] = set()
        no_cache: set[tuple[int, int]] = set()
        if percent_styles:
            styled = re.compile(
                rb"<(?:[\w.-]+:)?c\b[^>]*?\ss\s*=\s*[\"'](?:"
                + b"|".join(sorted(percent_styles))
                + rb")[\"'][^>]*>"
            )
            for m in styled.finditer(xml):
                ref = _CELL_REF.search(m.group(0))
                if ref:
                    percent.add((int(ref.group(2)) - 1, _column_index(ref.group(1))))
        if not usual and _has_formula(xml):
            for m in _CELL.finditer(xml):
                body = m.group(3)
                if not body or not _FORMULA.search(body) or _CACHED.search(body):
                    continue
                kind = _CELL_TYPE.search(m.group(2))
                if kind and kind.group(1) in (b"str", b"inlineStr"):
                    continue
                ref = _CELL_REF.search(m.group(2))
                if ref:
                    no_cache.add((int(ref.group(2)) - 1, _column_index(ref.group(1))))
        book.percent[name] = percent
        book.no_cache[name] = no_cache

    def ole_book(self, data: bytes) -> _Book:
        if _ENCRYPTED_STREAM in data:
            raise self.refuse(Code.ENCRYPTED_WORKBOOK)
        if not any(stream in data for stream in _OLE_WORKBOOK_STREAMS):
            raise self.refuse(Code.NOT_A_WORKBOOK, detail="OLE file without a workbook (Word?)")
        return _Book()


# --- grids (calamine) ----------------------------------------------------------------------


@dataclass
class _Grid:
    name: str
    rows: list[list[Any]]
    percent: set[tuple[int, int]]
    no_cache: set[tuple[int, int]]

    def get(self, r: int, c: int) -> Any:
        if c < 0 or r >= len(self.rows):
            return ""
        row = self.rows[r]
        return row[c] if c < len(row) else ""


def _load_grids(data: bytes, book: _Book, guard: _Guard) -> list[_Grid]:
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
        except _Refused:
            raise
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise guard.refuse(
                Code.UNREADABLE_FILE, sheet=meta.name, detail=type(exc).__name__
            ) from None
        grids.append(
            _Grid(
                meta.name,
                rows,
                book.percent.get(meta.name, set()),
                book.no_cache.get(meta.name, set()),
            )
        )
        guard.check_time()
    return grids


# --- tables and metadata -------------------------------------------------------------------


@dataclass
class _Table:
    header_row: int  # zero-based: the last header row (data start below it)
    roles: dict[str, int]
    units: list[tuple[int, str | None]] | None = None  # wide layout: (column, village or None)
    top: int = 0  # the first header row (metadata rows are above it)


@lru_cache(maxsize=4096)
def header_role(text: str) -> str | None:
    """The role of a column header ('code', 'value', ...), or None for an unknown header."""
    key = label_key(text)
    role = HEADER_ALIASES.get(key)
    if role is not None:
        return role
    for role, words in HEADER_CONTAINS:
        if any(w in key for w in words):
            return role
    return None


def _classify(row: list[Any]) -> tuple[dict[str, int], list[tuple[int, str | None]]]:
    roles: dict[str, int] = {}
    others: list[tuple[int, str | None]] = []
    for c, value in enumerate(row):
        if isinstance(value, str):
            if len(value) > 80 or not value.strip():
                continue
            role = header_role(value)
            if role is not None:
                roles.setdefault(role, c)
            elif label_key(value) in COMMUNE_WORDS:
                others.append((c, None))
            else:
                others.append((c, nfc(value)))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            others.append((c, _number_code(float(value))))
    return roles, others


def find_table(grid: _Grid) -> _Table | None:
    """The header row (first 30 rows) and its columns; None when the sheet has no table."""
    for r in range(min(HEADER_SEARCH_ROWS, len(grid.rows))):
        roles, others = _classify(grid.rows[r])
        if "code" not in roles:
            if "row" not in roles:
                continue
            roles["code"] = roles["row"]
        has_value = "value" in roles or ("numerator" in roles and "denominator" in roles)
        if has_value:
            return _follow_subheader(grid, r, roles)
        units = [(c, name) for c, name in others if c > roles["code"]]
        if units:
            return _Table(r, roles, units, top=r)
    return None


def _follow_subheader(grid: _Grid, r: int, roles: dict[str, int]) -> _Table:
    """A header cell over sub-headers on the next row: Giá trị/Tử số/Mẫu số, or villages."""
    if r + 1 >= len(grid.rows) or not _empty(grid.get(r + 1, roles["code"])):
        return _Table(r, roles, top=r)
    sub_roles, sub_others = _classify(grid.rows[r + 1])
    start = min(roles.get(k, 10**6) for k in ("value", "numerator", "denominator"))
    if any(k in sub_roles for k in ("value", "numerator", "denominator")):
        merged = dict(roles)
        for k in ("value", "numerator", "denominator", "note"):
            if k in sub_roles:
                merged[k] = sub_roles[k]
        return _Table(r + 1, merged, top=r)
    units = [(c, name) for c, name in sub_others if c >= start]
    if units and all(isinstance(grid.get(r + 1, c), str) for c, _ in units):
        kept = {k: v for k, v in roles.items() if k not in ("value", "numerator", "denominator")}
        return _Table(r + 1, kept, units, top=r)
    return _Table(r, roles, top=r)


@dataclass(frozen=True)
class _Found:
    value: Any
    sheet: str
    row: int
    col: int

    @property
    def cell(self) -> str:
        return a1(self.row, self.col)


@dataclass
class _Meta:
    """Label/value pairs found on a sheet (only labels with a value)."""

    found: dict[str, _Found] = field(default_factory=dict)

    def get(self, key: str) -> _Found | None:
        return self.found.get(key)


def scan_meta(grid: _Grid, stop: int) -> _Meta:
    """Label/value pairs in rows [0, stop): "Xã:" | "Dương Quang", or "Năm: 2024" in one cell."""
    meta = _Meta()
    for r in range(min(stop, len(grid.rows))):
        row = grid.rows[r]
        c = 0
        while c < len(row):
            value = row[c]
            if not isinstance(value, str) or not value.strip() or len(value) > 80:
                c += 1
                continue
            key = META_LABELS.get(label_key(value))
            if key is not None:
                nxt = next((j for j in range(c + 1, len(row)) if not _empty(row[j])), None)
                if nxt is not None and not (
                    isinstance(row[nxt], str) and label_key(row[nxt]) in META_LABELS
                ):
                    meta.found.setdefault(key, _Found(row[nxt], grid.name, r, nxt))
                    c = nxt + 1
                    continue
            elif ":" in value:
                left, _, right = value.partition(":")
                key = META_LABELS.get(label_key(left))
                if key is not None and right.strip():
                    meta.found.setdefault(key, _Found(right.strip(), grid.name, r, c))
            c += 1
    return meta


_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d|2100)(?!\d)")


def parse_period(value: Any) -> int | None:
    """A year from 2024, 2024.0, "2024", "Năm 2024" or a date; None if there is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        v = float(value)
        return int(v) if v.is_integer() and 1900 <= v <= 2100 else None
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, str):
        m = _YEAR.search(value)
        return int(m.group(1)) if m else None
    return None


_COMMUNE_PREFIX = re.compile(r"^(?:xã|xa)\s+", re.IGNORECASE)


def _name(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(value)


def _commune_name(value: Any) -> str:
    text = _name(value)
    stripped = _COMMUNE_PREFIX.sub("", text)
    return stripped if fold(text).startswith("xa ") and stripped else text


def resolve_key(text: Any, criteria: CriteriaSet) -> str | None:
    """The region/group id a return names: "tdmnpb", "tdmnpb — Trung du…", "Nhóm 2", 2."""
    raw = _name(text)
    key = fold(raw)
    if not key:
        return None
    ids = {fold(k.id): k.id for k in criteria.keys}
    if key in ids:
        return ids[key]
    first = re.split(r"\s*[—–:|]\s*|\s+-\s+|\s+", key, maxsplit=1)[0]
    if first in ids:
        return ids[first]
    bare = re.sub(r"^(?:nhom|group|vung|region)\s*", "", key)
    if bare in ids:
        return ids[bare]
    for k in criteria.keys:
        for name in (k.name.vi, k.name.en):
            if name and len(name) >= 4 and fold(name) in key:
                return k.id
    return None


# --- codes ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Entry:
    row: int
    raw: Any
    code: str | None = None  # resolved
    candidates: tuple[str, ...] = ()  # when a number could be several codes
    name: str = ""
    filled: bool = False  # a value, numerator, denominator or note is there
    valued: bool = False  # a value, numerator or denominator is there (or an uncached formula)


class _Codes:
    """Resolves code cells against one criteria set."""

    def __init__(self, index: CodeIndex):
        self.index = index
        self.by_fold = {c.casefold(): c for c in index.order}
        self.by_number: dict[float, list[str]] = {}
        for code in index.order:
            if re.fullmatch(r"\d+(?:\.\d+)?", code):
                self.by_number.setdefault(float(code), []).append(code)
        self._names: dict[str, list[str]] = {}
        self.literal = {
            code.casefold(): code
            for code in index.order
            if (parse_code_text(code) or ("",))[0] != code
        }
        # A code cell is nearly always a measured code as the set writes it ("2.2", "17.1a"):
        # those resolve to themselves whatever the row's name, so they skip the parsing below.
        self.exact = {
            code: code
            for code in index.measured
            if code not in index.parents
            and parse_code_text(code) == (code, "")
            and self.by_fold.get(code) == code
        }

    def names(self, code: str) -> list[str]:
        """Folded names of a code; a multi-part indicator's own names sit on its parts."""
        hit = self._names.get(code)
        if hit is None:
            info = self.index.measured.get(code)
            if info is None:
                names = self.index.measured[self.index.parents[code][0]].parent_names
            else:
                names = info.names
            hit = self._names[code] = [fold(n) for n in names]
        return hit

    def parse(self, entry: _Entry) -> None:
        raw = entry.raw
        exact = self.exact.get(raw) if type(raw) is str else None
        if exact is not None:
            entry.code = exact
            return
        if isinstance(raw, bool):
            return
        if isinstance(raw, int | float):
            value = float(raw)
            if not math.isfinite(value):
                return
            candidates = self.by_number.get(value, [])
            if len(candidates) == 1:
                entry.code = candidates[0]
            elif candidates:
                entry.candidates = tuple(candidates)
                entry.code = self.by_name(entry.name, candidates)
            else:
                entry.code = _number_code(value)
        elif isinstance(raw, str):
            # A code outside the national pattern, written as the set writes it (a province's
            # village set may use "T4.1" or "TC4.1"): taken as that code before the pattern
            # would read "TC4.1" as 4.1. Known codes only: free text is still not a code.
            literal = self.literal.get(raw.strip().casefold()) if self.literal else None
            if literal is not None:
                entry.code = literal
                return
            parsed = parse_code_text(raw)
            if parsed is None:
                return
            code, remark = parsed
            code = self.by_fold.get(code, code)
            entry.code = code
            if code in self.index.parents:
                parts = self.index.parents[code]
                entry.code = (
                    (remark and self.by_words(remark, parts))
                    or self.by_name(entry.name, [code, *parts])
                    or code
                )
        if entry.code in self.index.parents and not entry.candidates:
            entry.code = self.by_name(entry.name, self.index.parents[entry.code]) or entry.code

    def by_words(self, remark: str, parts: list[str]) -> str | None:
        """The part whose name holds the remark as whole words: "12.2 (nữ)" → 12.2b."""
        pattern = re.compile(rf"(?<!\w){re.escape(fold(remark))}(?!\w)")
        hits = [p for p in parts if any(pattern.search(n) for n in self.names(p))]
        return hits[0] if len(hits) == 1 else None

    def by_name(self, name: str, candidates: Iterable[str]) -> str | None:
        """The candidate (or one of its parts) whose name is clearly closest to `name`."""
        key = fold(name)
        if len(key) < 4:
            return None
        pool: list[str] = []
        for code in candidates:
            pool.append(code)
            pool.extend(self.index.parents.get(code, []))
        scored = []
        for code in dict.fromkeys(pool):
            best = 0.0
            for n in self.names(code):
                if n == key:
                    best = 1.0
                    break
                best = max(best, difflib.SequenceMatcher(None, key, n, autojunk=False).ratio())
            scored.append((best, code))
        scored.sort(reverse=True)
        if not scored or scored[0][0] < 0.6:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.08:
            return None
        return scored[0][1]

    def by_position(self, entries: list[_Entry]) -> None:
        """Numbers that may be several codes: the one that follows the previous row's code, or
        precedes the next row's."""
        pos = self.index.position
        for i, entry in enumerate(entries):
            if entry.code is not None or not entry.candidates:
                continue
            prev = next((e.code for e in reversed(entries[:i]) if e.code in pos), None)
            nxt = next((e.code for e in entries[i + 1 :] if e.code in pos), None)
            choice = None
            if prev is not None:
                choice = next((c for c in entry.candidates if pos[c] == pos[prev] + 1), None)
            if choice is None and nxt is not None:
                choice = next((c for c in entry.candidates if pos[c] + 1 == pos[nxt]), None)
            entry.code = choice


# --- values --------------------------------------------------------------------------------

NAN = float("nan")


def cell_number(
    raw: Any, kind: str, *, yes_no_ok: bool, percent_cell: bool, is_value: bool
) -> tuple[float, Code | None]:
    """A cell's value as a float for an indicator of `kind` (NaN when empty) and its problem."""
    if raw is None or raw == "":
        return NAN, None
    boolean = kind == "boolean"
    bad = Code.NOT_YES_NO if boolean else Code.NOT_A_NUMBER
    if isinstance(raw, bool):
        return (float(raw), None) if yes_no_ok and is_value else (NAN, bad)
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            return NAN, bad
        if boolean and is_value:
            return (value, None) if value in (0.0, 1.0) else (NAN, Code.NOT_YES_NO)
        if percent_cell and is_value and kind == "percent":
            value = round(value * 100, 9)
        return value, None
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return NAN, None
        if yes_no_ok and is_value:
            answer = yes_no(text)
            if answer is not None:
                return answer, None
            if boolean:
                return NAN, Code.NOT_YES_NO
        number = parse_number_text(text, kind=kind, allow_percent=is_value and kind == "percent")
        return (NAN, bad) if number is None else (number, None)
    return NAN, bad  # dates, times, durations


def _text(raw: Any) -> str:
    if raw == "":  # most notes
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return nfc(raw) if not _empty(raw) else ""


@dataclass
class _Sheet:
    """One table being read: where its columns are and whose values it holds."""

    grid: _Grid
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
        self.guard = _Guard(file, limits, time.monotonic() + limits.parse_seconds)
        self.problems: list[Problem] = []
        self.meta = ReturnMeta()
        self.rows: list[dict[str, Any]] = []
        self.period_where: tuple[str, str] = ("", "")  # the sheet and cell that give the year

    def problem(self, which: Code, sheet: str = "", cell: str = "", /, **params: Any) -> None:
        self.problems.append(Problem(which, self.file, sheet, cell, params))

    def run(self) -> ReadResult:
        try:
            self._read()
        except _Refused as refused:
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
            raise guard.refuse(Code.NOT_A_WORKBOOK, detail=_sniff_other(data))
        if book.macro:
            self.problem(Code.MACRO_WORKBOOK)
        grids = _load_grids(book.archive or data, book, guard)
        self._interpret(grids)

    def _interpret(self, grids: list[_Grid]) -> None:
        info = _Meta()
        tables: list[tuple[_Grid, _Table, _Meta]] = []
        others: list[_Meta] = []
        for grid in grids:
            if label_key(grid.name) in INFO_SHEETS:
                info = scan_meta(grid, INFO_SEARCH_ROWS)
                continue
            table = find_table(grid)
            if table is None:
                others.append(scan_meta(grid, HEADER_SEARCH_ROWS))
                continue
            tables.append((grid, table, scan_meta(grid, table.top)))
        book = _Meta()
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
        codes = _Codes(index)
        villages: dict[str, None] = {}
        for grid, table, meta in tables:
            stated_commune, stated_period = meta.get("commune"), meta.get("period")
            unit_commune = _commune_name(stated_commune.value) if stated_commune else commune
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

    def _book_meta(self, book: _Meta) -> None:
        meta = self.meta
        found = book.get("commune")
        if found is not None:
            meta.commune = _commune_name(found.value) or None
        found = book.get("commune_code")
        if found is not None:
            meta.commune_code = _text(found.value) or None
        found = book.get("period")
        if found is not None:
            self.period_where = (found.sheet, found.cell)
            meta.period = parse_period(found.value)
            if meta.period is None:
                self.problem(Code.BAD_PERIOD, found.sheet, found.cell, text=_text(found.value))
        found = book.get("criteria_set")
        if found is not None:
            meta.criteria_set = _name(found.value)

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

    def _resolve_keys(self, book: _Meta, criteria: CriteriaSet) -> None:
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
                        text=_text(found.value),
                        criteria_set=criteria.id,
                        choices=", ".join(criteria.key_ids()),
                    )
                setattr(self.meta, key, resolved)
            else:
                text = _name(found.value)
                bare = re.sub(r"^(?:nhom|group)\s*", "", fold(text))
                setattr(self.meta, key, bare if key == "group" and bare.isdigit() else text)

    def _sheet_unit_village(self, grid: _Grid, meta: _Meta) -> str | None:
        found = meta.get("village")
        if found is not None:
            name = _name(found.value)
            return None if label_key(name) in COMMUNE_WORDS else name
        if label_key(grid.name) not in COMMUNE_WORDS:
            self.problem(Code.MISSING_VILLAGE, grid.name)
        return None

    def _sheet_rows(
        self,
        grid: _Grid,
        table: _Table,
        meta: _Meta,
        codes: _Codes,
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
        entries: list[_Entry] = []
        for r in range(table.header_row + 1, len(grid.rows)):
            row = grid.rows[r]
            n = len(row)
            raw = row[code_col] if code_col < n else ""
            if isinstance(raw, str):
                raw = raw.strip()
            if raw == "" or raw is None:
                continue
            name = row[name_col] if 0 <= name_col < n else ""
            entry = _Entry(r, raw, name=name if isinstance(name, str) else "")
            for c in data_cols:
                if (c < n and row[c] != "" and row[c] is not None) or (
                    no_cache and (r, c) in no_cache
                ):
                    entry.valued = entry.filled = True
                    break
            if not entry.filled and 0 <= sheet.note_col < n and not _empty(row[sheet.note_col]):
                entry.filled = True
            codes.parse(entry)
            entries.append(entry)
        codes.by_position(entries)
        for entry in entries:
            if entry.filled:
                self._entry_rows(sheet, entry, codes.index)

    def _entry_rows(self, sheet: _Sheet, entry: _Entry, index: CodeIndex) -> None:
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
                    code=_text(entry.raw),
                    candidates=" / ".join(entry.candidates),
                    example=entry.candidates[-1],
                )
            else:
                self.problem(
                    Code.UNKNOWN_INDICATOR,
                    grid.name,
                    code_cell,
                    code=_text(entry.raw),
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
        note = _text(row[note_col]) if 0 <= note_col < n else ""
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
            self.problem(bad, grid.name, a1(r, c), code=code, text=_text(raw))
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


# --- the guard alone, for other workbooks users upload (criteria sheets) ---------------------


def guard_workbook(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> Problem | None:
    """The checks `read_return` makes before any parser sees a workbook (file size, inflated
    size and members, sheets, rows and cells per sheet, XML declarations, encryption, and the
    `parse_seconds` budget for the checks themselves), for workbooks another parser reads
    (criteria sheets, through openpyxl). None when the file may be parsed; else the one
    problem that refuses it."""
    guard = _Guard(filename, limits, time.monotonic() + limits.parse_seconds)
    try:
        if len(data) > limits.max_file_bytes:
            raise guard.refuse(
                Code.FILE_TOO_LARGE,
                size_mb=f"{len(data) / MB:.1f}",
                limit_mb=f"{limits.max_file_bytes / MB:.0f}",
            )
        if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
            guard.zip_book(data, filename)
        elif data[:8] == OLE_MAGIC:
            guard.ole_book(data)
        else:
            raise guard.refuse(Code.NOT_A_WORKBOOK, detail=_sniff_other(data))
    except _Refused as refused:
        return refused.problem
    return None
