"""The layout of the criteria sheet: its two sheets, the set's header fields (label/value rows)
and the columns of the indicator sheet, in order; a threshold block ("Ngưỡng: <key>", one per
region or group) follows them."""

from __future__ import annotations

SET_SHEET = "Bộ tiêu chí"
ROWS_SHEET = "Chỉ tiêu"

SET_FIELDS = [
    ("id", "Mã bộ"),
    ("title_vi", "Tên (vi)"),
    ("title_en", "Tên (en)"),
    ("decision", "Quyết định"),
    ("date", "Ngày ban hành"),
    ("annex", "Phụ lục"),
    ("amended_by", "Sửa đổi bởi"),
    ("in_force", "Hiệu lực từ"),
    ("first_year", "Năm đầu"),
    ("last_year", "Năm cuối"),
    ("level", "Cấp (commune/village)"),
    ("province", "Tỉnh ban hành"),
    ("keyed_by", "Ngưỡng theo (region/group)"),
    ("keys", "Vùng/nhóm (JSON)"),
    ("complete", "Đầy đủ (TRUE/FALSE)"),
    ("missing", "Còn thiếu"),
    ("missing_en", "Còn thiếu (en)"),
    ("expected_indicators", "Số chỉ tiêu theo văn bản"),
    ("criteria_names", "Tên tiêu chí (JSON)"),
]

# Columns of the indicator sheet, in order. A threshold block follows them.
ROW_COLUMNS = [
    ("criterion", "Tiêu chí"),
    ("criterion_name", "Tên tiêu chí"),
    ("indicator", "Mã chỉ tiêu"),
    ("code", "Mã giá trị"),
    ("name_vi", "Tên chỉ tiêu (vi)"),
    ("name_en", "Tên chỉ tiêu (en)"),
    ("part_name_vi", "Tên phần (vi)"),
    ("part_name_en", "Tên phần (en)"),
    ("unit", "Đơn vị"),
    ("kind", "Loại"),
    ("direction", "Chiều so sánh"),
    ("scope", "Phạm vi"),
    ("aggregation", "Cách tổng hợp"),
    ("informational", "Chỉ để tham khảo"),
    ("note", "Ghi chú"),
    ("year", "Năm (nếu ngưỡng theo năm)"),
    ("when_denominator_at_most", "Áp dụng khi mẫu số ≤"),
    ("verified", "Đã đối chiếu"),
    ("source", "Nguồn"),
]
THRESHOLD_PREFIX = "Ngưỡng: "
NOT_APPLICABLE = "không áp dụng"
TO_SUPPLY = "cần bổ sung"


def column(field: str) -> int:
    """The 1-based column of a field of the indicator sheet."""
    return [f for f, _ in ROW_COLUMNS].index(field) + 1
