"""Numbers as offices type them: decimal commas, dot thousands, percent signs."""

from __future__ import annotations

import re
import unicodedata

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
