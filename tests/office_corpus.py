"""Office-shaped returns: workbooks made the way commune and village offices make them.

Not the app's template: each workbook copies a shape seen in real forms (reference/criteria.md
§2b): the decision's own grid with "Kết quả thực hiện" and "Tự đánh giá" columns, a threshold
column that must never be read as the value, merged criterion cells, two-row headers, a metadata
row with "Xã:" and "Năm đánh giá:" side by side, verdict words, percent cells, money in đồng,
plan and previous-year columns, "STT" row numbers, signature blocks, a legacy .xls.

Each `OfficeCase` states what a careful person would read from the file: the unit(s), every
value used (village or None for the commune, code → value), and the problems that must be
named (code, sheet, cell). `tests/test_office_returns.py` reads each against the shipped
Decision 318 set and checks all of it, and that no non-empty cell of a table is dropped in
silence.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import openpyxl

Cell = tuple[str, str]  # (sheet, "D7")
Rows = Sequence[Sequence[Any]]


@dataclass(frozen=True)
class OfficeCase:
    name: str
    filename: str
    build: Callable[[], bytes]
    commune: str | None = "Dương Quang"
    period: int | None = 2024
    villages: tuple[str, ...] = ()
    # (village or None, code) → value in the set's unit (percent points, yes = 1.0)
    values: Mapping[tuple[str | None, str], float] = field(default_factory=dict)
    # (problem code, sheet, cell) that must be reported; cell "" = any cell of the sheet
    problems: Sequence[tuple[str, str, str]] = ()
    refused: bool = False  # an error-severity problem is expected
    # the region the reader settles on; None: it warns that none is given (missing_region)
    region: str | None = None
    # read_return keyword arguments beyond the criteria set (e.g. a stored profile)
    context: Mapping[str, Any] = field(default_factory=dict)


def book(
    sheets: Mapping[str, Rows],
    *,
    merges: Sequence[tuple[str, str]] = (),
    formats: Mapping[Cell, str] | None = None,
    hidden: Sequence[str] = (),
) -> bytes:
    """An .xlsx from rows (None = empty cell), with merged ranges and number formats."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        if title in hidden:
            ws.sheet_state = "hidden"
    for title, ref in merges:
        wb[title].merge_cells(ref)
    for (title, ref), fmt in (formats or {}).items():
        wb[title][ref].number_format = fmt
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def legacy_xls(sheets: Mapping[str, Rows], percent: Sequence[tuple[str, int, int]] = ()) -> bytes:
    """A BIFF8 .xls (xlwt); `percent`: (sheet, row, col), zero-based, formatted as 0.0%."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    style = xlwt.easyxf(num_format_str="0.0%")
    for title, rows in sheets.items():
        ws = wb.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if (title, r, c) in percent:
                    ws.write(r, c, value, style)
                else:
                    ws.write(r, c, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEAD_UBND = ["UBND XÃ DƯƠNG QUANG", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
SIGNATURE = [
    [],
    [None, "Người lập biểu", None, "TM. ỦY BAN NHÂN DÂN"],
    [None, "(ký, ghi rõ họ tên)", None, "CHỦ TỊCH"],
]

# --- 1. the decision's own grid, as a self-assessment form -----------------------------------

GRID_HEADER = [
    "TT",
    "Tên tiêu chí",
    "Nội dung tiêu chí",
    "Chỉ tiêu đạt chuẩn",
    "Kết quả thực hiện",
    "Tự đánh giá",
    "Ghi chú",
]


def decision_grid() -> bytes:
    rows: list[list[Any]] = [
        HEAD_UBND,
        [],
        ["BẢNG TỰ ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN BỘ TIÊU CHÍ XÃ NÔNG THÔN MỚI"],
        ["Xã:", "Dương Quang", None, "Năm đánh giá:", 2024],
        ["Vùng:", "Trung du và miền núi phía Bắc"],
        GRID_HEADER,
        [1, "Quy hoạch", "1.1. Có quy hoạch chung xây dựng xã được phê duyệt", "Đạt", "Có", "Đạt"],
        [None, None, "1.2. Ban hành quy định quản lý quy hoạch", "Đạt", "Có", "Đạt"],
        [2, "Giao thông", "2.1. Tỷ lệ đường xã được nhựa hóa", "100%", "100%", "Đạt"],
        [None, None, "2.2. Tỷ lệ đường thôn, bản được cứng hóa", "≥70%", "79,6%", "Đạt"],
        [None, None, "2.3. Tỷ lệ đường ngõ, xóm sạch", "100%", "100%", "Đạt"],
        [None, None, "2.4. Tỷ lệ đường trục chính nội đồng", "≥70%", "72%", "Đạt"],
        [7, "Cơ sở hạ tầng thương mại nông thôn", "Xã có chợ nông thôn", "Đạt", "Có", "Đạt"],
        [9, "Nhà ở dân cư", "9.1. Nhà tạm, dột nát", "Không", "Không", "Đạt"],
        [None, None, "9.2. Tỷ lệ hộ có nhà ở kiên cố", "≥80%", "85,2%", "Đạt"],
        [
            14,
            "Giáo dục",
            "14.2. Tỷ lệ học sinh tốt nghiệp THCS tiếp tục học",
            "≥85%",
            "79,6%",
            "Đạt",
        ],
        *SIGNATURE,
    ]
    return book(
        {"Tự đánh giá": rows},
        merges=[("Tự đánh giá", "A7:A8"), ("Tự đánh giá", "B7:B8"), ("Tự đánh giá", "A9:A12")],
    )


def decision_grid_regions() -> bytes:
    """Two header rows: 'Chỉ tiêu theo vùng' over the regions; the value column after them."""
    regions = ["TDMNPB", "ĐBSH", "BTB", "DHNTB", "Tây Nguyên", "ĐNB", "ĐBSCL"]
    rows: list[list[Any]] = [
        ["Xã: Dương Quang", None, None, "Năm báo cáo: 2024"],
        [],
        [
            "TT",
            "Tên tiêu chí",
            "Nội dung tiêu chí",
            "Chỉ tiêu chung",
            "Chỉ tiêu theo vùng",
            *[None] * 6,
            "Hiện trạng",
            "Tự đánh giá",
        ],
        [None, None, None, None, *regions, None, None],
        [
            2,
            "Giao thông",
            "2.2. Tỷ lệ đường thôn, bản được cứng hóa",
            "≥70%",
            *["≥70%"] * 7,
            0.65,
            "Chưa đạt",
        ],
        [
            4,
            "Điện",
            "4.2. Tỷ lệ hộ sử dụng điện thường xuyên, an toàn",
            "≥98%",
            *["≥98%"] * 7,
            0.991,
            "Đạt",
        ],
    ]
    return book(
        {"Bieu 01": rows},
        merges=[("Bieu 01", "E3:K3"), ("Bieu 01", "A3:A4"), ("Bieu 01", "L3:L4")],
        formats={("Bieu 01", "L5"): "0%", ("Bieu 01", "L6"): "0.0%"},
    )


# --- 2. verdicts and answers -------------------------------------------------------------------


def village_sheet(village: str, body: Sequence[Any], *, period: int = 2024) -> list[Any]:
    return [
        ["Xã:", "Dương Quang"],
        ["Thôn:", village],
        ["Năm:", period],
        [],
        ["Mã chỉ tiêu", "Tên chỉ tiêu", "Kết quả", "Ghi chú"],
        *body,
    ]


def verdict_words() -> bytes:
    return book(
        {
            "Nà Dì": village_sheet("Nà Dì", [["9.1", "Nhà tạm, dột nát", "Đạt"]]),
            "Bản Giềng": village_sheet("Bản Giềng", [["9.1", "Nhà tạm, dột nát", "Không đạt"]]),
            "Quan Nưa": village_sheet("Quan Nưa", [["9.1", "Nhà tạm, dột nát", "Không"]]),
            "Nà Rào": village_sheet("Nà Rào", [["9.1", "Nhà tạm, dột nát", "Có", "2 nhà"]]),
        }
    )


def verdict_for_percent() -> bytes:
    return book(
        {
            "Nà Dì": village_sheet(
                "Nà Dì",
                [["2.2", "Tỷ lệ đường thôn được cứng hóa", "Đạt"], ["4.2", "Điện", "99,5"]],
            )
        }
    )


# --- 3. share-of-villages indicators ---------------------------------------------------------


def share_of_villages() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang", "Năm:", 2024],
        [],
        ["Mã", "Nội dung", "Nà Dì", "Bản Giềng", "Quan Nưa", "Nà Rào", "Bản Bung"],
        ["6.3", "Có nơi sinh hoạt văn hóa, thể thao", "100 %", 100, 1, "Có", "x"],
        ["16", "Thôn đạt chuẩn văn hóa", "Đạt", "Chưa đạt", "0%", 0, "Không"],
    ]
    return book({"Tổng hợp": rows}, formats={("Tổng hợp", "E4"): "0%"})


def share_not_yes_no() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang", "Năm:", 2024],
        [],
        ["Mã", "Nội dung", "Nà Dì", "Bản Giềng"],
        ["6.3", "Có nơi sinh hoạt văn hóa, thể thao", 50, "Có"],
    ]
    return book({"Tổng hợp": rows})


# --- 4. scope: a commune-wide indicator on a village sheet -----------------------------------


def commune_code_on_village() -> bytes:
    body = [
        ["1.1", "Có quy hoạch chung", "Có"],
        ["2.1", "Tỷ lệ đường xã được nhựa hóa", 100],
        ["2.2", "Tỷ lệ đường thôn được cứng hóa", 75],
        ["17.5", "Mai táng phù hợp quy định", "Đạt"],
    ]
    return book({"Nà Dì": village_sheet("Nà Dì", body)})


# --- 5. metadata on an info sheet --------------------------------------------------------------

PLAIN_HEADER = ["Mã chỉ tiêu", "Nội dung", "Giá trị"]


def info_sheet_village() -> bytes:
    return book(
        {
            "Thông tin chung": [
                ["Tên xã", "Dương Quang"],
                ["Tên thôn, bản", "Nà Dì"],
                ["Năm báo cáo", 2024],
            ],
            "Số liệu": [PLAIN_HEADER, ["2.2", "Đường thôn", 80], ["4.2", "Điện", 99]],
        }
    )


def info_sheet_conflict() -> bytes:
    return book(
        {
            "Thông tin": [["Xã", "Dương Quang"], ["Thôn", "Nà Dì"], ["Năm", 2024]],
            "Toàn xã": [PLAIN_HEADER, ["2.2", "Đường thôn", 80]],
        }
    )


def info_sheet_period_conflict() -> bytes:
    return book(
        {
            "Thông tin": [["Xã", "Dương Quang"], ["Thôn", "Nà Dì"], ["Năm", 2024]],
            "Nà Dì": [["Năm:", 2023], [], PLAIN_HEADER, ["2.2", "Đường thôn", 80]],
        }
    )


def title_only_metadata() -> bytes:
    """No labels: the commune in the letterhead, the year in the title."""
    rows: list[list[Any]] = [
        HEAD_UBND,
        [],
        ["BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC TIÊU CHÍ NÔNG THÔN MỚI NĂM 2024"],
        [],
        ["Mã chỉ tiêu", "Nội dung", "Kết quả"],
        ["2.1", "Đường xã", 100],
        ["14.2", "Học sinh tốt nghiệp THCS tiếp tục học", "88,5%"],
    ]
    return book({"Toàn xã": rows})


# --- 6. wide tables with columns that are not villages ---------------------------------------


def wide_with_plan_columns() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        [],
        ["Mã", "Nội dung", "ĐVT", "Nà Dì", "Bản Giềng", "Kế hoạch năm 2025", 2023, "Ghi chú"],
        ["2.2", "Đường thôn được cứng hóa", "%", 60, 60, 100, 55],
        ["4.2", "Hộ dùng điện an toàn", "%", 99, 98.5, 100, 97],
    ]
    return book({"Tổng hợp": rows})


def wide_unknown_column() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang", "Năm:", 2024],
        [],
        ["Mã", "Nội dung", "Thôn Nà Dì", "Bản Giềng", "đơn vị thực hiện"],
        ["2.2", "Đường thôn được cứng hóa", 80, 75, "Tổ công tác"],
    ]
    return book({"Tổng hợp": rows})


# --- 7. two value columns ------------------------------------------------------------------------


def two_value_columns(period: int) -> Callable[[], bytes]:
    def build() -> bytes:
        rows: list[list[Any]] = [
            ["Xã:", "Dương Quang"],
            ["Năm:", period],
            [],
            ["Mã chỉ tiêu", "Nội dung", "Kết quả năm 2023", "Kết quả năm 2024", "Ghi chú"],
            ["2.1", "Đường xã", 95, 100],
            ["14.2", "Tiếp tục học", 84, 86],
        ]
        return book({"Toàn xã": rows})

    return build


# --- 8. legacy .xls ------------------------------------------------------------------------------


def legacy_percent() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        [],
        ["Mã chỉ tiêu", "Nội dung", "Giá trị"],
        ["2.1", "Đường xã", 0.95],
        ["14.2", "Tiếp tục học", 87],
    ]
    return legacy_xls({"Toan xa": rows}, percent=[("Toan xa", 4, 2)])


def legacy_tcvn3() -> bytes:
    """An old .xls typed with the .VnTime fonts: TCVN3 bytes shown as Latin-1 (reference §2b:
    "M· chØ tiªu" is "Mã chỉ tiêu"), written here byte by byte."""
    rows: list[list[Any]] = [
        ["X·:", "D\xad¬ng Quang"],  # Xã: Dương Quang
        ["Th«n:", "Nµ D×"],  # Thôn: Nà Dì
        ["N¨m:", 2024],  # Năm
        [],
        ["M· chØ tiªu", "Néi dung", "Gi¸ trÞ"],  # Mã chỉ tiêu, Nội dung, Giá trị
        ["2.2", "§\xad\xeang th«n", 80],  # Đường thôn
    ]
    return legacy_xls({"Bao cao": rows})


# --- 9. no code column: STT and names ------------------------------------------------------------


def stt_without_codes() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        [],
        ["STT", "Tên chỉ tiêu", "Đơn vị", "Kết quả"],
        [10, "Đường giao thông nông thôn (km)", "km", 12.5],
        [11, "Tỷ lệ hộ sử dụng điện thường xuyên, an toàn từ các nguồn", "%", 99],
    ]
    return book({"Toàn xã": rows})


def column_numbers_row() -> bytes:
    """The '(1) (2) (3)' row under a header, as many forms have."""
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        [],
        ["Mã chỉ tiêu", "Nội dung", "Kết quả", "Ghi chú"],
        ["(1)", "(2)", "(3)", "(4)"],
        ["2.1", "Đường xã", 100],
        ["8.1", "Điểm phục vụ bưu chính", "x"],
    ]
    return book({"Toàn xã": rows})


# --- 10. money and numbers -------------------------------------------------------------------


def money_in_dong() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        [],
        ["Mã chỉ tiêu", "Nội dung", "Đơn vị tính", "Kết quả"],
        ["10", "Thu nhập bình quân đầu người", "đồng/người/năm", "52.300.000"],
        ["17.4", "Đất cây xanh công cộng", "m²/người", "2,5"],
    ]
    return book({"Toàn xã": rows})


def money_without_unit() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        [],
        ["Mã chỉ tiêu", "Nội dung", "Kết quả"],
        ["10", "Thu nhập bình quân đầu người", 52300],
    ]
    return book({"Toàn xã": rows})


def money_in_trieu() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        [],
        ["Mã chỉ tiêu", "Nội dung", "ĐVT", "Kết quả"],
        ["10", "Thu nhập bình quân đầu người", "Triệu đồng/người/năm", "52,3"],
    ]
    return book({"Toàn xã": rows})


# --- 11. region and criteria set ------------------------------------------------------------


def no_region() -> bytes:
    return book(
        {"Toàn xã": [["Xã:", "Dương Quang"], ["Năm:", 2024], [], PLAIN_HEADER, ["2.1", "", 100]]}
    )


def region_contradicts_profile() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        ["Vùng:", "Đồng bằng sông Hồng"],
        [],
    ]
    return book({"Toàn xã": [*rows, PLAIN_HEADER, ["2.1", "", 100]]})


def set_outside_years() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang"],
        ["Năm:", 2024],
        ["Vùng:", "tdmnpb"],
        ["Bộ tiêu chí:", "vn-ntm-xa-2026-2030"],
        [],
    ]
    return book({"Toàn xã": [*rows, PLAIN_HEADER, ["2.1", "", 100]]})


# --- 12. everyday untidiness ----------------------------------------------------------------


def criterion_rows_and_footer() -> bytes:
    """Criterion heading rows carrying the office's verdict; a signature block below."""
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang", "Năm:", 2024],
        [],
        ["Mã", "Tiêu chí, chỉ tiêu", "Kết quả", "Đánh giá"],
        ["8", "Tiêu chí 8 - Thông tin và Truyền thông", None, "Đạt"],
        ["8.1", "Xã có điểm phục vụ bưu chính", "Có", "Đạt"],
        ["8.2", "Xã có dịch vụ viễn thông, internet", "Có", "Đạt"],
        *SIGNATURE,
    ]
    return book({"Toàn xã": rows})


