"""Indicator codes as offices write them, resolved against a criteria set."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ntm.text import fold
from ntm.validation import CodeIndex

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


# A code at the start of a name, as the decision prints its grid: "2.2. Tỷ lệ …", "17.10 Tỷ lệ",
# "TC 3.1 - Tỷ lệ". The separator after the code is required, so "2 nhà văn hóa" is a name.
_CODE_PREFIX = re.compile(
    r"\s*(?:(?:TC|CT|Chỉ tiêu|Tiêu chí)\s*)?"
    r"(?:(\d{1,2}[.,]\d{1,2}[a-z]?)(?:\.\s*|\s*[):–-]\s*|\s+)|(\d{1,2}[a-z]?)(?:\.\s*|\s*[):–-]\s*))"
    r"(?=[^\W\d_])",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def code_prefix(text: str) -> str | None:
    """The code a name starts with ("2.2. Tỷ lệ …" → "2.2"), or None."""
    m = _CODE_PREFIX.match(text)
    if m is None:
        return None
    code = (m.group(1) or m.group(2)).replace(",", ".")
    # "1. Quy hoạch" is a criterion heading; "10 Thu nhập" an indicator: both are codes here.
    return code


def number_code(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


@dataclass(slots=True)
class Entry:
    row: int
    raw: Any
    code: str | None = None  # resolved
    candidates: tuple[str, ...] = ()  # when a number could be several codes
    name: str = ""
    filled: bool = False  # a value, numerator, denominator or note is there
    valued: bool = False  # a value, numerator or denominator is there (or an uncached formula)


class Codes:
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

    def parse(self, entry: Entry) -> None:
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
                entry.code = number_code(value)
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

    def by_name(self, name: str, candidates: Iterable[str], bar: float = 0.6) -> str | None:
        """The candidate (or one of its parts) whose name is clearly closest to `name` (a
        similarity of at least `bar`, ahead of the next by 0.08)."""
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
        if not scored or scored[0][0] < bar:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.08:
            return None
        return scored[0][1]

    def agrees(self, name: str, code: str) -> bool:
        """Whether a row's name is the indicator's: close (as `by_name`), or one name holds
        the other ("Xã có chợ nông thôn" in "Xã có chợ nông thôn hoặc nơi mua bán …")."""
        key = fold(name)
        if len(key) < 8:
            return False
        if any(key in n or n in key for n in self.names(code)):
            return True
        return self.by_name(name, [code]) == code

    def by_position(self, entries: list[Entry]) -> None:
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
