"""Workbooks for the return tests, made in code (no binary is committed).

- `mini_criteria()`: a small criteria set with the awkward cases (17.1 and 17.10, parts,
  a boolean, a percent aggregated by ratio, a "share of villages" percent).
- `xlsx(...)`: a workbook from lists of rows (openpyxl), with number formats and formulas;
  `with_cached_value(...)` gives a formula cell the cached result Excel would have saved.
- `xls(...)`: a legacy .xls (BIFF8) through xlwt.
- `raw_zip(...)`: a zip written by hand, sizes and CRCs as given (to forge central
  directories).
- `HOSTILE`: name -> (maker, expected problem code): truncated zip, CSV/HTML renamed .xlsx,
  decompression bombs, XML entity expansion, 10,000 sheets, a sheet over the row limit, a lone
  cell in XFD1048576, a password-protected workbook (OLE/CFB with an EncryptedPackage stream),
  a macro workbook.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import openpyxl

from ntm.criteria import CriteriaSet, parse_set
from ntm.errors import Code

# --- a small criteria set ------------------------------------------------------------------


def _ind(code: str, name: str, kind: str, **extra: Any) -> dict[str, Any]:
    direction = "==" if kind == "boolean" else ">="
    value: Any = True if kind == "boolean" else 80
    out: dict[str, Any] = {"code": code, "name": name, "kind": kind, "direction": direction}
    if "parts" not in extra:
        out["thresholds"] = [{"value": value}]
    out.update(extra)
    return out


def _part(code: str, name: str, kind: str = "percent") -> dict[str, Any]:
    return {"code": code, "name": name, "kind": kind, "thresholds": [{"value": 70}]}


MINI_DOC: dict[str, Any] = {
    "id": "mini-2021-2025",
    "title": "Bộ tiêu chí thử",
    "legal_basis": {"decision": "0/TEST", "date": "2022-03-08"},
    "years": {"first": 2021, "last": 2025},
    "keyed_by": "region",
    "keys": [
        {"id": "general", "name": "Chỉ tiêu chung"},
        {"id": "tdmnpb", "name": {"vi": "Trung du và miền núi phía Bắc", "en": "Northern"}},
        {"id": "dbsh", "name": {"vi": "Đồng bằng sông Hồng", "en": "Red River Delta"}},
    ],
    "complete": True,
    "criteria": [
        {
            "number": "1",
            "name": "Quy hoạch",
            "indicators": [_ind("1.1", "Có quy hoạch chung xây dựng xã được phê duyệt", "boolean")],
        },
        {
            "number": "2",
            "name": "Giao thông",
            "indicators": [
                _ind("2.1", "Tỷ lệ đường xã được nhựa hóa", "percent"),
                _ind(
                    "2.2",
                    "Tỷ lệ đường thôn được cứng hóa",
                    "percent",
                    scope="village",
                    aggregation="ratio",
                ),
            ],
        },
        {
            "number": "5",
            "name": "Trường học",
            "indicators": [
                _ind(
                    "5",
                    "Trường học đạt chuẩn cơ sở vật chất",
                    "percent",
                    parts=[
                        {
                            "code": "5a",
                            "name": "Số trường học",
                            "kind": "count",
                            "informational": True,
                        },
                        _part("5b", "Tỷ lệ trường đạt chuẩn tối thiểu"),
                    ],
                )
            ],
        },
        {
            "number": "6",
            "name": "Văn hóa",
            "indicators": [
                _ind(
                    "6.3",
                    "Tỷ lệ thôn có nơi sinh hoạt văn hóa",
                    "percent",
                    scope="village",
                    aggregation="share",
                )
            ],
        },
        {
            "number": "9",
            "name": "Nhà ở",
            "indicators": [
                {
                    "code": "9.1",
                    "name": "Nhà tạm, dột nát",
                    "kind": "boolean",
                    "direction": "==",
                    "scope": "village",
                    "aggregation": "all",
                    "thresholds": [{"value": False}],
                }
            ],
        },
        {
            "number": "10",
            "name": "Thu nhập",
            "indicators": [
                {
                    "code": "10",
                    "name": "Thu nhập bình quân đầu người",
                    "unit": "triệu đồng/người/năm",
                    "kind": "money",
                    "thresholds": [{"value": None}],
                }
            ],
        },
        {
            "number": "12",
            "name": "Lao động",
            "indicators": [
                _ind(
                    "12.2",
                    "Tỷ lệ lao động qua đào tạo",
                    "percent",
                    parts=[
                        _part("12.2a", "Tỷ lệ lao động qua đào tạo - nam"),
                        _part("12.2b", "Tỷ lệ lao động qua đào tạo - nữ"),
                    ],
                )
            ],
        },
        {
            "number": "17",
            "name": "Môi trường",
            "indicators": [
                _ind(
                    "17.1",
                    "Tỷ lệ hộ được sử dụng nước sạch",
                    "percent",
                    scope="village",
                    aggregation="ratio",
                    parts=[
                        _part("17.1a", "Tỷ lệ hộ sử dụng nước sinh hoạt hợp vệ sinh"),
                        _part("17.1b", "Tỷ lệ hộ sử dụng nước sạch từ hệ thống tập trung"),
                    ],
                ),
                _ind("17.4", "Đất cây xanh sử dụng công cộng", "number", unit="m²/người"),
                _ind("17.9", "Tỷ lệ chất thải nhựa được thu gom", "percent"),
                _ind(
                    "17.10",
                    "Tỷ lệ hộ có phân loại chất thải rắn tại nguồn",
                    "percent",
                    scope="village",
                    aggregation="ratio",
                ),
            ],
        },
    ],
}


@cache
def mini_criteria() -> CriteriaSet:
    """The small set (cached: sets are immutable)."""
    return parse_set(MINI_DOC, "tests/hostile.py")


# --- workbooks -----------------------------------------------------------------------------

Rows = Sequence[Any]  # rows: sequences of cell values


def xlsx(
    sheets: Mapping[str, Rows],
    formats: Mapping[tuple[str, str], str] | None = None,
    hidden: Sequence[str] = (),
) -> bytes:
    """An .xlsx with one sheet per entry; `formats`: (sheet, "F7") -> number format."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):  # ws.append would skip empty rows
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        if title in hidden:
            ws.sheet_state = "hidden"
    for (title, ref), fmt in (formats or {}).items():
        wb[title][ref].number_format = fmt
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_cached_value(data: bytes, sheet_index: int, ref: str, value: float) -> bytes:
    """The workbook with formula cell `ref` holding `value` as its cached result."""
    member = f"xl/worksheets/sheet{sheet_index}.xml"

    def patch(xml: bytes) -> bytes:
        pattern = rb'(<c r="' + ref.encode() + rb'"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*(?:/>|></v>)'
        new, count = re.subn(pattern, rb"\1<v>" + repr(value).encode() + rb"</v>", xml)
        assert count == 1, f"no uncached formula in {ref}"
        return new

    return rewrite_zip(data, {member: patch})


