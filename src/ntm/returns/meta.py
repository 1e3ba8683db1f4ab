"""Metadata: label/value pairs ("Xã:", "Năm:", "Vùng:") on a sheet, the year, the region."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ntm.criteria import CriteriaSet
from ntm.returns.cells import a1, is_empty, name_text
from ntm.returns.grids import Grid
from ntm.returns.labels import META_LABELS, label_key
from ntm.text import fold

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
    """Label/value pairs found on a sheet (only labels with a value)."""

    found: dict[str, Found] = field(default_factory=dict)

    def get(self, key: str) -> Found | None:
        return self.found.get(key)


def scan_meta(grid: Grid, stop: int) -> SheetMeta:
    """Label/value pairs in rows [0, stop): "Xã:" | "Dương Quang", or "Năm: 2024" in one cell."""
    meta = SheetMeta()
    for r in range(min(stop, len(grid.rows))):
        row = grid.rows[r]
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
                    meta.found.setdefault(key, Found(row[nxt], grid.name, r, nxt))
                    c = nxt + 1
                    continue
            elif ":" in value:
                left, _, right = value.partition(":")
                key = META_LABELS.get(label_key(left))
                if key is not None and right.strip():
                    meta.found.setdefault(key, Found(right.strip(), grid.name, r, c))
            c += 1
    return meta


_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d|2100)(?!\d)")


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
