"""The container: sniffing and zip safety, before any parsing (step 1 of `ntm.returns`)."""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ntm.errors import Code, Problem
from ntm.returns.cells import a1, column_index
from ntm.returns.legacy import MAYBE_IN_XML
from ntm.returns.sniff import _ENCRYPTED_STREAM, _OLE_WORKBOOK_STREAMS, OLE_MAGIC, sniff_other
from ntm.returns.xmlscan import (
    _CACHED,
    _CELL,
    _CELL_REF,
    _CELL_TYPE,
    _FORMULA,
    _SHEET_EL,
    has_formula,
    odd_cell,
    percent_styles,
    relationship_targets,
    sheet_extent,
    xml_attrs,
)
from ntm.validation import fmt_number

MB = 1024 * 1024

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


class Refused(Exception):
    """The file cannot be read further; `problem` says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code.value)
        self.problem = problem


# ZIP records (APPNOTE 4.3.7, 4.3.12, 4.3.16), written by `Guard._stored_copy`.
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")


@dataclass
class Book:
    """What the zip pass learnt: sheet XML by name, percent-formatted and uncached cells."""

    sheets: list[str] = field(default_factory=list)
    percent: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    no_cache: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    macro: bool = False
    # Text that may be typed in the legacy TCVN3 encoding (ntm.returns.legacy): looked for
    # cell by cell only then.
    maybe_tcvn3: bool = False
    # What calamine opens: the archive with the parts already inflated here stored as they are
    # (None: the file as uploaded).
    archive: bytes | None = None


def packed_bytes(raw: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A member's bytes as stored in the archive (after its local header); None when no local
    header is where the central directory says."""
    off = info.header_offset
    if raw[off : off + 4] != b"PK\x03\x04":
        return None
    start = off + 30 + int.from_bytes(raw[off + 26 : off + 28], "little")
    start += int.from_bytes(raw[off + 28 : off + 30], "little")
    return raw[start : start + info.compress_size]


# Above this size (uncompressed) the reader lets calamine inflate the upload itself.
# The hand-packed stored copy (`Guard._stored_copy`, ZIP records of APPNOTE 4.3) is kept for a
# measured reason (issue 15 asked): on the benchmark's 26-sheet return, reading with it took
# 10.8-11.4 ms against 12.0-12.7 ms without it, 2.0x against 2.2x a bare calamine read of
# 5.4-5.7 ms measured in the same run (2026-12-04, CPU time, 200 alternating reads). The
# hostile corpus (tests/test_hostile_corpus.py) reads every crafted zip through it.
STORED_COPY_MAX_BYTES = 8 * MB


