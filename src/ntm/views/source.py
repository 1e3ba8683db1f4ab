"""Communes assessed from the database: the one way the screens, the exports and `ntm report` do.

`assess_store(store, commune=…, period=…)` reads the current revisions, each commune's profile,
its village register and the criteria sets users stored, and judges:

- on the commune criteria set: communes grouped by the set their profile names, each group in
  one `ntm.attainment.assess` call (with the register: village aggregates count the registered
  villages, issue 13);
- on the province village sets a commune follows (`ntm.village_sets.assess_villages`).

Asked for one commune (`commune=`), the values are that commune's history with the communes
merged into it (issue 16: Dương Quang and Đôn Phong → Phong Quang on 1 Jul 2025). Every commune,
a predecessor too, is judged on its OWN profile (its region, the set its profile names, else the
set in force for the year: 2021-2025 on Decision 318), and each keeps its own name: a
predecessor's numbers are never summed into, nor relabelled as, the successor's, which are
numbers that never existed. Each unit counts only within its validity (a predecessor up to the
year of its `valid_to`, the successor from the year of its `valid_from`). `StoreAssessment.of`
gives the successor its `predecessors` (each a `CommuneAssessment` of its own, see
`Predecessor`); `ntm.views.merger` draws the history from them.
`commune_assessment(store, commune)` is the one-commune case, as the views read it.

The set a profile names (`criteria_of`): the stored revision of that id, else the shipped file,
when it is a commune set; no name means the national set in force for each year. A name that
is not a known commune set (deleted or renamed after the profile was saved) is not an error:
the years are judged on the set in force, and the assessment carries the warning
`unknown_criteria_set` naming the commune and the set, so that every front end says so (the
`problems` of `ntm report`, `CommuneAssessment.problems` for the screens and the deck). A
commune judged on a set keyed by commune group (2026-2030) whose profile has no group carries
`commune_group_missing` the same way (`group_problems`): no group is guessed.

`provenance(store, values)`: where the values came from (latest upload date, files, demo?),
by the one rule of `ntm.demo.is_demo`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from ntm import formatting as fmt
from ntm.attainment import Assessment, assess
from ntm.criteria import CriteriaSet, Part, choose_set, shipped_sets
from ntm.errors import Code, NoCriteriaSetError, Problem
from ntm.formatting import sort_key
from ntm.i18n import DEFAULT_LANG
from ntm.statuses import criterion_statuses
from ntm.values import VALUE_COLUMNS
from ntm.views.notices import group_problems
from ntm.views.stale import left_unjudged
from ntm.village_sets import assess_villages, chosen_sets, village_set_for

if TYPE_CHECKING:
    from ntm.storage import CommuneProfile, Store

Register = Mapping[tuple[str, int], Sequence[str]]

# The columns of `Assessment.parts` (ntm.attainment) the views read.
PART_COLUMNS = [
    "commune",
    "village",
    "period",
    "criteria_set",
    "key",
    "criterion",
    "indicator",
    "code",
    "kind",
    "direction",
    "informational",
    "order",
    "value",
    "numerator",
    "denominator",
    "threshold",
    "verified",
    "status",
    "gap",
]


@dataclass(frozen=True)
class Provenance:
    """Where a commune's numbers come from: the latest upload behind them (a stored moment),
    the files (latest period first), how many uploads, and whether they are the bundled demo."""

    as_of: dt.datetime | None = None
    sources: tuple[str, ...] = ()
    demo: bool = False
    uploads: int = 0

    @property
    def date(self) -> dt.date | None:
        """The day the data runs to, in Vietnam ("Số liệu đến ngày")."""
        return None if self.as_of is None else fmt.local_time(self.as_of).date()


@dataclass(frozen=True)
class Predecessor:
    """A commune merged into another (`CommuneProfile.merged_into`), with its own history: its
    years before the merger judged on its own profile (`assessment`, a CommuneAssessment of its
    own, whose `predecessors` hold any earlier merger). `merged_on`: the first day of the
    successor (the day after the predecessor's `valid_to`, else the successor's `valid_from`);
    None when the profiles do not say."""

    name: str
    successor: str
    merged_on: dt.date | None
    assessment: CommuneAssessment

    @property
    def last_year(self) -> int | None:
        """The last year the predecessor existed in (the merger's year when it is known)."""
        return None if self.merged_on is None else (self.merged_on - dt.timedelta(days=1)).year


@dataclass(frozen=True)
class CommuneAssessment:
    """One commune judged, with what its views read beside the assessment.

    `assessment`: on the commune set, every year with data (and the communes merged into it);
    `villages`: each village on the province village set in force (None: it follows none);
    `village_sets`: the province village sets it follows; `register`: (commune, year) → the
    villages registered that year (empty: no register); `values`: the values judged, for the
    self-assessment cross-check; `provenance`: where they came from; `predecessors`: the
    communes merged into it, each with its own history (never summed into this one's)."""

    commune: str
    assessment: Assessment
    villages: Assessment | None = None
    village_sets: tuple[CriteriaSet, ...] = ()
    register: Register = field(default_factory=dict)
    values: pd.DataFrame | None = None
    provenance: Provenance = field(default_factory=Provenance)
    predecessors: tuple[Predecessor, ...] = ()
    # What several views read of the assessment, worked out once (see `_once`).
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _once(self, key: Any, make: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def units(self) -> pd.DataFrame:
        """The commune's own rows of `Assessment.units` (as a whole), by year."""

        def make() -> pd.DataFrame:
            units = self.assessment.units
            mine = units[(units["commune"] == self.commune) & units["village"].isna()]
            return mine.sort_values("period")

        return self._once("units", make)

    def parts(self, year: int, *, villages: bool = False) -> pd.DataFrame:
        """The commune's parts of `year`: of the commune as a whole, or of its villages."""

        def make() -> tuple[pd.DataFrame, pd.DataFrame]:
            parts = self.assessment.parts
            mine = parts[(parts["commune"] == self.commune) & (parts["period"] == year)]
            return mine[mine["village"].isna()], mine[mine["village"].notna()]

        return self._once(("parts", int(year)), make)[1 if villages else 0]

    def criteria(self, year: int) -> pd.DataFrame:
        """The commune's criterion rows of `year` (as a whole) in the set's order, with `label`:
        the status as people read it (`statuses`)."""

        def make() -> pd.DataFrame:
            crits = self.assessment.criteria
            rows = (
                (crits["commune"] == self.commune)
                & (crits["period"] == year)
                & crits["village"].isna()
            )
            mine = crits[rows].assign(label=self.statuses[rows])
            return mine.sort_values("order", kind="stable")

        return self._once(("criteria", int(year)), make)

    def measured(self, crit: CriteriaSet) -> dict[str, Part]:
        """Every measured value of `crit` by code."""
        return self._once(
            ("measured", crit.id, crit.revision),
            lambda: {code: part for code, (_, part) in crit.measured_codes().items()},
        )

    @property
    def problems(self) -> list[Problem]:
        return list(self.assessment.problems)

    @cached_property
    def statuses(self) -> pd.Series:
        """Each row of `assessment.criteria`'s status as people read it
        (`ntm.statuses.criterion_statuses`), worked out once for all the views."""
        return criterion_statuses(self.assessment)

    def periods(self) -> list[int]:
        """The years with data: the commune's own, and its predecessors' before the merger."""
        units = self.assessment.units
        own = units.loc[units["commune"] == self.commune, "period"]
        found = {int(p) for p in own.unique()}
        for pred in self.predecessors:
            found.update(pred.assessment.periods())
        return sorted(found)

    def registered(self, year: int) -> list[str] | None:
        """The villages of the commune's register valid in `year`; None: no register."""
        found = self.register.get((self.commune, int(year)))
        return None if found is None else list(found)

    def village_set(self, year: int) -> CriteriaSet | None:
        """The province village set "Thôn đạt chuẩn" is counted on in `year`, if any."""
        return village_set_for(int(year), self.village_sets)


def commune_of(
    assessment: Assessment,
    commune: str,
    *,
    villages: Assessment | None = None,
    village_sets: Sequence[CriteriaSet] | None = None,
    register: Register | None = None,
    values: pd.DataFrame | None = None,
    provenance: Provenance | None = None,
    predecessors: Sequence[Predecessor] = (),
) -> CommuneAssessment:
    """A CommuneAssessment from parts already at hand (an assessment of returns, in tests and
    `ntm.exports.build_report`). `village_sets` defaults to the sets `villages` was judged on."""
    if village_sets is None:
        village_sets = list(villages.sets.values()) if villages is not None else []
    return CommuneAssessment(
        commune=commune,
        assessment=_with_part_columns(assessment),
        villages=_with_part_columns(villages) if villages is not None else None,
        village_sets=tuple(village_sets),
        register=register or {},
        values=values,
        provenance=provenance or Provenance(),
        predecessors=tuple(predecessors),
    )


@dataclass(frozen=True)
class Judged:
    """Communes judged together (same set choice) and their assessment."""

    communes: tuple[str, ...]
    assessment: Assessment


@dataclass(frozen=True)
class StoreAssessment:
    """Everything `assess_store` read and judged."""

    values: pd.DataFrame  # the current values (VALUE_COLUMNS and their upload, file …)
    communes: tuple[Judged, ...]  # on the commune criteria sets, one per set choice
    villages: tuple[Judged, ...]  # on the province village sets, one per choice of sets
    village_sets: Mapping[str, tuple[CriteriaSet, ...]]  # commune → the village sets it follows
    register: Register
    profiles: Mapping[str, CommuneProfile] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        """Every group's problems once, in order."""
        out: list[Problem] = []
        for judged in self.communes:
            out.extend(p for p in judged.assessment.problems if p not in out)
        return out

    def names(self) -> list[str]:
        """The communes judged, by name (Vietnamese order)."""
        return sorted({n for j in self.communes for n in j.communes}, key=sort_key)

    def of(self, commune: str, provenance: Provenance | None = None) -> CommuneAssessment:
        """`commune` as its views read it (its group's assessment, its village judgement), with
        the communes merged into it as its `predecessors` (by name, Vietnamese order)."""
        return self._of(commune, provenance, frozenset())

    def _of(
        self, commune: str, provenance: Provenance | None, seen: frozenset[str]
    ) -> CommuneAssessment:
        group = next((j for j in self.communes if commune in j.communes), self.communes[0])
        villages = next((j for j in self.villages if commune in j.communes), None)
        values = self.values[VALUE_COLUMNS]
        if group.communes:
            values = _of(values, group.communes)
        seen = seen | {commune}  # a cycle of merged_into (bad data) must not recurse forever
        own = self.profiles.get(commune)
        merged = sorted(
            (p for p in self.profiles.values() if p.merged_into == commune and p.name not in seen),
            key=lambda p: sort_key(p.name),
        )
        predecessors = [
            Predecessor(
                name=p.name,
                successor=commune,
                merged_on=(
                    p.valid_to + dt.timedelta(days=1)
                    if p.valid_to is not None
                    else own.valid_from
                    if own is not None
                    else None
                ),
                assessment=self._of(p.name, provenance, seen),
            )
            for p in merged
        ]
        return commune_of(
            group.assessment,
            commune,
            villages=villages.assessment if villages is not None else None,
            village_sets=self.village_sets.get(commune, ()),
            register=self.register,
            values=values,
            provenance=provenance,
            predecessors=predecessors,
        )


def criteria_of(
    name: str | None, known: Mapping[str, CriteriaSet], communes: Iterable[str] = ()
) -> tuple[CriteriaSet | None, list[Problem]]:
    """The commune set a profile names (None: the set in force for each year), and the warning
    when the name is not a commune set of `known` (the shipped sets with the stored ones in
    place of theirs): the years are then judged on the set in force."""
    if not name:
        return None, []
    crit = known.get(name)
    if crit is not None and crit.level == "commune":
        return crit, []
    problem = Problem(
        Code.UNKNOWN_CRITERIA_SET,
        params={"communes": ", ".join(communes), "criteria_set": name},
    )
    return None, [problem]


def assess_store(
    store: Store, *, commune: str | None = None, period: int | None = None
) -> StoreAssessment:
    """The current values of every commune (or of `commune` and the communes merged into it;
    or of one `period`) judged as the module docstring says."""
    values = store.current_values(commune=commune, period=period)
    profiles = {p.name: p for p in store.communes()}
    outside: list[Problem] = []
    if commune is not None:
        values, outside = within_validity(values, profiles, commune)
    stored = store.criteria_sets()
    known = {**shipped_sets(), **{s.id: s for s in stored}}

    def set_of(name: str) -> str | None:
        prof = profiles.get(name)
        return prof.criteria_set if prof else None

    def judging_set(name: str, year: int) -> CriteriaSet | None:
        try:
            return choose_set(year, known=known, forced=criteria_of(set_of(name), known)[0])
        except NoCriteriaSetError:
            return None

    stated = store.stated_set_uploads(values["upload_id"].dropna().unique())
    values, unjudged = left_unjudged(values, stated, judging_set)
    outside += unjudged
    judged_values = values[VALUE_COLUMNS]
    register = store.village_register(values["period"].unique().tolist())
    from ntm.storage.communes import keys_of  # (a Store is at hand: storage is loaded)

    keys = keys_of(profiles.values())  # not store.keys(): that reads every profile again

    names = [str(n) for n in values["commune"].drop_duplicates()]
    if commune is not None and commune not in names:
        names.append(commune)  # judged on its own set even before it has data
    by_set: dict[str | None, list[str]] = {}
    for name in names:
        by_set.setdefault(set_of(name), []).append(name)
    if not by_set:
        by_set[None] = []
    groups = []
    for set_name, members in by_set.items():
        crit, problems = criteria_of(set_name, known, members)
        part = judged_values[judged_values["commune"].isin(members)] if members else judged_values
        result = assess(part, keys=keys, criteria=crit, extra_sets=stored, register=register)
        result.problems[:0] = [*problems, *outside, *group_problems(result, keys)]
        outside = []  # said once, with the first group
        groups.append(Judged(tuple(members), result))

    followed = {
        name: tuple(chosen_sets(prof.village_sets if (prof := profiles.get(name)) else [], stored))
        for name in names
    }
    by_sets: dict[tuple[str, ...], list[str]] = {}
    for name in names:
        if followed[name]:
            by_sets.setdefault(tuple(s.id for s in followed[name]), []).append(name)
    village_groups = []
    for members in by_sets.values():
        result = assess_villages(_of(judged_values, members), list(followed[members[0]]), keys=keys)
        village_groups.append(Judged(tuple(members), result))
    return StoreAssessment(
        values=values,
        communes=tuple(groups),
        villages=tuple(village_groups),
        village_sets=followed,
        register=register,
        profiles=profiles,
    )


def years_existed(profile: CommuneProfile) -> tuple[int, int]:
    """The first and last year a commune existed, from its profile's `valid_from` and
    `valid_to` (open ends: any year): the one rule of `within_validity` and of the province
    page's `is_current`."""
    start, end = profile.valid_from, profile.valid_to
    return (start.year if start else dt.MINYEAR, end.year if end else dt.MAXYEAR)


def existed_in(profile: CommuneProfile, year: int) -> bool:
    first, last = years_existed(profile)
    return first <= int(year) <= last


def within_validity(
    values: pd.DataFrame, profiles: Mapping[str, CommuneProfile], successor: str = ""
) -> tuple[pd.DataFrame, list[Problem]]:
    """The values of each commune within the years it existed: a commune merged away counts up
    to the year of its `valid_to`, a commune formed by a merger from the year of its
    `valid_from` (issue 16: Dương Quang's last year is 2025, Phong Quang's first is 2025); and
    a warning `outside_validity` for each commune with values left out, naming the years."""
    keep = pd.Series(True, index=values.index)
    problems = []
    for name, prof in profiles.items():
        first, last = years_existed(prof)
        out = (values["commune"] == name) & ~values["period"].between(first, last)
        if out.any():
            years = ", ".join(str(int(y)) for y in sorted(values.loc[out, "period"].unique()))
            start, end = (
                fmt.date(d, DEFAULT_LANG) if d else "…" for d in (prof.valid_from, prof.valid_to)
            )
            params = {
                "commune": name,
                "years": years,
                "successor": successor,
                "valid_from": start,
                "valid_to": end,
            }
            problems.append(Problem(Code.OUTSIDE_VALIDITY, params=params))
        keep &= ~out
    return values[keep], problems


def _of(values: pd.DataFrame, communes: Sequence[str]) -> pd.DataFrame:
    return values[values["commune"].isin(communes)]


def commune_assessment(store: Store, commune: str) -> CommuneAssessment:
    """`commune` (and the communes merged into it) judged from the current revisions in
    `store`: what its screens, its exports and `ntm report --commune` show."""
    judged = assess_store(store, commune=commune)
    return judged.of(commune, provenance(store, judged.values, commune))


def provenance(store: Any, values: pd.DataFrame, commune: str | None = None) -> Provenance:
    """For the current `values` of a commune: the moment of the latest upload behind them, the
    files they came from (latest period first), how many uploads, and whether they are the
    bundled demo returns (`ntm.demo.is_demo`: the uploads' recorded provenance). `commune`:
    look among its uploads only (with those of the communes merged into it), not all."""
    ids = {int(i) for i in values["upload_id"].dropna().unique()}
    # By id first (the key; filtering a province's uploads by commune reads every file's row).
    uploads = store.uploads(ids=ids) if commune is None else store.uploads(commune=commune, ids=ids)
    behind = uploads[uploads["upload_id"].isin(ids)]
    as_of: dt.datetime | None = None
    if len(behind):
        latest = pd.to_datetime(behind["created_at"]).max()
        if not pd.isna(latest):
            as_of = latest.to_pydatetime()
    ordered = behind.sort_values(["period", "upload_id"], ascending=[False, True])
    sources = list(dict.fromkeys(str(f) for f in ordered["file"]))
    if not sources and "file" in values:
        sources = sorted({str(f) for f in values["file"].dropna()})
    from ntm.demo import is_demo  # (ntm.demo reaches the storage layer: imported when used)

    return Provenance(
        as_of=as_of, sources=tuple(sources), demo=is_demo(behind), uploads=len(behind)
    )


def _with_part_columns(result: Assessment) -> Assessment:
    """An assessment with nothing judged (e.g. 2026 under a set without its indicators yet) has
    a bare part frame: give it every column the views read, so they show "Chưa có ngưỡng"."""
    missing = [c for c in PART_COLUMNS if c not in result.parts.columns]
    if missing:
        result.parts = result.parts.reindex(columns=[*result.parts.columns, *missing])
    return result
