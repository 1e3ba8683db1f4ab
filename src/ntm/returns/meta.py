"""Metadata: label/value pairs ("Xã:", "Năm:", "Vùng:") on a sheet, the year, the region."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ntm.criteria import CriteriaSet
from ntm.returns.cells import a1, is_empty, name_text
from ntm.returns.grids import Grid
from ntm.returns.labels import META_LABELS, label_key
from ntm.text import fold, nfc

INFO_SEARCH_ROWS = 60


@dataclass(frozen=True)
class Found:
    value: Any
    sheet: str
    row: int
    col: int

    @property
    def cell(self) -> str:
        return a1(self.row, self.col)


@dataclass
class SheetMeta:
    """Label/value pairs found on a sheet (only labels with a value); `inferred` holds what
    was read without a label (the commune in a letterhead, the year in a title)."""

    found: dict[str, Found] = field(default_factory=dict)
    inferred: dict[str, Found] = field(default_factory=dict)

    def get(self, key: str) -> Found | None:
        return self.found.get(key)

    def add(self, other: SheetMeta) -> None:
        for key, found in other.found.items():
            self.found.setdefault(key, found)
        for key, found in other.inferred.items():
            self.inferred.setdefault(key, found)


def scan_meta(grid: Grid, stop: int) -> SheetMeta:
    """Label/value pairs in rows [0, stop): "Xã:" | "Dương Quang", or "Năm: 2024" in one cell."""
    meta = SheetMeta()
    for r in range(min(stop, len(grid.rows))):
        row = grid.rows[r]
        for key, c, value in _row_pairs(tuple(row), tuple(map(type, row))):
            meta.found.setdefault(key, Found(value, grid.name, r, c))
    return meta


@lru_cache(maxsize=2048)  # a workbook's sheets repeat their metadata rows
def _row_pairs(row: tuple[Any, ...], types: tuple[type, ...]) -> tuple[tuple[str, int, Any], ...]:
    """(key, column, value) of each label/value pair on one row (cached with the cells' types:
    1, 1.0 and True are equal keys)."""
    out: list[tuple[str, int, Any]] = []
    c = 0
    while c < len(row):
        value = row[c]
        if not isinstance(value, str) or not value.strip() or len(value) > 80:
            c += 1
            continue
        key = META_LABELS.get(label_key(value))
        if key is not None:
            nxt = next((j for j in range(c + 1, len(row)) if not is_empty(row[j])), None)
            if nxt is not None and not (
                isinstance(row[nxt], str) and label_key(row[nxt]) in META_LABELS
            ):
                out.append((key, nxt, row[nxt]))
                c = nxt + 1
                continue
        elif ":" in value:
            left, _, right = value.partition(":")
            key = META_LABELS.get(label_key(left))
            if key is not None and right.strip():
                out.append((key, c, right.strip()))
        c += 1
    return tuple(out)


# A letterhead names the commune ("UBND XÃ DƯƠNG QUANG"); a title names the year ("BÁO CÁO …
# NĂM 2024"). Read only when no label gives them, and said in the reading summary.
_LETTERHEAD = re.compile(r"^\s*(?:ubnd|uy ban nhan dan)\s+xa\s+(.+?)\s*$")
_TITLE_YEAR = re.compile(r"\bnam\s+(19\d\d|20\d\d)\b")


def letterhead(grid: Grid, stop: int, meta: SheetMeta) -> None:
    """Fill `meta.inferred` with the commune and year that rows [0, stop) show without a
    label."""
    for r in range(min(stop, len(grid.rows))):
        for c, value in enumerate(grid.rows[r]):
            if not isinstance(value, str) or len(value) > 200:
                continue
            key = fold(value)
            if "commune" not in meta.inferred:
                m = _LETTERHEAD.match(key)
                if m is not None:
                    words = nfc(value).split()
                    name = " ".join(words[len(words) - len(m.group(1).split()) :])
                    if name.isupper():
                        name = name.title()
                    meta.inferred["commune"] = Found(name, grid.name, r, c)
                    continue
            if "period" not in meta.inferred and len(key) >= 15:
                m = _TITLE_YEAR.search(key)
                if m is not None:
                    meta.inferred["period"] = Found(int(m.group(1)), grid.name, r, c)


_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d|2100)(?!\d)")


def years_in(text: str) -> list[int]:
    """The years a text names: "Kết quả năm 2023" → [2023]."""
    return [int(y) for y in _YEAR.findall(text)]


def parse_period(value: Any) -> int | None:
    """A year from 2024, 2024.0, "2024", "Năm 2024" or a date; None if there is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        v = float(value)
        return int(v) if v.is_integer() and 1900 <= v <= 2100 else None
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, str):
        m = _YEAR.search(value)
        return int(m.group(1)) if m else None
    return None


_COMMUNE_PREFIX = re.compile(r"^(?:xã|xa)\s+", re.IGNORECASE)


def commune_name(value: Any) -> str:
    text = name_text(value)
    stripped = _COMMUNE_PREFIX.sub("", text)
    return stripped if fold(text).startswith("xa ") and stripped else text


def resolve_key(text: Any, criteria: CriteriaSet) -> str | None:
    """The region/group id a return names: "tdmnpb", "tdmnpb — Trung du…", "Nhóm 2", 2."""
    raw = name_text(text)
    key = fold(raw)
    if not key:
        return None
    ids = {fold(k.id): k.id for k in criteria.keys}
    if key in ids:
        return ids[key]
    first = re.split(r"\s*[—–:|]\s*|\s+-\s+|\s+", key, maxsplit=1)[0]
    if first in ids:
        return ids[first]
    bare = re.sub(r"^(?:nhom|group|vung|region)\s*", "", key)
    if bare in ids:
        return ids[bare]
    for k in criteria.keys:
        for name in (k.name.vi, k.name.en):
            if name and len(name) >= 4 and fold(name) in key:
                return k.id
    return None
