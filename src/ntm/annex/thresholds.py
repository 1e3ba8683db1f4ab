"""A threshold cell of the decision's annex, read as printed (reference criteria.md §2b).

`read_threshold(text, content)` turns the printed text of one cell ("≥70%", "≤ 16,5%", "100%",
"Đạt", "Có", "Không", "≥ 48 triệu đồng/người/năm", "≥2 m²/người") into a `Reading`: direction,
value, kind and unit, inferred from the text and, where the text does not say, from the
indicator's content ("Tỷ lệ …" is a percentage). Anything it does not fully understand is
FLAGGED with a stable reason code and nothing is guessed:

- `compound`: more than one figure or a qualification ("100% (50% cứng hóa)", "≥ 95%, trong đó
  ≥ 50% nước sạch"): a person decides what the set should hold.
- `no_direction`: a bare figure other than 100% / 0% ("70%"): the decision says "≥" or "≤", and
  without it the direction would be a guess.
- `strict`: "> 70%" or "< 5%" (the schema holds "at least" / "at most").
- `out_of_range`: a percentage above 100.
- `unknown`: any other text.

Numbers are read the Vietnamese way: decimal comma ("16,5"), dot for thousands ("1.286").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Status = Literal["parsed", "flagged"]
PARSED: Status = "parsed"
FLAGGED: Status = "flagged"
REASONS = ("compound", "no_direction", "strict", "out_of_range", "unknown")

# Cells that print nothing: no threshold for this column (the general one applies).
BLANKS = {"", "-", "–", "—", "x", "/"}
_YES_NO = {"đạt": True, "đạt chuẩn": True, "có": True, "không": False}
_NOT_APPLICABLE = {"không áp dụng", "không quy định"}
_WORD_OPS = {
    "tối thiểu": ">=",
    "ít nhất": ">=",
    "không thấp hơn": ">=",
    "không dưới": ">=",
    "từ": ">=",
    "tối đa": "<=",
    "không quá": "<=",
    "không vượt quá": "<=",
    "không cao hơn": "<=",
}
_SYMBOL_OPS = {"≥": ">=", "≤": "<=", ">=": ">=", "<=": "<=", "=>": ">=", "=<": "<="}
_NUMBER = r"\d+(?:[.,]\d+)*"
_VALUE = re.compile(rf"^(?P<op>≥|≤|>=|<=|=>|=<|>|<)?\s*(?P<num>{_NUMBER})\s*(?P<rest>.*)$")
_UNIT = re.compile(r"^[^\d();,+:]*$")  # a unit has no further figure, bracket or list


@dataclass(frozen=True)
class Reading:
    """What one printed cell says. `value` is None when flagged (or not applicable)."""

    status: Status
    direction: str | None = None
    value: float | bool | None = None
    kind: str | None = None
    unit: str = ""
    applies: bool = True
    reason: str = ""

    @property
    def flagged(self) -> bool:
        return self.status == FLAGGED


def clean(text: object) -> str:
    """NFC, one space between words, no non-breaking or zero-width spaces, trimmed."""
    out = unicodedata.normalize("NFC", "" if text is None else str(text))
    out = out.replace("\u200b", "").replace("\xa0", " ")
    return re.sub(r"\s+", " ", out).strip()


def is_blank(text: str) -> bool:
    return clean(text).lower() in BLANKS


def parse_number(text: str) -> float | None:
    """'16,5' → 16.5; '1.286' → 1286; '1.286,5' → 1286.5; '2.5' → 2.5 (not thousands)."""
    text = text.strip()
    if not re.fullmatch(_NUMBER, text):
        return None
    if "," in text and "." in text:
        if text.rfind(",") < text.rfind(".") or text.count(",") > 1:
            return None
        whole, decimals = text.split(",")
        if not all(len(g) == 3 for g in whole.split(".")[1:]):
            return None
        return float(whole.replace(".", "") + "." + decimals)
    if "," in text:
        return float(text.replace(",", ".")) if text.count(",") == 1 else None
    if "." in text:
        groups = text.split(".")
        if all(len(g) == 3 for g in groups[1:]):
            return float("".join(groups))  # dot thousands
        return float(text) if len(groups) == 2 else None
    return float(text)


def _unit(rest: str, content: str) -> tuple[str, str] | None:
    """(kind, unit) from the text after the figure, else from the indicator's content."""
    rest = rest.strip().rstrip(".").strip()
    rest = re.sub(r"\bm2\b", "m²", re.sub(r"\bm3\b", "m³", rest))
    lowered = rest.lower()
    if rest.startswith("%"):
        return ("percent", "%") if not rest[1:].strip() else None
    if not _UNIT.match(rest):
        return None
    if "đồng" in lowered:
        return "money", rest
    if rest:
        return "number", rest
    if content.lower().startswith("tỷ lệ") or "tỷ lệ" in content.lower()[:40]:
        return "percent", "%"
    return "number", ""


def _word_op(text: str) -> tuple[str | None, str]:
    lowered = text.lower()
    for words, op in sorted(_WORD_OPS.items(), key=lambda kv: -len(kv[0])):
        if lowered.startswith(words + " "):
            rest = text[len(words) :].strip()
            if op == ">=" and words == "từ":
                if not rest.lower().endswith("trở lên"):
                    return None, text
                rest = rest[: -len("trở lên")].strip()
            return op, rest
    if lowered.endswith(" trở lên"):
        return ">=", text[: -len(" trở lên")].strip()
    return None, text


def read_threshold(text: object, content: str = "") -> Reading | None:
    """The reading of one printed cell; None when the cell prints nothing (blank or a dash)."""
    printed = clean(text)
    lowered = printed.lower().rstrip(".").strip()
    if lowered in BLANKS:
        return None
    if lowered in _YES_NO:
        return Reading(PARSED, "==", _YES_NO[lowered], "boolean", "")
    if lowered in _NOT_APPLICABLE:
        return Reading(PARSED, applies=False)
    op, body = _word_op(printed.rstrip(".").strip())
    match = _VALUE.match(body)
    if match is None:
        figures = re.findall(r"\d", printed)
        return Reading(FLAGGED, reason="compound" if figures else "unknown")
    symbol = match["op"]
    if symbol in (">", "<"):
        return Reading(FLAGGED, reason="strict")
    if symbol and op:
        return Reading(FLAGGED, reason="unknown")  # "tối thiểu ≥ 70%": say it once
    op = op or (_SYMBOL_OPS[symbol] if symbol else None)
    number = parse_number(match["num"])
    unit = _unit(match["rest"], content)
    if number is None or unit is None:
        return Reading(FLAGGED, reason="compound")
    kind, unit_text = unit
    if kind == "percent" and number > 100:
        return Reading(FLAGGED, reason="out_of_range")
    if op is None:
        if kind == "percent" and number == 100:
            op = ">="
        elif kind == "percent" and number == 0:
            op = "<="
        else:
            return Reading(FLAGGED, reason="no_direction")
    return Reading(PARSED, op, number, kind, unit_text)


def describe(reading: Reading) -> str:
    """A reading written back the way the decision prints it ("≥ 70%", "Đạt", "Không")."""
    if not reading.applies:
        return "không áp dụng"
    if reading.value is None:
        return ""
    if isinstance(reading.value, bool):
        return "Đạt" if reading.value else "Không"
    sign = {">=": "≥ ", "<=": "≤ ", "==": ""}.get(reading.direction or "", "")
    number = f"{reading.value:g}".replace(".", ",")
    unit = reading.unit
    return f"{sign}{number}{unit if unit == '%' else (' ' + unit if unit else '')}"
