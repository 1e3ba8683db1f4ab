"""How numbers, dates and statuses read on screen, in charts and in exports (pure, no streamlit).

- Vietnamese (the default) writes a decimal comma and a dot between thousands: 1.234,5; 95,5%.
  English writes 1,234.5; 95.5%. Formats come from Babel's locale data, not hand-made patterns.
- Percent values are in percent points (95.0 means 95%), as everywhere in the core.
- A missing value is written "—", never 0.
- A change since an earlier year (`change`) carries its direction beside its text: "−4" is
  written with Babel's minus sign (U+2212), which no widget may be left to read back as a sign.
- Status words come from the translation catalogue (`ui.status.*`): Đạt / Chưa đạt / Thiếu dữ
  liệu …; the UI never decides a status, it only names the one `ntm.attainment` gave.
- `escape_markdown` makes user-supplied text (village names, file names, notes) safe to show in
  Markdown: every character Markdown or Streamlit would interpret is backslash-escaped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import pandas as pd
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from ntm.i18n import DEFAULT_LANG, t
from ntm.text import strip_marks

MISSING = "—"


def _timezone() -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except Exception:  # no time-zone database: Vietnam has had no daylight saving since 1975
        return dt.timezone(dt.timedelta(hours=7), "ICT")


TIMEZONE = _timezone()
LOCALES = {"vi": "vi_VN", "en": "en_US"}

# Criterion-level statuses (met / unmet / unknown) and indicator-level ones.
STATUSES = ("met", "unmet", "unknown", "missing", "no_threshold", "not_applicable", "info")


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES[DEFAULT_LANG])


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def number(value: Any, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """1234.5 → "1.234,5" (vi) / "1,234.5" (en); rounded half up to `decimals`, trailing zeros
    dropped; None/NaN → "—"."""
    if is_missing(value) or not math.isfinite(float(value)):
        return MISSING
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    # Half up, as people round (95,45 → 95,5), not the banker's rounding of float round().
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return format_decimal(exact, format=pattern, locale=_locale(lang))


def percent(value: Any, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A value in percent points: 95.5 → "95,5%" (vi) / "95.5%" (en)."""
    if is_missing(value):
        return MISSING
    return f"{number(value, lang, decimals)}%"


def value(value_: Any, kind: str, unit: str = "", lang: str = DEFAULT_LANG) -> str:
    """An indicator's value as read by a person: "95,5%", "Có", "42,3 triệu đồng/người"."""
    if is_missing(value_):
        return MISSING
    if kind == "boolean":
        return t("ui.value.yes" if float(value_) >= 0.5 else "ui.value.no", lang)
    if kind == "percent" or unit == "%":
        return percent(value_, lang)
    decimals = 0 if kind == "count" else 2
    text = number(value_, lang, decimals)
    return f"{text} {unit}".strip()


def gap(gap_: Any, kind: str, unit: str = "", lang: str = DEFAULT_LANG) -> str:
    """How far a value is from its threshold, in the indicator's unit ("4,3 điểm %")."""
    if is_missing(gap_) or kind == "boolean":
        return MISSING
    if kind == "percent" or unit == "%":
        return t("ui.value.points", lang, n=number(gap_, lang))
    return value(gap_, kind, unit, lang)


def threshold(threshold_: Any, direction: str, kind: str, unit: str = "", lang: str = "vi") -> str:
    """The rule a value must meet: "≥ 100%", "≤ 5%", "Có" (a yes/no indicator)."""
    if is_missing(threshold_):
        return t("ui.value.no_threshold", lang)
    if kind == "boolean" or direction == "==":
        return value(threshold_, "boolean" if kind == "boolean" else kind, unit, lang)
    sign = {">=": "≥", "<=": "≤"}.get(direction, "=")
    return f"{sign} {value(threshold_, kind, unit, lang)}"


def local_time(moment: dt.datetime) -> dt.datetime:
    """A stored (UTC) moment in Vietnam's time, where the communes are (naive = UTC)."""
    if hasattr(moment, "to_pydatetime"):
        moment = moment.to_pydatetime()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(TIMEZONE)


def date(day: dt.date | dt.datetime | None, lang: str = DEFAULT_LANG) -> str:
    """28/11/2026 (vi) / Nov 28, 2026 (en); a moment is first put in Vietnam's time."""
    if day is None or is_missing_date(day):
        return MISSING
    if isinstance(day, dt.datetime):
        day = local_time(day).date()
    pattern = "dd/MM/yyyy" if lang == "vi" else "medium"
    return format_date(day, format=pattern, locale=_locale(lang))


def date_time(moment: dt.datetime | None, lang: str = DEFAULT_LANG) -> str:
    """28/11/2026 14:05 (vi) / Nov 28, 2026, 2:05 PM (en), in Vietnam's time."""
    if moment is None or is_missing_date(moment):
        return MISSING
    pattern = "dd/MM/yyyy HH:mm" if lang == "vi" else "medium"
    return format_datetime(local_time(moment), format=pattern, locale=_locale(lang))


def is_missing_date(day: Any) -> bool:
    try:
        return bool(pd.isna(day))
    except (TypeError, ValueError):
        return False


def status_label(status: str, lang: str = DEFAULT_LANG) -> str:
    """Đạt / Chưa đạt / Thiếu dữ liệu … for a status from `ntm.attainment`."""
    return t(f"ui.status.{status}", lang)


def signed(n: float | None, lang: str = DEFAULT_LANG) -> str:
    """+2, −1, 0 (a change since last year)."""
    if n is None or is_missing(n):
        return MISSING
    text = number(abs(n), lang, 1)
    return f"+{text}" if n > 0 else f"−{text}" if n < 0 else "0"


@dataclass(frozen=True)
class Change:
    """A change since an earlier year as a person reads it, and which way it goes.

    `direction` says up, down or none from the number itself, never from the text (whose
    minus is U+2212); `better` says whether it is good news (more criteria met is)."""

    text: str
    direction: Literal["up", "down", "none"]
    better: bool | None  # None: no change

    @property
    def worse(self) -> bool:
        return self.better is False


def change(
    n: float, lang: str = DEFAULT_LANG, since: str = "", more_is_better: bool = True
) -> Change:
    """+2 / −4 / 0 followed by `since` ("so với 2024"), with its direction."""
    text = f"{signed(n, lang)} {since}".strip()
    if n > 0:
        return Change(text, "up", more_is_better)
    if n < 0:
        return Change(text, "down", not more_is_better)
    return Change(text, "none", None)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~=:$^&@\"'])")


def escape_markdown(text: Any) -> str:
    """User text made inert for st.markdown: Markdown, HTML, LaTeX ($) and emoji (:x:) escaped.

    Line breaks become spaces: a name never starts a heading, list or quote of its own.
    """
    if text is None:
        return ""
    flat = re.sub(r"[ \t\r\n\f\v\u2028\u2029]+", " ", str(text)).strip()  # keeps no-break spaces
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def sort_key(name: str) -> tuple[str, str]:
    """Vietnamese-friendly order: letters first without their marks, then with them."""
    return strip_marks(name).casefold(), name
