"""A return's names matched to the register of units (issue 13; the rules: `ntm.register`).

`resolve(result, register, choices)` gives the return with the registered names, the warnings
for names spelled otherwise (stored as aliases), the error holding a file that names a village
the register does not know, and the notices of the units a first return creates. `Choices`
carry what staff said about held names (the upload page, `ntm import --map/--new-village`).
Nothing here writes: `ntm.storage.units` stores the aliases and the new units.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ntm.errors import Code, Problem, Severity
from ntm.register import (
    CommuneEntry,
    Kind,
    Match,
    Register,
    match,
    normal_key,
    similarity,
    spelled,
)
from ntm.values import ReadResult


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


def communes_named(
    result: ReadResult, register: Register, choices: Choices | None = None
) -> set[str]:
    """The registered communes a return's names match (as `resolve` matches them): the only
    communes whose villages `resolve` reads, so a caller need load no other's (issue 17)."""
    choices = choices or Choices()
    scratch = Resolution(result)
    communes, _ = _names_in(result)
    code = result.meta.commune_code
    named = (
        _resolve_commune(scratch, register, c, code if c == result.meta.commune else None, choices)
        for c in communes
    )
    return {name for name in named if name is not None and register.commune(name) is not None}


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
