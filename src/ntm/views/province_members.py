"""Which communes make up a province in a year (the membership rules of `ntm.views.province`,
whose docstring states them): the whole store judged once (`ProvinceSource`), each commune's
province and years of existence from its profile, and, in a merger year, the returns deciding
whether the new commune or its predecessors count."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from ntm.formatting import sort_key
from ntm.views.source import StoreAssessment, assess_store, existed_in

if TYPE_CHECKING:
    from ntm.storage import CommuneProfile, Store

NO_PROVINCE = ""  # the communes with no province recorded ("Chưa ghi tỉnh")


@dataclass(frozen=True)
class ProvinceSource:
    """What the province page reads: the whole store judged once, and the commune profiles."""

    assessment: StoreAssessment
    profiles: tuple[CommuneProfile, ...]

    @cached_property
    def _by_name(self) -> dict[str, CommuneProfile]:
        return {p.name: p for p in self.profiles}

    def profile(self, commune: str) -> CommuneProfile | None:
        return self._by_name.get(commune)


def province_source(store: Store) -> ProvinceSource:
    """Every commune of the store judged in one `assess_store(store)` call, with the profiles."""
    return ProvinceSource(assess_store(store), tuple(store.communes()))


def province_of(profile: CommuneProfile | None) -> str:
    return ((profile.province or "").strip() if profile is not None else "") or NO_PROVINCE


def is_current(profile: CommuneProfile | None, year: int) -> bool:
    """Whether the commune is a commune of its own in `year` (see the module docstring)."""
    if profile is None:
        return True
    if profile.merged_into:
        return profile.valid_to is not None and int(year) <= profile.valid_to.year
    return existed_in(profile, year)


def provinces(source: ProvinceSource) -> list[str]:
    """The provinces recorded (Vietnamese order), then NO_PROVINCE when some commune (with a
    profile or with data) has none."""
    names = {p.name for p in source.profiles if not p.merged_into}
    names.update(source.assessment.names())
    found = {province_of(source.profile(n)) for n in names}
    named = sorted((p for p in found if p != NO_PROVINCE), key=sort_key)
    return named + ([NO_PROVINCE] if NO_PROVINCE in found else [])


def _members(source: ProvinceSource, province: str) -> list[str]:
    """Every commune of `province`: by profile, and those with data but no profile."""
    names = {p.name for p in source.profiles} | set(source.assessment.names())
    return sorted((n for n in names if province_of(source.profile(n)) == province), key=sort_key)


def filter_options(source: ProvinceSource, province: str) -> tuple[list[str], list[str]]:
    """The commune groups and the regions the province's communes have (for the filters)."""
    profiles = [source.profile(n) for n in _members(source, province)]
    groups = sorted({p.group for p in profiles if p is not None and p.group}, key=sort_key)
    regions = sorted({p.region for p in profiles if p is not None and p.region}, key=sort_key)
    return groups, regions


def _kept(source: ProvinceSource, name: str, group: str | None, region: str | None) -> bool:
    prof = source.profile(name)
    if group and (prof is None or prof.group != group):
        return False
    return not (region and (prof is None or prof.region != region))


def years(source: ProvinceSource, province: str) -> list[int]:
    """The years some commune of the province has data for."""
    members = set(_members(source, province))
    found: set[int] = set()
    for units in _whole_units(source.assessment):
        found.update(int(p) for p in units.loc[units["commune"].isin(members), "period"])
    return sorted(found)


def _whole_units(sa: StoreAssessment) -> list[pd.DataFrame]:
    """Each judged group's rows of the communes as a whole."""
    return [j.assessment.units[j.assessment.units["village"].isna()] for j in sa.communes]


def counted_in(
    source: ProvinceSource, province: str, year: int, group: str | None, region: str | None
) -> tuple[list[str], list[tuple[str, str]]]:
    """The communes counted in `year` (after the filters), and the merged ones left out."""
    counted, merged = [], []
    reported = reported_in(source, year)
    for name in _members(source, province):
        if not _kept(source, name, group, region):
            continue
        prof = source.profile(name)
        merger_year = prof is not None and _merger_year(prof, year)
        if merger_year and prof is not None and (prof.merged_into in reported):
            merged.append((name, str(prof.merged_into)))  # the new commune reported that year
        elif merger_year and name not in reported:
            continue  # it ceased to exist that year and sent nothing: not a commune without data
        elif is_current(prof, year):
            counted.append(name)
        elif prof is not None and prof.merged_into:
            merged.append((name, prof.merged_into))
    # A commune formed this year that reported nothing: its predecessors' returns stand for it.
    stand_in = {p.merged_into for n in counted if (p := source.profile(n)) and p.merged_into}
    return [n for n in counted if n in reported or n not in stand_in], merged


def _merger_year(profile: CommuneProfile, year: int) -> bool:
    end = profile.valid_to
    return bool(profile.merged_into) and end is not None and end.year == year


def reported_in(source: ProvinceSource, year: int) -> set[str]:
    """The communes with a whole-commune result in `year`."""
    out: set[str] = set()
    for judged in source.assessment.communes:
        units = judged.assessment.units
        rows = units[units["village"].isna() & (units["period"] == year)]
        out.update(str(c) for c in rows["commune"])
    return out
