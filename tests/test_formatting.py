"""Vietnamese (decimal comma, dot thousands) and English formats; status words; Markdown escape."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from ntm import formatting as fmt
from ntm.i18n import catalogue


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        # numbers: decimal comma and dot thousands in Vietnamese, the reverse in English
        pytest.param(lambda: fmt.number(1234.5, "vi"), "1.234,5", id="vi-thousands-decimal"),
        pytest.param(lambda: fmt.number(1234.5, "en"), "1,234.5", id="en-thousands-decimal"),
        pytest.param(lambda: fmt.number(95.0, "vi"), "95", id="vi-no-trailing-zero"),
        pytest.param(lambda: fmt.number(0.125, "vi", 2), "0,13", id="vi-rounded-2"),
        pytest.param(lambda: fmt.number(None, "vi"), "—", id="none-is-dash"),
        pytest.param(lambda: fmt.number(math.nan, "vi"), "—", id="nan-is-dash"),
        # percent values are percent points
        pytest.param(lambda: fmt.percent(95.5, "vi"), "95,5%", id="vi-percent"),
        pytest.param(lambda: fmt.percent(95.5, "en"), "95.5%", id="en-percent"),
        pytest.param(lambda: fmt.percent(100, "vi"), "100%", id="vi-percent-whole"),
        # an indicator's value by its kind
        pytest.param(lambda: fmt.value(1.0, "boolean", "", "vi"), "Có", id="boolean-yes"),
        pytest.param(lambda: fmt.value(0.0, "boolean", "", "vi"), "Không", id="boolean-no"),
        pytest.param(lambda: fmt.value(0.0, "boolean", "", "en"), "No", id="boolean-no-en"),
        pytest.param(lambda: fmt.value(64.5, "percent", "%", "vi"), "64,5%", id="percent-kind"),
        pytest.param(
            lambda: fmt.value(45.25, "money", "triệu đồng/người", "vi"),
            "45,25 triệu đồng/người",
            id="money-with-unit",
        ),
        pytest.param(lambda: fmt.value(1200, "count", "hộ", "vi"), "1.200 hộ", id="count"),
        pytest.param(lambda: fmt.value(None, "percent", "%", "vi"), "—", id="missing-value"),
        # gaps in the indicator's own unit
        pytest.param(
            lambda: fmt.gap(4.3, "percent", "%", "vi"), "4,3 điểm\u00a0%", id="gap-points"
        ),
        pytest.param(lambda: fmt.gap(4.3, "percent", "%", "en"), "4.3\u00a0pp", id="gap-points-en"),
        pytest.param(lambda: fmt.gap(1.0, "boolean", "", "vi"), "—", id="gap-boolean"),
        # thresholds with their direction
        pytest.param(lambda: fmt.threshold(70, ">=", "percent", "%", "vi"), "≥ 70%", id="ge"),
        pytest.param(lambda: fmt.threshold(5, "<=", "percent", "%", "vi"), "≤ 5%", id="le"),
        pytest.param(lambda: fmt.threshold(1.0, "==", "boolean", "", "vi"), "Có", id="yes-no"),
        pytest.param(
            lambda: fmt.threshold(None, ">=", "money", "", "vi"), "Chưa có ngưỡng", id="none"
        ),
        # changes since last year
        pytest.param(lambda: fmt.signed(2, "vi"), "+2", id="signed-up"),
        pytest.param(lambda: fmt.signed(-1, "vi"), "−1", id="signed-down"),
        pytest.param(lambda: fmt.signed(0, "vi"), "0", id="signed-zero"),
    ],
)
def test_formats(call, expected: str) -> None:
    assert call() == expected


@pytest.mark.parametrize(
    ("n", "lang", "since", "text", "direction", "better"),
    [
        (-4, "vi", "so với 2024", "−4 so với 2024", "down", False),
        (-4, "en", "since 2024", "−4 since 2024", "down", False),
        (2, "vi", "so với 2024", "+2 so với 2024", "up", True),
        (2, "en", "since 2024", "+2 since 2024", "up", True),
        (0, "vi", "so với 2024", "0 so với 2024", "none", None),
        (-1.5, "vi", "", "−1,5", "down", False),
    ],
    ids=["fall vi", "fall en", "rise vi", "rise en", "no change", "fraction, no year"],
)
def test_a_change_carries_its_direction_beside_its_text(
    n: float, lang: str, since: str, text: str, direction: str, better: bool | None
) -> None:
    """Babel writes a fall with U+2212, which a widget reading the text takes for a rise: the
    direction and whether it is good news travel with the text."""
    change = fmt.change(n, lang, since)
    assert (change.text, change.direction, change.better) == (text, direction, better)
    assert change.worse is (better is False)
    assert fmt.change(n, lang, since, more_is_better=False).better is (
        None if better is None else not better
    )


def test_dates_are_shown_in_vietnam_time() -> None:
    """A stored UTC moment late in the evening is already the next day in Vietnam (UTC+7)."""
    moment = dt.datetime(2026, 11, 28, 20, 30, tzinfo=dt.UTC)
    assert fmt.date(moment, "vi") == "29/11/2026"
    assert fmt.date_time(moment, "vi") == "29/11/2026 03:30"
    assert fmt.date(dt.date(2026, 1, 5), "vi") == "05/01/2026"
    assert fmt.date(dt.date(2026, 1, 5), "en") == "Jan 5, 2026"
    assert fmt.date(None) == "—"


@pytest.mark.parametrize(
    ("status", "vi", "en"),
    [
        ("met", "Đạt", "Met"),
        ("unmet", "Chưa đạt", "Not met"),
        ("unknown", "Thiếu dữ liệu", "No data"),
        ("missing", "Thiếu số liệu", "Value missing"),
        ("no_threshold", "Chưa có ngưỡng", "No threshold"),
        ("not_applicable", "Không áp dụng", "Not applicable"),
        ("info", "Tham khảo", "For information"),
    ],
)
def test_status_labels(status: str, vi: str, en: str) -> None:
    assert fmt.status_label(status, "vi") == vi
    assert fmt.status_label(status, "en") == en


def test_every_status_has_a_label() -> None:
    assert [s for s in fmt.STATUSES if f"ui.status.{s}" not in catalogue()] == []


@pytest.mark.parametrize(
    "text",
    [
        "**Nà Cưởm**",
        "[bấm vào đây](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "# Tiêu đề",
        "- mục",
        "$x^2$",
        ":red[đỏ] :material/warning:",
        "a_b_c `code` ~~gạch~~ | ô |",
        "dòng 1\n\n# dòng 2",
    ],
)
def test_escape_markdown_leaves_no_markup(text: str) -> None:
    """Every character Markdown, HTML, LaTeX or Streamlit directives read is escaped."""
    escaped = fmt.escape_markdown(text)
    unescaped = escaped
    for ch in "\\`*_{}[]()<>#+-.!|~=:$^&@\"'":
        unescaped = unescaped.replace("\\" + ch, "")
    assert not any(ch in unescaped for ch in "`*_[]<>#|~:$\\"), escaped
    assert "\n" not in escaped


def test_escape_markdown_keeps_vietnamese_text() -> None:
    assert fmt.escape_markdown("Bản Pẻn") == "Bản Pẻn"
    assert fmt.escape_markdown("Nà Cưởm (2.2)") == r"Nà Cưởm \(2\.2\)"
    assert fmt.escape_markdown(None) == ""