def nfd_labels_late_header() -> bytes:
    import unicodedata

    def nfd(text: str) -> str:
        return unicodedata.normalize("NFD", text)

    rows: list[list[Any]] = [
        [nfd("ỦY BAN NHÂN DÂN")],
        *[[] for _ in range(5)],
        [nfd("Xã :"), nfd("Dương Quang")],
        [nfd("Thôn, bản :"), nfd("Nà Dì")],
        [nfd("Kỳ báo cáo :"), "Năm 2024"],
        [],
        [nfd("MÃ SỐ"), nfd("NỘI DUNG CHỈ TIÊU"), nfd("KẾT QUẢ THỰC HIỆN")],
        ["TC2.2", nfd("Đường thôn"), "81,5 %"],
        ["Chỉ tiêu 4.2", nfd("Điện"), 0.995],
    ]
    return book({"Báo cáo": rows}, formats={("Báo cáo", "C13"): "0.0%"})


def hidden_lists_sheet() -> bytes:
    """A hidden sheet of dropdown lists and a template-like return."""
    data = village_sheet("Bản Giềng", [["8.3", "Đài truyền thanh", "Có"], ["9.2", "Nhà ở", 90]])
    return book(
        {"Bản Giềng": data, "DanhMuc": [["Có"], ["Không"], ["Đạt"], ["Không đạt"]]},
        hidden=["DanhMuc"],
    )


