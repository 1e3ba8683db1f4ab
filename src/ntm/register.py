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
a warning naming both spellings (`commune_name_matched`,
`village_name_matched`), and the spelling is stored as an alias, so
the next file spelling it so is an exact match. A name that matches none (or several units
equally) is **held** when the commune has a village register (`unknown_village`, an error
naming the nearest names): staff say which village it is (`Choices.names`, saved as an alias)
or, as admin, that it is a new village (`Choices.new_villages`). A commune the register does
not know is created with a notice (`register_new_commune`), and a commune without villages yet
takes those of its first return as its register (`register_new_villages`).

No streamlit, no database: `ntm.storage.units` loads a `Register` and stores what
`resolve` decides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import pandas as pd

from ntm.errors import Code, Problem, Severity
from ntm.values import ReadResult

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
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return kept.replace("đ", "d").replace("Đ", "D")


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
        by_code = [e for e in entries if e.code and spelled(e.code) == spelled(code)]
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


# --- resolving a return --------------------------------------------------------------------


@dataclass
class Choices:
    """What staff (or `ntm import --map/--new-village`) said about held names.

    `names`: spelling → the registered unit it is ("Na Di" → "Nà Dì"; saved as an alias).
    `new_villages`: spellings to register as new villages (an admin's decision).
    Spellings are compared as `normal_key` does."""

    names: dict[str, str] = field(default_factory=dict)
    new_villages: set[str] = field(default_factory=set)

    def named(self, spelling: str) -> str | None:
        wanted = normal_key(spelling)
        return next((v for k, v in self.names.items() if normal_key(k) == wanted), None)

    def is_new(self, spelling: str) -> bool:
        wanted = normal_key(spelling)
        return any(normal_key(k) == wanted for k in self.new_villages)


@dataclass(frozen=True)
class Alias:
    commune: str
    village: str | None  # None: an alias of the commune
    alias: str
    how: str  # folded, near, map


@dataclass(frozen=True)
class Held:
    commune: str
    spelling: str
    candidates: tuple[str, ...]
    sheet: str = ""


@dataclass
class Resolution:
    """A return with its names matched: `result` carries the registered names."""

    result: ReadResult
    problems: list[Problem] = field(default_factory=list)  # warnings, and errors when held
    notices: list[Problem] = field(default_factory=list)  # units created
    aliases: list[Alias] = field(default_factory=list)
    new_communes: dict[str, str | None] = field(default_factory=dict)  # name → code
    new_villages: list[tuple[str, str]] = field(default_factory=list)  # (commune, village)
    held: list[Held] = field(default_factory=list)
    renamed: dict[tuple[str, str | None], tuple[str, str | None]] = field(default_factory=dict)


def _first_sheets(result: ReadResult) -> dict[tuple[str, str], str]:
    frame = result.values
    if frame.empty or "sheet" not in frame:
        return {}
    out: dict[tuple[str, str], str] = {}
    for c, v, s in zip(frame["commune"], frame["village"], frame["sheet"], strict=True):
        if isinstance(c, str) and isinstance(v, str):
            out.setdefault((c, v), s if isinstance(s, str) else "")
    return out


def _names_in(result: ReadResult) -> tuple[list[str], list[tuple[str, str]]]:
    """The commune spellings and (commune, village) spellings of a return, in order."""
    frame = result.values
    communes: dict[str, None] = {}
    pairs: dict[tuple[str, str], None] = {}
    if result.meta.commune:
        communes[result.meta.commune] = None
    if not frame.empty:
        for c, v in zip(frame["commune"].tolist(), frame["village"].tolist(), strict=True):
            if isinstance(c, str):
                communes.setdefault(c)
                if isinstance(v, str) and v:
                    pairs.setdefault((c, v))
    return list(communes), list(pairs)


def _matched(res: Resolution, file: str, found: Match, commune: str, village: str | None) -> None:
    """A folded or near match: a warning naming both spellings, and the alias to store."""
    assert found.name is not None
    res.problems.append(
        Problem(
            Code.VILLAGE_NAME_MATCHED if village is not None else Code.COMMUNE_NAME_MATCHED,
            file=file,
            params={
                "commune": commune,
                "spelling": found.spelling,
                "name": found.name,
                "how": found.kind.value,
            },
        )
    )
    res.aliases.append(Alias(commune, village, found.spelling, found.kind.value))


def _resolve_commune(
    res: Resolution, register: Register, spelling: str, code: str | None, choices: Choices
) -> str | None:
    """The registered commune `spelling` names (created when new); None when held."""
    file = res.result.file
    chosen = choices.named(spelling)
    target = register.commune(chosen) if chosen is not None else None
    if target is not None:
        if spelled(spelling) not in target.spellings():
            res.aliases.append(Alias(target.name, None, spelled(spelling), "map"))
        return target.name
    found = match(spelling, register.communes, code)
    if found.name is not None:
        entry = register.commune(found.name)
        assert entry is not None
        if found.kind == Kind.CODE and normal_key(spelling) not in map(
            normal_key, entry.spellings()
        ):
            res.problems.append(
                Problem(
                    Code.COMMUNE_CODE_NAME_DIFFERS,
                    file=file,
                    params={"code": code, "name": entry.name, "spelling": found.spelling},
                )
            )
        elif code and entry.code and spelled(code) != spelled(entry.code):
            res.problems.append(
                Problem(
                    Code.COMMUNE_CODE_MISMATCH,
                    file=file,
                    params={"code": code, "name": entry.name, "expected": entry.code},
                )
            )
        if found.warned:
            _matched(res, file, found, found.name, None)
        return found.name
    if found.kind == Kind.AMBIGUOUS:  # two communes alike (to be merged): staff say which
        res.held.append(Held("", found.spelling, found.candidates))
        res.problems.append(
            Problem(
                Code.AMBIGUOUS_COMMUNE,
                file=file,
                params={"commune": found.spelling, "candidates": ", ".join(found.candidates)},
            )
        )
        return None
    # A commune the register does not know: created (two spellings of one new name, one unit).
    name = spelled(spelling)
    same = next((n for n in res.new_communes if normal_key(n) == normal_key(name)), None)
    if same is not None:
        return same
    res.new_communes[name] = code
    near = [c for c in found.candidates if similarity(name, c) >= 0.6]
    res.notices.append(
        Problem(
            Code.REGISTER_NEW_COMMUNE,
            file=file,
            params={"commune": name, "similar": ", ".join(near) or "—"},
            severity=Severity.NOTICE,
        )
    )
    return name


