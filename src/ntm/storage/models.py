"""What the store takes and gives: import outcomes, revision references, commune profiles,
villages, the reading context, and problems as stored (JSON).

Statuses of an upload: `accepted` (new revisions), `refused` (errors: bytes and problems kept,
no values), `duplicate` (the same bytes again: nothing new), `held` (a name the register does
not know: nothing stored).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ntm.criteria import CriteriaSet
from ntm.errors import Code, Problem, Severity
from ntm.register import NameLookup
from ntm.resolve import Held
from ntm.storage.common import clean
from ntm.storage.plans import REPLACE, UPDATE, UnitPlan

Row = Any  # an SQLAlchemy result row (typed loosely: its columns are named where used)
Unit = tuple[str, str | None, int]  # (commune, village or None, period)

ACCEPTED = "accepted"
REFUSED = "refused"
DUPLICATE = "duplicate"
HELD = "held"  # a name the register does not know: nothing stored (ntm.register)
MODES = (REPLACE, UPDATE)
ANONYMOUS = "anonymous"


class _Any(enum.Enum):
    ANY = "any"


ANY = _Any.ANY
"""`revisions(village=ANY)`: every unit (None means the commune-wide unit)."""


@dataclass(frozen=True)
class ReadingContext:
    """What the database knows that decides how a return is read (`ntm.returns.read_return`):
    the sets users imported or edited (a stored revision replaces the shipped file of its id;
    2026-2030 once its 47 indicators are imported), each commune's own set, and the province
    village sets communes follow. `key` changes whenever any of them does (a cache key)."""

    extra_sets: tuple[CriteriaSet, ...] = ()
    commune_sets: tuple[tuple[str, str], ...] = ()
    # By commune: the village sets it follows. A return is read with its own commune's only
    # (another commune's "T4.1" stays an unknown code, its "TC2.2" the national 2.2).
    commune_village_sets: tuple[tuple[str, tuple[CriteriaSet, ...]], ...] = ()
    # By commune: its region/group as the profile records it (the truth when a return says
    # otherwise; a return without one is judged on the profile's).
    commune_keys: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    key: tuple[Any, ...] = ()
    # The register's entries of those communes: a return spelling its commune otherwise
    # ("Duong Quang") is read with that commune's sets (ntm.register.NameLookup).
    names: tuple[Any, ...] = ()

    @property
    def village_sets(self) -> tuple[CriteriaSet, ...]:
        """Every village set some commune follows."""
        found = {s.id: s for _, sets in self.commune_village_sets for s in sets}
        return tuple(found[i] for i in sorted(found))

    def kwargs(self) -> dict[str, Any]:
        return {
            "extra_sets": self.extra_sets,
            "commune_sets": NameLookup(dict(self.commune_sets), self.names),
            "commune_village_sets": NameLookup(dict(self.commune_village_sets), self.names),
            "commune_keys": NameLookup(
                {name: dict(keys) for name, keys in self.commune_keys}, self.names
            ),
        }


# --- results -----------------------------------------------------------------------------


class RevisionRef(NamedTuple):
    commune: str
    village: str | None
    period: int
    number: int
    id: int

    def to_json(self) -> dict[str, Any]:
        return {
            "commune": self.commune,
            "village": self.village,
            "period": self.period,
            "number": self.number,
            "revision_id": self.id,
        }


@dataclass
class ImportOutcome:
    """What happened to one file. `status`: accepted, refused or duplicate."""

    file: str
    upload_id: int | None
    status: str
    revisions: list[RevisionRef] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicate_of: int | None = None
    original_status: str | None = None  # for a duplicate: the first upload's status
    # The register (issue 13): units created (notices), names held, and per unit the revision
    # replaced and the current values the file does not repeat.
    notices: list[Problem] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    units: list[UnitPlan] = field(default_factory=list)
    mode: str = REPLACE

    @property
    def refused(self) -> bool:
        """The file is refused (or is the same bytes as a refused file)."""
        return self.status == REFUSED or (
            self.status == DUPLICATE and self.original_status == REFUSED
        )

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "file": self.file,
            "upload_id": self.upload_id,
            "revisions": [r.to_json() for r in self.revisions],
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "problems": [p.to_json(lang) for p in self.problems],
            "notices": [p.to_json(lang) for p in self.notices],
            "held": [
                {"commune": h.commune, "name": h.spelling, "candidates": list(h.candidates)}
                for h in self.held
            ],
            "mode": self.mode,
            "units": [u.to_json() for u in self.units],
        }


@dataclass
class CommuneProfile:
    """A commune as the Cài đặt page edits it. `villages`: names currently valid."""

    name: str
    region: str | None = None
    group: str | None = None
    # What the group rests on (Decision 51/2025/QĐ-TTg: e.g. the decision classifying the commune
    # as khu vực III), and the province the commune reports to.
    group_evidence: str | None = None
    province: str | None = None
    criteria_set: str | None = None  # None: the national set in force for each year
    # The province village (thôn) sets it follows (ids); each village is also judged on the one
    # covering the year (ntm.village_sets).
    village_sets: list[str] = field(default_factory=list)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    merged_into: str | None = None
    villages: list[str] = field(default_factory=list)
    code: str | None = None  # mã đơn vị hành chính
    aliases: list[str] = field(default_factory=list)  # other spellings accepted (read only)


@dataclass
class Village:
    """A village of the register. `merged_into`: the village of the same commune that absorbed
    it; `came_from`: after a merger of communes, the (commune, village) it continues."""

    commune: str
    name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    merged_into: str | None = None
    came_from: tuple[str, str] | None = None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


# --- helpers -----------------------------------------------------------------------------


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": problem.code.value,
        "file": problem.file,
        "sheet": problem.sheet,
        "cell": problem.cell,
        "params": clean(problem.params),
    }
    if problem.severity is not None:
        out["severity"] = problem.severity.value
    return out


def problem_from_dict(data: Mapping[str, Any]) -> Problem:
    severity = data.get("severity")
    return Problem(
        Code(data["code"]),
        file=data.get("file", ""),
        sheet=data.get("sheet", ""),
        cell=data.get("cell", ""),
        params=dict(data.get("params") or {}),
        severity=Severity(severity) if severity else None,
    )
