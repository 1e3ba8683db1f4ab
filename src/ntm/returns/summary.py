"""What the reader understood of a file, for a person to check at a glance (issue 12).

The summary names the unit(s) (commune, villages, year, region or group, criteria set) and
where each came from, every table (its layout and what each column was taken to hold), how
many values were read and used, and every value cell not used with the problem that names it.
The preview shows it beside each file and `ntm assess` puts it in its JSON ("reading").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ntm.errors import localised
from ntm.i18n import DEFAULT_LANG, t
from ntm.returns.cells import a1, column_letters


@dataclass
class Note:
    key: str  # reading.note.<key>
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return t(f"reading.note.{self.key}", lang, **localised(self.params, lang))


@dataclass
class SheetReading:
    sheet: str
    layout: str  # long | grid | wide
    header_rows: tuple[int, int]  # one-based, first and last
    unit: str | None  # the village of a long table, None for the commune or a wide table
    # (column, role, village or reason) of each header cell, zero-based columns
    column_roles: list[tuple[int, str, str]] = field(default_factory=list)
    values_read: int = 0  # non-empty value cells in indicator rows
    values_used: int = 0

    @cached_property
    def columns(self) -> dict[str, tuple[str, str]]:
        """Column letter → (role, village or reason)."""
        return {column_letters(c): (role, extra) for c, role, extra in self.column_roles}

    def column_label(self, letter: str, lang: str = DEFAULT_LANG) -> str:
        role, extra = self.columns[letter]
        if role == "village":
            return t("reading.role.village", lang, village=extra)
        label = t(f"reading.role.{role}", lang)
        if extra:
            label += f" ({t(f'reading.reason.{extra}', lang)})"
        return label

    def to_json(self, lang: str = DEFAULT_LANG) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "layout": self.layout,
            "header_rows": list(self.header_rows),
            "village": self.unit,
            "columns": {k: self.column_label(k, lang) for k in self.columns},
            "values_read": self.values_read,
            "values_used": self.values_used,
        }


@dataclass
class ReadingSummary:
    file: str
    commune: str | None = None
    commune_code: str | None = None
    period: int | None = None
    villages: list[str] = field(default_factory=list)
    region: str | None = None
    group: str | None = None
    criteria_set: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # key → "Thông tin!B2"
    sheets: list[SheetReading] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    # value cells not used, each "Sheet!C5" → the problem code that names it
    not_used: dict[str, str] = field(default_factory=dict)

    @property
    def values_read(self) -> int:
        return sum(s.values_read for s in self.sheets)

    @property
    def values_used(self) -> int:
        return sum(s.values_used for s in self.sheets)

    def to_json(self, lang: str = DEFAULT_LANG) -> dict[str, Any]:
        return {
            "file": self.file,
            "commune": self.commune,
            "commune_code": self.commune_code,
            "period": self.period,
            "villages": self.villages,
            "region": self.region,
            "group": self.group,
            "criteria_set": self.criteria_set,
            "sources": self.sources,
            "sheets": [s.to_json(lang) for s in self.sheets],
            "values_read": self.values_read,
            "values_used": self.values_used,
            "not_used": [{"cell": c, "code": code} for c, code in self.not_used.items()],
            "notes": [n.text(lang) for n in self.notes],
        }


def ref(sheet: str, row: int, col: int) -> str:
    """'Sheet!C5' of a zero-based cell."""
    return f"{sheet}!{a1(row, col)}"


def letter(col: int) -> str:
    return column_letters(col)