def _resolve_village(
    res: Resolution,
    entry: CommuneEntry | None,
    commune: str,
    spelling: str,
    choices: Choices,
    sheet: str,
) -> str | None:
    """The registered village `spelling` names; None when held."""
    file = res.result.file
    text = spelled(spelling)
    villages = entry.villages if entry is not None else ()
    if not villages:  # no register yet: this return's villages become it
        return text
    known = {v.name for v in villages}
    chosen = choices.named(text)
    if chosen is not None and chosen in known:
        if text not in next(v for v in villages if v.name == chosen).spellings():
            res.aliases.append(Alias(commune, chosen, text, "map"))
        return chosen
    found = match(text, villages)
    if found.name is not None:
        if found.warned:
            _matched(res, file, found, commune, found.name)
        return found.name
    if choices.is_new(text):
        res.new_villages.append((commune, text))
        return text
    res.held.append(Held(commune, text, found.candidates, sheet))
    res.problems.append(
        Problem(
            Code.UNKNOWN_VILLAGE,
            file=file,
            sheet=sheet,
            params={
                "village": text,
                "commune": commune,
                "candidates": ", ".join(found.candidates) or "—",
            },
        )
    )
    return None


def resolve(result: ReadResult, register: Register, choices: Choices | None = None) -> Resolution:
    """Match every commune and village a return names to the register (module rules).

    The returned `result` carries the registered names (held villages keep their spelling);
    nothing here writes: `ntm.storage.units` stores the aliases and the new units."""
    choices = choices or Choices()
    res = Resolution(result)
    communes, pairs = _names_in(result)
    if not communes:
        return res
    code = result.meta.commune_code
    commune_names = {
        c: _resolve_commune(res, register, c, code if c == result.meta.commune else None, choices)
        for c in communes
    }
    sheets = _first_sheets(result)
    village_names: dict[tuple[str, str], str | None] = {}
    created: dict[str, list[str]] = {}
    for c, v in pairs:
        commune = commune_names[c]
        if commune is None:  # held: its villages wait for it
            village_names[(c, v)] = None
            continue
        entry = register.commune(commune)
        name = _resolve_village(res, entry, commune, v, choices, sheets.get((c, v), ""))
        if name is not None and (entry is None or not entry.villages):
            same = next(
                (n for n in created.get(commune, []) if normal_key(n) == normal_key(name)), None
            )
            if same is None:
                created.setdefault(commune, []).append(name)
            name = same or name
        village_names[(c, v)] = name
    for commune, names in created.items():
        res.notices.append(
            Problem(
                Code.REGISTER_NEW_VILLAGES,
                file=result.file,
                params={"commune": commune, "n": len(names), "villages": ", ".join(names)},
                severity=Severity.NOTICE,
            )
        )
    named = {c: n or c for c, n in commune_names.items()}
    for c, v in pairs:
        new = (named[c], village_names[(c, v)] or v)
        if new != (c, v):
            res.renamed[(c, v)] = new
    for c in communes:
        if named[c] != c:
            res.renamed[(c, None)] = (named[c], None)
    res.result = _renamed(result, named, village_names)
    return res


def _renamed(
    result: ReadResult, communes: Mapping[str, str], villages: Mapping[tuple[str, str], str | None]
) -> ReadResult:
    if all(k == v for k, v in communes.items()) and all(
        n is None or k[1] == n for k, n in villages.items()
    ):
        return result
    frame = result.values.copy()
    old_c, old_v = frame["commune"].tolist(), frame["village"].tolist()

    def village(c: Any, v: Any) -> Any:
        if not isinstance(c, str) or not isinstance(v, str) or not v:
            return v
        return villages.get((c, v)) or v

    # Object columns with None for missing, as the reader makes them (a list would be read as
    # pandas' string dtype, None becoming NaN).
    frame["village"] = pd.Series(
        [village(c, v) for c, v in zip(old_c, old_v, strict=True)], index=frame.index, dtype=object
    )
    frame["commune"] = pd.Series(
        [communes.get(c, c) if isinstance(c, str) else c for c in old_c],
        index=frame.index,
        dtype=object,
    )
    meta = dataclasses.replace(result.meta)
    if meta.commune:
        meta.commune = communes.get(meta.commune, meta.commune)
        meta.villages = [
            villages.get((result.meta.commune, v)) or v  # type: ignore[arg-type]
            for v in result.meta.villages
        ]
    return ReadResult(result.file, frame, list(result.problems), meta)


def suspected_duplicates(names: Iterable[str]) -> list[list[str]]:
    """Groups of names that are one name once normalised (case, spacing, prefix, diacritics
    are not counted): units split by spelling, for an admin to merge."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(folded_key(name), []).append(name)
    return [sorted(g) for g in groups.values() if len(g) > 1]
