"""Labels a return may use: column headers, metadata labels, yes/no words (DESIGN §4).

Labels are compared as `label_key`s: folded (no case, no diacritics, one space), without
bracketed remarks, a trailing colon or asterisk, or spaces around "/" and ",".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from ntm.text import fold

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_AROUND_SEPARATORS = re.compile(r"\s*([/,;&-])\s*")

_SPACES = re.compile(r"\s+")


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