def rewrite_zip(data: bytes, patches: Mapping[str, Callable[[bytes], bytes]]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename in patches:
                body = patches[info.filename](body)
            dst.writestr(info.filename, body)
    return out.getvalue()


def xls(sheets: Mapping[str, Rows], percent_cells: Sequence[tuple[str, int, int]] = ()) -> bytes:
    """A legacy .xls (BIFF8) written with xlwt; `percent_cells`: (sheet, row, col) as 0%."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    percent = xlwt.easyxf(num_format_str="0%")
    for title, rows in sheets.items():
        ws = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if (title, r, c) in percent_cells:
                    ws.write(r, c, value, percent)
                else:
                    ws.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def meta_rows(
    commune: str | None = "Dương Quang", village: str | None = None, period: Any = 2024
) -> list[list[Any]]:
    """Label/value rows as a return puts them above its table."""
    rows: list[list[Any]] = []
    if commune is not None:
        rows.append(["Xã:", commune])
    if village is not None:
        rows.append(["Thôn/Bản:", village])
    if period is not None:
        rows.append(["Năm:", period])
    return rows


LONG_HEADER = ["Mã chỉ tiêu", "Nội dung chỉ tiêu", "Giá trị", "Tử số", "Mẫu số", "Ghi chú"]


def long_return(
    body: Rows,
    *,
    commune: str | None = "Dương Quang",
    village: str | None = None,
    period: Any = 2024,
    header: Sequence[str] = tuple(LONG_HEADER),
    title: str = "Báo cáo",
    blank_rows: int = 1,
    formats: Mapping[str, str] | None = None,
) -> bytes:
    """A one-sheet long-layout return: metadata rows, blank rows, header, `body`."""
    rows = [*meta_rows(commune, village, period), *([[]] * blank_rows), list(header), *body]
    return xlsx({title: rows}, {(title, ref): f for ref, f in (formats or {}).items()})


# --- hand-written zips ---------------------------------------------------------------------


def raw_zip(members: Sequence[tuple[str, bytes, int, int]], deflated: bool = True) -> bytes:
    """A zip written by hand: (name, stored bytes, claimed CRC, claimed inflated size).

    The stored bytes are raw deflate data when `deflated`, else the content itself. Nothing
    is checked: the sizes and CRCs are whatever the caller claims.
    """
    method = 8 if deflated else 0
    out = io.BytesIO()
    central = io.BytesIO()
    for name, body, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        header = struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            0,
            method,
            0,
            0x21,
            crc,
            len(body),
            size,
            len(encoded),
            0,
        )
        out.write(header + encoded + body)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(body),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    count = len(members)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _member(name: str, text: str | bytes) -> tuple[str, bytes, int, int]:
    body = text.encode() if isinstance(text, str) else text
    return name, deflate(body), zlib.crc32(body), len(body)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
WS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def minimal_xlsx(
    sheet_xml: Sequence[str | bytes], extra: Sequence[tuple[str, bytes]] = ()
) -> bytes:
    """An .xlsx written as XML directly (fast for thousands of sheets or rows)."""
    names = "".join(
        f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheet_xml) + 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{WS_TYPE}" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheet_xml) + 1)
    )
    members = [
        _member("[Content_Types].xml", CONTENT_TYPES),
        _member("_rels/.rels", ROOT_RELS),
        _member("xl/workbook.xml", f"<workbook {NS} {REL_NS}><sheets>{names}</sheets></workbook>"),
        _member(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        ),
    ]
    members += [_member(f"xl/worksheets/sheet{i}.xml", x) for i, x in enumerate(sheet_xml, 1)]
    members += [_member(name, body) for name, body in extra]
    return raw_zip(members)


def sheet_xml(cells: str) -> str:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'
    return f"{head}<sheetData>{cells}</sheetData></worksheet>"


# --- hostile files -------------------------------------------------------------------------


def sample_return() -> bytes:
    return long_return([["2.1", "Tỷ lệ đường xã", 95]], title="Toàn xã")


def truncated_zip() -> bytes:
    data = sample_return()
    return data[: len(data) // 2]


def csv_as_xlsx() -> bytes:
    return "Mã chỉ tiêu,Giá trị\n2.1,95\n2.2,80\n".encode()


def html_as_xlsx() -> bytes:
    return (
        "<html><head><meta charset='utf-8'></head><body><table><tr><td>Mã chỉ tiêu</td>"
        "<td>Giá trị</td></tr><tr><td>2.1</td><td>95</td></tr></table></body></html>"
    ).encode()


def zip_bomb(megabytes: int = 500) -> bytes:
    """A sheet member of `megabytes` MB of zeros (≈0.5 MB compressed), sizes told truthfully."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    stream = block * megabytes + c.flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    data = minimal_xlsx([sheet_xml("")])
    members = _members_of(data)
    members[-1] = ("xl/worksheets/sheet1.xml", stream, crc, megabytes << 20)
    return raw_zip(members)


def lying_bomb(megabytes: int = 200) -> bytes:
    """A member that inflates to `megabytes` MB while its headers claim 2 KB."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    stream = block * megabytes + c.flush()
    data = minimal_xlsx([sheet_xml("")])
    members = _members_of(data)
    members[-1] = ("xl/worksheets/sheet1.xml", stream, zlib.crc32(bytes(2048)), 2048)
    return raw_zip(members)


def _members_of(data: bytes) -> list[tuple[str, bytes, int, int]]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return [(i.filename, deflate(z.read(i)), i.CRC, i.file_size) for i in z.infolist()]


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    doctype = "<!DOCTYPE lolz [" + "".join(entities) + "]>"
    xml = (
        f'<?xml version="1.0"?>{doctype}<worksheet {NS}><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    return minimal_xlsx([xml])


def many_sheets(count: int = 10_000) -> bytes:
    return minimal_xlsx([sheet_xml("")] * count)


def tall_sheet(rows: int = 100_001) -> bytes:
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, rows + 1))
    return minimal_xlsx([sheet_xml(body)])


def far_cell() -> bytes:
    """A1 and XFD1048576: calamine would allocate a dense 17-billion-cell grid and abort."""
    cells = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    )
    return minimal_xlsx([sheet_xml(cells)])


def far_right_cell() -> bytes:
    """A1 and XFD5000: few rows, but 82 million cells from A1."""
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="5000"><c r="XFD5000"><v>2</v></c></row>'
    return minimal_xlsx([sheet_xml(cells)])


def far_cell_without_refs() -> bytes:
    """The same trick with a row number only (cells placed by position)."""
    cells = '<row r="1"><c><v>1</v></c></row><row r="1048576">' + "<c><v>2</v></c>" * 20 + "</row>"
    return minimal_xlsx([sheet_xml(cells)])


def encrypted_workbook() -> bytes:
    """A minimal, valid compound file (CFB v3) holding EncryptionInfo and EncryptedPackage
    streams: what Excel saves for a password-protected .xlsx."""
    end, free, fat_sector, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    sector = 512
    stream_sectors = 8  # 4096 bytes each: at the mini-stream cutoff, so in regular sectors
    header = bytearray(sector)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    difat = [0] + [free] * 108
    struct.pack_into("<109I", header, 76, *difat)
    # FAT: sector 0 = FAT, 1 = directory, 2..9 = EncryptionInfo, 10..17 = EncryptedPackage.
    fat = [fat_sector, end]
    for start in (2, 2 + stream_sectors):
        fat += [start + i + 1 for i in range(stream_sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))

    def entry(
        name: str, kind: int, left: int, right: int, child: int, start: int, size: int
    ) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, left, right, child)
        struct.pack_into("<IQ", raw, 116, start, size)
        return bytes(raw)

    directory = (
        entry("Root Entry", 5, nostream, nostream, 1, end, 0)
        + entry("EncryptionInfo", 2, nostream, 2, nostream, 2, 4096)
        + entry("EncryptedPackage", 2, nostream, nostream, nostream, 2 + stream_sectors, 4096)
        + bytes(128)
    )
    streams = bytes([0x42]) * (2 * stream_sectors * sector)
    return bytes(header) + struct.pack("<128I", *fat) + directory + streams


def word_as_xls() -> bytes:
    """A compound file without a Workbook stream (e.g. a .doc renamed .xls)."""
    data = bytearray(encrypted_workbook())
    for name in ("EncryptionInfo", "EncryptedPackage"):
        encoded = name.encode("utf-16-le")
        at = data.find(encoded)
        replacement = ("WordDocument" + "\0" * (len(name) - 12)).encode("utf-16-le")
        data[at : at + len(encoded)] = replacement[: len(encoded)]
    return bytes(data)


def macro_workbook() -> bytes:
    """A return saved as .xlsm: a vbaProject.bin member next to the sheets."""
    data = sample_return()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really VBA")
    return out.getvalue()


# name -> (maker, file name, expected problem code)
HOSTILE: dict[str, tuple[Callable[[], bytes], str, Code]] = {
    "truncated zip": (truncated_zip, "bao-cao.xlsx", Code.UNREADABLE_FILE),
    "CSV renamed .xlsx": (csv_as_xlsx, "bao-cao.xlsx", Code.NOT_A_WORKBOOK),
    "HTML renamed .xlsx": (html_as_xlsx, "bao-cao.xlsx", Code.NOT_A_WORKBOOK),
    "500 MB decompression bomb": (zip_bomb, "bomb.xlsx", Code.ARCHIVE_TOO_LARGE),
    "bomb with forged sizes": (lying_bomb, "bomb.xlsx", Code.UNREADABLE_FILE),
    "XML entity expansion": (billion_laughs, "lol.xlsx", Code.UNSAFE_XML),
    "10,000 sheets": (many_sheets, "sheets.xlsx", Code.TOO_MANY_SHEETS),
    "sheet over the row limit": (tall_sheet, "tall.xlsx", Code.TOO_MANY_ROWS),
    "lone cell in XFD1048576": (far_cell, "far.xlsx", Code.TOO_MANY_ROWS),
    "lone cell in XFD5000": (far_right_cell, "far.xlsx", Code.TOO_MANY_CELLS),
    "far cells placed by position": (far_cell_without_refs, "far.xlsx", Code.TOO_MANY_ROWS),
    "password-protected workbook": (encrypted_workbook, "mat-khau.xlsx", Code.ENCRYPTED_WORKBOOK),
    "Word file renamed .xls": (word_as_xls, "bao-cao.xls", Code.NOT_A_WORKBOOK),
    "empty file": (lambda: b"", "rong.xlsx", Code.NOT_A_WORKBOOK),
    "PDF renamed .xlsx": (
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        "a.xlsx",
        Code.NOT_A_WORKBOOK,
    ),
}