class Guard:
    """Refuses what is too big or unsafe, before the workbook is parsed."""

    def __init__(
        self,
        file: str,
        limits: Limits,
        deadline: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.file = file
        self.limits = limits
        self.deadline = deadline
        self.clock = clock  # injected by tests: time is never measured there
        self.raw = b""
        self.inflated: dict[zipfile.ZipInfo, bytes] = {}

    def refuse(self, code: Code, sheet: str = "", cell: str = "", **params: Any) -> Refused:
        return Refused(Problem(code, self.file, sheet, cell, params))

    def check_time(self) -> None:
        if self.clock() > self.deadline:
            raise self.refuse(Code.PARSE_TIMEOUT, seconds=fmt_number(self.limits.parse_seconds))

    def zip_book(self, data: bytes, filename: str) -> Book:
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
        sheet_tags = [xml_attrs(m.group(1)) for m in _SHEET_EL.finditer(workbook_xml)]
        if len(sheet_tags) > limits.max_sheets:
            raise self.refuse(Code.TOO_MANY_SHEETS, count=len(sheet_tags), limit=limits.max_sheets)
        if len(infos) > limits.max_members:
            raise self.refuse(
                Code.ARCHIVE_TOO_LARGE, detail=f"{len(infos)} parts > {limits.max_members}"
            )
        # The parts calamine reads (what the workbook's relationships name, themes aside) are
        # inflated here first, so that none of them can be hostile when calamine parses it.
        rels = self._member(zf, names.get("xl/_rels/workbook.xml.rels"), budget)
        targets = relationship_targets(rels)
        xml: dict[str, bytes] = {}
        wanted = [p for p, kind in targets.values() if not kind.endswith(_UNREAD_PARTS)]
        wanted += [k for k in names if k in _FIXED_PARTS or k.startswith("xl/worksheets/")]
        for path in wanted:
            if path not in xml and path.endswith(".xml"):
                xml[path] = self._member(zf, names.get(path), budget)
                self.check_time()
        content_types = self._member(zf, names.get("[content_types].xml"), budget)
        book = Book(
            macro="xl/vbaproject.bin" in names
            or filename.lower().endswith((".xlsm", ".xltm", ".xlam"))
            or b"macroEnabled" in content_types
        )
        book.maybe_tcvn3 = any(
            MAYBE_IN_XML.search(body) is not None
            for path, body in xml.items()
            if path.endswith("sharedstrings.xml") or path.startswith("xl/worksheets/")
        )
        styles = next((xml[p] for p, k in targets.values() if k.endswith("/styles")), b"")
        styled = percent_styles(styles)
        for tag in sheet_tags:
            name = tag.get("name", "")
            rid = next((v for k, v in tag.items() if k.endswith(":id")), "")
            sheet_xml = xml.get(targets.get(rid, ("", ""))[0])
            book.sheets.append(name)
            if sheet_xml:
                self._scan_sheet(book, name, sheet_xml, styled)
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
        def damaged() -> Refused:  # built only when raised: most parts are not damaged
            return self.refuse(Code.UNREADABLE_FILE, detail=f"ZIP part {info.filename} damaged")

        if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            return self._inflate_other(zf, info)
        packed = packed_bytes(self.raw, info)
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
                body = packed_bytes(raw, info)
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

    def _scan_sheet(self, book: Book, name: str, xml: bytes, percent_styles: set[bytes]) -> None:
        limits = self.limits
        # The usual sheet (every cell placed as r="A1".., no formula) in one scan, not two.
        usual = b"<sheetData" in xml and not odd_cell(len(str(limits.max_rows)), True).search(xml)
        last_row, last_col = sheet_extent(xml, limits, usual_cells=usual)
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
                    percent.add((int(ref.group(2)) - 1, column_index(ref.group(1))))
        if not usual and has_formula(xml):
            for m in _CELL.finditer(xml):
                body = m.group(3)
                if not body or not _FORMULA.search(body) or _CACHED.search(body):
                    continue
                kind = _CELL_TYPE.search(m.group(2))
                if kind and kind.group(1) in (b"str", b"inlineStr"):
                    continue
                ref = _CELL_REF.search(m.group(2))
                if ref:
                    no_cache.add((int(ref.group(2)) - 1, column_index(ref.group(1))))
        book.percent[name] = percent
        book.no_cache[name] = no_cache

    def ole_book(self, data: bytes) -> Book:
        if _ENCRYPTED_STREAM in data:
            raise self.refuse(Code.ENCRYPTED_WORKBOOK)
        if not any(stream in data for stream in _OLE_WORKBOOK_STREAMS):
            raise self.refuse(Code.NOT_A_WORKBOOK, detail="OLE file without a workbook (Word?)")
        return Book(maybe_tcvn3=True)


def open_book(guard: Guard, data: bytes, filename: str) -> Book:
    """The checks before any parser sees a workbook: file size, then the container sniffed
    and guarded (zip: inflated size and members, sheets, rows and cells per sheet, XML
    declarations, encryption; OLE: encryption). Raises Refused."""
    limits = guard.limits
    if len(data) > limits.max_file_bytes:
        raise guard.refuse(
            Code.FILE_TOO_LARGE,
            size_mb=f"{len(data) / MB:.1f}",
            limit_mb=f"{limits.max_file_bytes / MB:.0f}",
        )
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return guard.zip_book(data, filename)
    if data[:8] == OLE_MAGIC:
        return guard.ole_book(data)
    raise guard.refuse(Code.NOT_A_WORKBOOK, detail=sniff_other(data))


def guard_workbook(
    data: bytes,
    filename: str,
    limits: Limits = DEFAULT_LIMITS,
    clock: Callable[[], float] = time.monotonic,
) -> Problem | None:
    """`open_book` for workbooks another parser reads (criteria sheets, through openpyxl),
    within the `parse_seconds` budget: None when the file may be parsed, else the one problem
    that refuses it."""
    guard = Guard(filename, limits, clock() + limits.parse_seconds, clock=clock)
    try:
        open_book(guard, data, filename)
    except Refused as refused:
        return refused.problem
    return None