def unknown_header_long() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang", "Năm:", 2024],
        [],
        ["Mã chỉ tiêu", "Nội dung", "Kết quả", "Người phụ trách"],
        ["2.1", "Đường xã", 100, "Anh Hùng"],
    ]
    return book({"Toàn xã": rows})


def value_without_code() -> bytes:
    rows: list[list[Any]] = [
        ["Xã:", "Dương Quang", "Năm:", 2024],
        [],
        ["Mã chỉ tiêu", "Nội dung", "Kết quả"],
        ["2.1", "Đường xã", 100],
        [None, "Số km đường xã", 12.4],
    ]
    return book({"Toàn xã": rows})


CASES: list[OfficeCase] = [
    OfficeCase(
        "decision grid with self-assessment",
        "tu-danh-gia-2024.xlsx",
        decision_grid,
        region="tdmnpb",
        values={
            (None, "1.1"): 1.0,
            (None, "1.2"): 1.0,
            (None, "2.1"): 100.0,
            (None, "2.2"): 79.6,
            (None, "2.3"): 100.0,
            (None, "2.4"): 72.0,
            (None, "7"): 1.0,
            (None, "9.1"): 0.0,
            (None, "9.2"): 85.2,
            (None, "14.2"): 79.6,
        },
    ),
    OfficeCase(
        "decision grid, regions under a two-row header",
        "bieu-01.xlsx",
        decision_grid_regions,
        values={(None, "2.2"): 65.0, (None, "4.2"): 99.1},
        problems=[("missing_village", "Bieu 01", "")],
    ),
    OfficeCase(
        "verdicts translated through the required answer",
        "nha-o-thon.xlsx",
        verdict_words,
        villages=("Nà Dì", "Bản Giềng", "Quan Nưa", "Nà Rào"),
        values={
            ("Nà Dì", "9.1"): 0.0,
            ("Bản Giềng", "9.1"): 1.0,
            ("Quan Nưa", "9.1"): 0.0,
            ("Nà Rào", "9.1"): 1.0,
        },
    ),
    OfficeCase(
        "a verdict where a percent is needed",
        "na-di.xlsx",
        verdict_for_percent,
        villages=("Nà Dì",),
        values={("Nà Dì", "4.2"): 99.5},
        problems=[("verdict_not_a_value", "Nà Dì", "C6")],
        refused=True,
    ),
    OfficeCase(
        "share of villages: yes in every spelling",
        "van-hoa.xlsx",
        share_of_villages,
        villages=("Nà Dì", "Bản Giềng", "Quan Nưa", "Nà Rào", "Bản Bung"),
        values={
            **{(v, "6.3"): 1.0 for v in ("Nà Dì", "Bản Giềng", "Quan Nưa", "Nà Rào", "Bản Bung")},
            ("Nà Dì", "16"): 1.0,
            ("Bản Giềng", "16"): 0.0,
            ("Quan Nưa", "16"): 0.0,
            ("Nà Rào", "16"): 0.0,
            ("Bản Bung", "16"): 0.0,
        },
    ),
    OfficeCase(
        "share of villages: a number that is not yes or no",
        "van-hoa-50.xlsx",
        share_not_yes_no,
        villages=("Nà Dì", "Bản Giềng"),
        values={("Bản Giềng", "6.3"): 1.0},
        problems=[("share_not_yes_no", "Tổng hợp", "C4")],
        refused=True,
    ),
    OfficeCase(
        "commune-wide indicators on a village sheet",
        "na-di-2024.xlsx",
        commune_code_on_village,
        villages=("Nà Dì",),
        values={("Nà Dì", "2.2"): 75.0},
        problems=[
            ("commune_code_on_village", "Nà Dì", "C6"),
            ("commune_code_on_village", "Nà Dì", "C7"),
            ("commune_code_on_village", "Nà Dì", "C9"),
        ],
    ),
    OfficeCase(
        "the village named on the info sheet",
        "thong-tin.xlsx",
        info_sheet_village,
        villages=("Nà Dì",),
        values={("Nà Dì", "2.2"): 80.0, ("Nà Dì", "4.2"): 99.0},
    ),
    OfficeCase(
        "info sheet names a village, the data sheet is 'Toàn xã'",
        "mau-thuan.xlsx",
        info_sheet_conflict,
        problems=[("meta_conflict", "Toàn xã", "")],
        refused=True,
    ),
    OfficeCase(
        "info sheet and data sheet disagree on the year",
        "mau-thuan-nam.xlsx",
        info_sheet_period_conflict,
        problems=[("meta_conflict", "Nà Dì", "B1")],
        refused=True,
    ),
    OfficeCase(
        "commune in the letterhead, year in the title",
        "bao-cao-nam.xlsx",
        title_only_metadata,
        values={(None, "2.1"): 100.0, (None, "14.2"): 88.5},
    ),
    OfficeCase(
        "wide table with plan and previous-year columns",
        "tong-hop.xlsx",
        wide_with_plan_columns,
        villages=("Nà Dì", "Bản Giềng"),
        values={
            ("Nà Dì", "2.2"): 60.0,
            ("Bản Giềng", "2.2"): 60.0,
            ("Nà Dì", "4.2"): 99.0,
            ("Bản Giềng", "4.2"): 98.5,
        },
        problems=[("column_ignored", "Tổng hợp", "F4"), ("column_ignored", "Tổng hợp", "G4")],
    ),
    OfficeCase(
        "wide table with a column that is not a village",
        "tong-hop-2.xlsx",
        wide_unknown_column,
        villages=("Thôn Nà Dì", "Bản Giềng"),
        values={("Thôn Nà Dì", "2.2"): 80.0, ("Bản Giềng", "2.2"): 75.0},
        problems=[("column_not_read", "Tổng hợp", "E3")],
    ),
    OfficeCase(
        "two value columns: the one naming the return's year",
        "hai-cot-2024.xlsx",
        two_value_columns(2024),
        values={(None, "2.1"): 100.0, (None, "14.2"): 86.0},
        problems=[("column_ignored", "Toàn xã", "C4")],
    ),
    OfficeCase(
        "two value columns, neither for the return's year",
        "hai-cot-2025.xlsx",
        two_value_columns(2025),
        period=2025,
        problems=[("ambiguous_value_column", "Toàn xã", "C4")],
        refused=True,
    ),
    OfficeCase(
        "legacy .xls with a percent cell",
        "bao-cao-cu.xls",
        legacy_percent,
        values={(None, "2.1"): 95.0, (None, "14.2"): 87.0},
    ),
    OfficeCase(
        "legacy .xls typed in TCVN3",
        "tcvn3.xls",
        legacy_tcvn3,
        villages=("Nà Dì",),
        values={("Nà Dì", "2.2"): 80.0},
        problems=[("legacy_encoding", "", "")],
    ),
    OfficeCase(
        "row numbers are not codes",
        "stt.xlsx",
        stt_without_codes,
        values={(None, "4.2"): 99.0},
        problems=[("value_without_code", "Toàn xã", "D5")],
    ),
    OfficeCase(
        "a column-number row under the header",
        "so-cot.xlsx",
        column_numbers_row,
        values={(None, "2.1"): 100.0, (None, "8.1"): 1.0},
    ),
    OfficeCase(
        "money in đồng",
        "thu-nhap.xlsx",
        money_in_dong,
        values={(None, "10"): 52.3, (None, "17.4"): 2.5},
        problems=[("money_converted", "Toàn xã", "D5")],
    ),
    OfficeCase(
        "money without a unit, too large for triệu đồng",
        "thu-nhap-2.xlsx",
        money_without_unit,
        problems=[("money_unit_unclear", "Toàn xã", "C5")],
        refused=True,
    ),
    OfficeCase(
        "money in triệu đồng",
        "thu-nhap-3.xlsx",
        money_in_trieu,
        values={(None, "10"): 52.3},
    ),
    OfficeCase(
        "no region and no profile",
        "khong-vung.xlsx",
        no_region,
        values={(None, "2.1"): 100.0},
    ),
    OfficeCase(
        "the region contradicts the stored profile",
        "vung-khac.xlsx",
        region_contradicts_profile,
        values={(None, "2.1"): 100.0},
        problems=[("region_differs", "Toàn xã", "B3")],
        region="tdmnpb",
        context={"commune_keys": {"Dương Quang": {"region": "tdmnpb"}}},
    ),
    OfficeCase(
        "a named set outside its years",
        "bo-khac.xlsx",
        set_outside_years,
        values={(None, "2.1"): 100.0},
        problems=[("criteria_set_differs", "Toàn xã", "B4")],
        region="tdmnpb",
    ),
    OfficeCase(
        "criterion rows with the office's verdict, a signature block",
        "tieu-chi-8.xlsx",
        criterion_rows_and_footer,
        values={(None, "8.1"): 1.0, (None, "8.2"): 1.0},
        problems=[("criterion_verdict_not_used", "Toàn xã", "D4")],
    ),
    OfficeCase(
        "NFD labels, header in row 11, code spellings",
        "nfd.xlsx",
        nfd_labels_late_header,
        villages=("Nà Dì",),
        values={("Nà Dì", "2.2"): 81.5, ("Nà Dì", "4.2"): 99.5},
    ),
    OfficeCase(
        "a hidden sheet of dropdown lists",
        "ban-gieng.xlsx",
        hidden_lists_sheet,
        villages=("Bản Giềng",),
        values={("Bản Giềng", "9.2"): 90.0},
        problems=[("commune_code_on_village", "Bản Giềng", "C6")],
    ),
    OfficeCase(
        "an unknown column beside the value",
        "phu-trach.xlsx",
        unknown_header_long,
        values={(None, "2.1"): 100.0},
        problems=[("column_not_read", "Toàn xã", "D3")],
    ),
    OfficeCase(
        "a value without a code",
        "khong-ma.xlsx",
        value_without_code,
        values={(None, "2.1"): 100.0},
        problems=[("value_without_code", "Toàn xã", "C5")],
    ),
]
