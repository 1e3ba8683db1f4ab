"""The register of units: one commune, one village, one history (issue 13).

Communes and villages have a canonical name and aliases (other spellings seen and accepted);
a commune also has its official administrative unit code (mã đơn vị hành chính). Every way a
return comes in (the upload page, `ntm import`, `ntm assess --db`) matches the names it carries
to the register, after reading, on the `ReadResult`:

1. **code**: the return's "Mã xã" equals a commune's code → that commune (a name that says
   otherwise is warned about, never stored as an alias).
2. **exact**: the name, or one of its aliases, as written (Unicode NFC, spaces collapsed).
3. **normalised**: compared after NFC, case, spacing and punctuation, and without the prefix
   Xã / Thôn / Bản / Tổ / Ấp / Khu / Xóm ("Thôn Nà Dì", "NÀ DÌ", "xã  Dương  Quang" in NFD);
   a name that is only a prefix and a number keeps both ("Thôn 3" is not "3", nor "Thôn 4").
4. **folded**: the same without diacritics (đ → d): "Na Di" → "Nà Dì", "Duong Quang".
5. **near**: a typing slip in one word, pointing at one name only: the folded forms have the
   same words but one, in which two neighbouring letters are swapped ("Dương Qaung") or a
   letter is doubled ("Nà Cưởmm"). Nothing looser: Vietnamese syllables are short and a
   letter added, dropped or changed usually makes another syllable, hence another name
   ("Bình Hải" / "Vĩnh Hải", "An Lộc" / "An Lợi", "Phùng" / "Phương", "Quan" / "Quang"). Such a
   spelling is held (or, for a commune, created with a notice naming the similar ones), and
   the nearest names, ranked by difflib similarity, are offered.

Exact, code and normalised matches are used silently. Folded and near matches are used with
a warning naming both spellings (`commune_name_matched`, `village_name_matched`), and the
spelling is stored as an alias, so the next file spelling it so is an exact match. A village
name that matches none (or several villages equally) **holds** the file when the commune has a
village register (`unknown_village`, an error naming the nearest names): staff say which
village it is (`ntm.resolve.Choices.names`, saved as an alias) or, as admin, that it is a new
village (`Choices.new_villages`). A commune the register does not know is created with a
notice (`register_new_commune`), and a commune without villages yet takes those of its first
return as its register (`register_new_villages`); a commune name like two registered ones is
held (`ambiguous_commune`).

No streamlit, no database: `ntm.resolve` applies these rules to a read return,
`ntm.storage.units` loads a `Register` and stores what `resolve` decides.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from ntm.text import strip_marks

V = TypeVar("V")

PREFIXES = ("xã", "thôn", "bản", "tổ", "ấp", "khu", "xóm")
CANDIDATES = 3  # nearest names shown for a held name (ranked by difflib similarity)

_PUNCT = re.compile(r"[.,;:!?\"'()\[\]{}*_]+")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+")


class Kind(StrEnum):
    """How a spelling matched: the first three silently, the next two with a warning, the
    last two not at all (the file is held)."""

    CODE = "code"
    EXACT = "exact"
    NORMALISED = "normalised"
    FOLDED = "folded"
    NEAR = "near"
    NONE = "none"
    AMBIGUOUS = "ambiguous"


SILENT = frozenset({Kind.CODE, Kind.EXACT, Kind.NORMALISED})
WARNED = frozenset({Kind.FOLDED, Kind.NEAR})


# --- names ---------------------------------------------------------------------------------


def spelled(name: object) -> str:
    """A name as stored: NFC, without control or format characters, single spaces."""
    text = unicodedata.normalize("NFC", str(name))
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cf", "Cc")
    )
    return " ".join(text.split())


def _strip_prefix(text: str, prefixes: Sequence[str]) -> str:
    """Without its unit prefixes ("Thôn Bản Giềng" → "giềng", as "Bản Giềng"); "Thôn 3" keeps
    its prefix: a bare number names nothing."""
    while True:
        prefix = next((p for p in prefixes if text.startswith(p + " ")), None)
        if prefix is None:
            return text
        rest = text[len(prefix) + 1 :].strip()
        if not rest or rest.isdigit():
            return text
        text = rest


def _bare(text: str) -> str:
    return strip_marks(text)


def _clean(name: object) -> str:
    text = _PUNCT.sub(" ", spelled(name).casefold())
    return _SPACES.sub(" ", text).strip()


def normal_key(name: object) -> str:
    """Case, spacing, punctuation and the unit prefix do not count."""
    return _strip_prefix(_clean(name), PREFIXES)


_FOLDED = tuple(_bare(p) for p in PREFIXES)


def folded_key(name: object) -> str:
    """`normal_key` without diacritics (đ → d); prefixes written without diacritics too."""
    return _strip_prefix(_bare(_clean(name)), _FOLDED)


def _numbers(key: str) -> tuple[str, ...]:
    return tuple(n.lstrip("0") or "0" for n in _NUMBER.findall(key))


def similarity(a: str, b: str) -> float:
    """How alike two names are (0-1), on their folded forms: ranks the nearest names."""
    return difflib.SequenceMatcher(None, folded_key(a), folded_key(b), autojunk=False).ratio()


def _one_slip(a: str, b: str) -> bool:
    """a and b differ by two neighbouring letters swapped, or one letter doubled."""
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) != 2:
            return False
        i = diff[0]
        return diff[1] == i + 1 and (a[i], a[i + 1]) == (b[i + 1], b[i])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(long_) != len(short) + 1:
        return False
    return any(
        long_[:i] + long_[i + 1 :] == short and long_[i] == long_[i - 1]
        for i in range(1, len(long_))
    )


def near(a: str, b: str) -> bool:
    """A typing slip (the module's rule 5); "Thôn 3" is never near "Thôn 4"."""
    wa, wb = folded_key(a).split(), folded_key(b).split()
    if len(wa) != len(wb) or _numbers(" ".join(wa)) != _numbers(" ".join(wb)):
        return False
    differ = [(x, y) for x, y in zip(wa, wb, strict=True) if x != y]
    return len(differ) == 1 and _one_slip(*differ[0])


def valid_in(valid_from: dt.date | None, valid_to: dt.date | None, year: int) -> bool:
    """A unit counts for a year when it exists on 31 December of it (the reporting date)."""
    day = dt.date(int(year), 12, 31)
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


# --- the register --------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One unit: its canonical name, aliases and (communes) the administrative code."""

    name: str
    aliases: tuple[str, ...] = ()
    code: str | None = None

    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class CommuneEntry(Entry):
    villages: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Register:
    communes: tuple[CommuneEntry, ...] = ()

    def commune(self, name: str) -> CommuneEntry | None:
        return next((c for c in self.communes if c.name == name), None)


@dataclass(frozen=True)
class Match:
    spelling: str
    kind: Kind
    name: str | None = None  # the unit matched
    candidates: tuple[str, ...] = ()  # the nearest names, best first

    @property
    def silent(self) -> bool:
        return self.kind in SILENT

    @property
    def warned(self) -> bool:
        return self.kind in WARNED

    @property
    def held(self) -> bool:
        return self.name is None and self.kind in (Kind.NONE, Kind.AMBIGUOUS)


def _unique(found: Iterable[Entry]) -> list[Entry]:
    return list({e.name: e for e in found}.values())


def match(spelling: str, entries: Sequence[Entry], code: str | None = None) -> Match:
    """The unit `spelling` names among `entries` (see the module's rules)."""
    text = spelled(spelling)
    if code:
        wanted_code = spelled(code)
        by_code = [e for e in entries if e.code and spelled(e.code) == wanted_code]
        if len(by_code) == 1:
            return Match(text, Kind.CODE, by_code[0].name)
    exact = _unique(e for e in entries if text in e.spellings())
    if len(exact) == 1:
        return Match(text, Kind.EXACT, exact[0].name)
    for kind, key in ((Kind.NORMALISED, normal_key), (Kind.FOLDED, folded_key)):
        wanted = key(text)
        hits = _unique(e for e in entries if any(key(s) == wanted for s in e.spellings()))
        if len(hits) == 1:
            return Match(text, kind, hits[0].name)
        if len(hits) > 1:
            return Match(text, Kind.AMBIGUOUS, None, tuple(sorted(e.name for e in hits)))
    scored = sorted(
        ((max(similarity(text, s) for s in e.spellings()), e) for e in entries),
        key=lambda pair: (-pair[0], pair[1].name),
    )
    candidates = tuple(e.name for _, e in scored[:CANDIDATES])
    slips = [e for _, e in scored if any(near(text, s) for s in e.spellings())]
    if len(slips) == 1:
        return Match(text, Kind.NEAR, slips[0].name, candidates)
    if slips:
        return Match(text, Kind.AMBIGUOUS, None, tuple(e.name for e in slips))
    return Match(text, Kind.NONE, None, candidates)


class NameLookup(Mapping[str, V]):
    """A mapping by commune name that also answers to the commune's aliases and to spellings
    the register matches without doubt (normalised or folded): the reading context looks a
    return's own commune up by the name the file gives."""

    def __init__(self, data: Mapping[str, V], entries: Sequence[Entry] = ()) -> None:
        self._data = dict(data)
        self._entries = [e for e in entries if e.name in self._data]

    def __getitem__(self, key: str) -> V:
        if key in self._data:
            return self._data[key]
        found = match(key, self._entries) if self._entries and key else None
        if found is not None and found.name is not None and found.kind != Kind.NEAR:
            return self._data[found.name]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def suspected_duplicates(names: Iterable[str]) -> list[list[str]]:
    """Groups of names that are one name once normalised (case, spacing, prefix, diacritics
    are not counted): units split by spelling, for an admin to merge."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(folded_key(name), []).append(name)
    return [sorted(g) for g in groups.values() if len(g) > 1]
