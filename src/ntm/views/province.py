"""Tỉnh: the communes of a province for a year, read from one whole-store assessment (issue 17).

    source = views.province_source(store)                  # one assess_store(store) call
    pv = views.province_view(source, "Thái Nguyên", 2025, "vi", group=None, region=None)
    pv.at_standard, pv.total, pv.share                     # communes at standard, of how many
    pv.distribution, pv.grids, pv.close, pv.trend

Which communes belong to a province in a year, from the commune profiles (Cài đặt, migration
0007) and nothing else:

- the communes whose profile names the province; NO_PROVINCE ("") is every commune with no
  province recorded, or no profile at all (they are reachable, never dropped: the page lists
  them under "Chưa ghi tỉnh");
- a commune merged into another (`merged_into`) is a commune of the years up to its merger
  (`valid_to`), as in the merged commune's history (`views.merger`: Dương Quang's 2025 return
  is its own); after that year its data is never counted beside the receiving commune (without
  a `valid_to` it is never counted). In the merger year itself the returns decide: when the
  receiving commune reported that year, it counts and its predecessors' rows of that year are
  not counted apart; when it did not, its predecessors count (each under its own name) and the
  new commune is not listed as a commune without data. Rows not counted are listed in
  `merged`, never silently dropped;
- a commune of the province with no data that year counts in the total, not at standard (as a
  registered village that sent nothing does on Tổng quan, issue 13), and is listed in `no_data`.

Every status is the engine's (`ntm.attainment`, through `ntm.views.assess_store`), named as
people read them (`ntm.statuses`); what blocks a commune close to standard is `views.blockers`
and `views.unknown` on that commune's rows. Nothing here judges a value. "Close to standard":
one or two criteria not met (unmet or not yet judgeable), the brief's "at most 2 criteria short".

A year judged on another criteria set (another number of criteria) is its own series: the
distribution and the grid are per set, the trend has one row per (year, set) with the set's
label ("318/QĐ-TTg · 19 tiêu chí"), and its chart draws each set apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ntm.attainment import Assessment
from ntm.criteria import CriteriaSet
from ntm.formatting import sort_key
from ntm.i18n import DEFAULT_LANG, t
from ntm.statuses import criterion_statuses
from ntm.views.blockers import BlockedCriterion, UnknownCriterion, blockers, unknown
from ntm.views.grid import criterion_names
from ntm.views.province_members import (
    ProvinceSource,
    counted_in,
    province_source,
    reported_in,
    years,
)
from ntm.views.source import StoreAssessment, commune_of

if TYPE_CHECKING:
    from ntm.storage import Store

CLOSE_SHORT = 2  # "gần đạt chuẩn": at most this many criteria short (issue 17)
DISTRIBUTION_COLUMNS = ["criteria_set", "set_label", "criteria_total", "criteria_met", "communes"]
TREND_COLUMNS = ["period", "criteria_set", "set_label", "criteria_total", "communes", "at_standard"]


@dataclass(frozen=True)
class CommuneLine:
    """One commune of the province in the year, as the engine judged it (commune as a whole)."""

    commune: str
    criteria_set: str
    met: int
    total: int
    unmet: int
    unknown: int
    at_standard: bool
    group: str | None = None
    region: str | None = None
    successor: str | None = None  # a predecessor counted in its merger year (module docstring)

    @property
    def short(self) -> int:
        """Criteria not met (unmet, or not judgeable yet)."""
        return self.total - self.met

    @property
    def standing(self) -> str:
        """ "at_standard", "close" (1-2 criteria short) or "behind" (ui.province.status.*)."""
        if self.at_standard:
            return "at_standard"
        return "close" if self.short <= CLOSE_SHORT else "behind"


@dataclass(frozen=True)
class CloseCommune:
    """A commune one or two criteria short, and what holds it back."""

    commune: str
    met: int
    total: int
    blockers: tuple[BlockedCriterion, ...]  # unmet criteria: indicators, gaps, villages
    unknown: tuple[UnknownCriterion, ...]  # criteria that cannot be judged yet, and why

    @property
    def short(self) -> int:
        return self.total - self.met


@dataclass(frozen=True)
class ProvinceGrid:
    """Communes × criteria of one criteria set (the communes judged on it that year)."""

    criteria_set: str
    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    column_names: dict[str, str]
    cells: pd.DataFrame  # row, column, status (as ntm.statuses names it)


@dataclass(frozen=True)
class ProvinceView:
    province: str  # NO_PROVINCE: the communes with no province recorded
    year: int
    lang: str
    group: str | None
    region: str | None
    communes: tuple[CommuneLine, ...]  # judged this year, Vietnamese order
    no_data: tuple[str, ...]  # communes of the province without data this year
    # (commune, merged into): data of the year not counted as a commune of its own
    merged: tuple[tuple[str, str], ...]
    distribution: pd.DataFrame  # DISTRIBUTION_COLUMNS: communes meeting k criteria, per set
    grids: tuple[ProvinceGrid, ...]
    close: tuple[CloseCommune, ...]
    trend: pd.DataFrame  # TREND_COLUMNS: every year of the province (same filters)
    sets: dict[str, str] = field(default_factory=dict)  # id → label, the sets of this year

    @property
    def at_standard(self) -> int:
        return sum(1 for c in self.communes if c.at_standard)

    @property
    def before_merger(self) -> tuple[tuple[str, str], ...]:
        """(commune, merged into): predecessors counted under their own names this year."""
        return tuple((c.commune, c.successor) for c in self.communes if c.successor)

    @property
    def total(self) -> int:
        """The communes of the province this year: judged, and without data."""
        return len(self.communes) + len(self.no_data)

    @property
    def share(self) -> float | None:
        """Communes at standard as a share (0-1) of `total`; None when there is none."""
        return self.at_standard / self.total if self.total else None

    def line(self, commune: str) -> CommuneLine | None:
        return next((c for c in self.communes if c.commune == commune), None)


# --- which communes ------------------------------------------------------------------------


# --- reading the assessment ----------------------------------------------------------------


def _sets(sa: StoreAssessment) -> dict[str, CriteriaSet]:
    return {k: v for j in sa.communes for k, v in j.assessment.sets.items()}


def set_label(crit: CriteriaSet | None, set_id: str, total: int, lang: str) -> str:
    """ "318/QĐ-TTg · 19 tiêu chí": the set's decision and its number of criteria."""
    decision = crit.legal_basis.decision if crit is not None else set_id
    return t("chart.crosswalk.set_label", lang, decision=decision, n=int(total))


def _subset(
    a: Assessment, communes: Sequence[str], year: int, *, whole_only: bool = False
) -> Assessment:
    """`a`'s rows of `communes` in `year` (nothing recomputed: the same rows, fewer of them);
    `whole_only`: of the communes as a whole only (no village rows)."""
    chosen = set(communes)

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return frame
        keep = frame["commune"].isin(chosen) & (frame["period"] == year)
        if whole_only and "village" in frame:
            keep &= frame["village"].isna()
        return frame[keep]

    return Assessment(
        parts=rows(a.parts),
        indicators=rows(a.indicators),
        criteria=rows(a.criteria),
        units=rows(a.units),
        blockers=rows(a.blockers),
        sets=a.sets,
        problems=[],
        unreported=rows(a.unreported),
    )


def _lines(
    source: ProvinceSource, counted: Sequence[str], year: int
) -> list[tuple[CommuneLine, Assessment]]:
    out = []
    chosen = set(counted)
    for judged in source.assessment.communes:
        units = judged.assessment.units
        rows = units[
            units["village"].isna() & (units["period"] == year) & units["commune"].isin(chosen)
        ]
        for row in rows.itertuples(index=False):
            prof = source.profile(str(row.commune))
            line = CommuneLine(
                commune=str(row.commune),
                criteria_set=str(row.criteria_set),
                met=int(row.criteria_met),
                total=int(row.criteria_total),
                unmet=int(row.criteria_unmet),
                unknown=int(row.criteria_unknown),
                at_standard=bool(row.at_standard),
                group=prof.group if prof else None,
                region=prof.region if prof else None,
                successor=prof.merged_into if prof else None,
            )
            out.append((line, judged.assessment))
    return sorted(out, key=lambda pair: sort_key(pair[0].commune))


def _distribution(lines: Sequence[CommuneLine], labels: dict[str, str]) -> pd.DataFrame:
    """Per set: how many communes meet k criteria, for every k from 0 to the set's count."""
    rows = []
    for set_id in labels:
        mine = [c for c in lines if c.criteria_set == set_id]
        total = max(c.total for c in mine)
        for k in range(total + 1):
            n = sum(1 for c in mine if c.met == k)
            rows.append((set_id, labels[set_id], total, k, n))
    return pd.DataFrame(rows, columns=DISTRIBUTION_COLUMNS)


def _grids(
    pairs: Sequence[tuple[CommuneLine, Assessment]],
    year: int,
    sets: dict[str, CriteriaSet],
    lang: str,
) -> list[ProvinceGrid]:
    out = []
    for set_id in dict.fromkeys(c.criteria_set for c, _ in pairs):
        names = [c.commune for c, _ in pairs if c.criteria_set == set_id]
        frames = []
        for a in {id(a): a for c, a in pairs if c.criteria_set == set_id}.values():
            part = _subset(a, names, year, whole_only=True)
            crits = part.criteria
            whole = crits["village"].isna()
            labels = criterion_statuses(part)[whole]
            frames.append(
                pd.DataFrame(
                    {
                        "row": crits.loc[whole, "commune"].astype(str).to_numpy(),
                        "column": crits.loc[whole, "criterion"].astype(str).to_numpy(),
                        "status": labels.astype(str).to_numpy(),
                    }
                )
            )
        crit = sets.get(set_id)
        columns = [c.number for c in crit.criteria] if crit is not None else []
        cells = pd.concat(frames, ignore_index=True)
        if not columns:
            columns = list(dict.fromkeys(cells["column"]))
        out.append(
            ProvinceGrid(
                criteria_set=set_id,
                title=crit.title.get(lang) if crit is not None else set_id,
                rows=tuple(names),
                columns=tuple(columns),
                column_names=criterion_names(crit, lang) if crit is not None else {},
                cells=cells,
            )
        )
    return out


def _split(a: Assessment, communes: Sequence[str], year: int) -> dict[str, Assessment]:
    """`a`'s rows of each of `communes` in `year`, one Assessment per commune, each frame
    split once (a commune's views then read its own rows only, not the whole province's)."""
    part = _subset(a, communes, year)
    frames = ("parts", "indicators", "criteria", "units", "blockers", "unreported")
    groups: dict[str, dict[str, pd.DataFrame]] = {}
    for name in frames:
        frame: pd.DataFrame = getattr(part, name)
        if frame.empty:
            continue
        for commune, rows in frame.groupby("commune", sort=False, observed=True):
            groups.setdefault(str(commune), {})[name] = rows
    out = {}
    for commune in communes:
        mine = groups.get(commune, {})
        empty = {n: getattr(part, n).iloc[0:0] for n in frames if n not in mine}
        out[commune] = Assessment(**{**empty, **mine}, sets=a.sets, problems=[])
    return out


def _close(
    pairs: Sequence[tuple[CommuneLine, Assessment]], year: int, lang: str
) -> list[CloseCommune]:
    """The communes 1-2 criteria short, each with its blockers (views.blockers/unknown on the
    commune's rows of the year)."""
    chosen = [(c, a) for c, a in pairs if 0 < c.short <= CLOSE_SHORT]
    out = []
    for a in {id(a): a for _, a in chosen}.values():
        lines = [c for c, b in chosen if b is a]
        split = _split(a, [c.commune for c in lines], year)
        for line in lines:
            ca = commune_of(split[line.commune], line.commune)
            out.append(
                CloseCommune(
                    commune=line.commune,
                    met=line.met,
                    total=line.total,
                    blockers=tuple(blockers(ca, year, lang)),
                    unknown=tuple(unknown(ca, year, lang)),
                )
            )
    return sorted(out, key=lambda c: (c.short, sort_key(c.commune)))


def _trend(
    source: ProvinceSource,
    province: str,
    group: str | None,
    region: str | None,
    sets: dict[str, CriteriaSet],
    lang: str,
) -> pd.DataFrame:
    """Communes at standard per year, one row per (year, criteria set)."""
    rows = []
    for year in years(source, province):
        counted, _ = counted_in(source, province, year, group, region)
        lines = [c for c, _ in _lines(source, counted, year)]
        by_set: dict[str, list[CommuneLine]] = {}
        for c in lines:
            by_set.setdefault(c.criteria_set, []).append(c)
        for set_id, mine in by_set.items():
            total = max(c.total for c in mine)
            label = set_label(sets.get(set_id), set_id, total, lang)
            at = sum(1 for c in mine if c.at_standard)
            rows.append((year, set_id, label, total, len(mine), at))
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def province_view(
    source: ProvinceSource | Store,
    province: str,
    year: int,
    lang: str = DEFAULT_LANG,
    group: str | None = None,
    region: str | None = None,
) -> ProvinceView:
    """The province's communes in `year` (see the module docstring), optionally only those of
    a commune group (2026-2030) or a region (2021-2025) as their profiles record it."""
    if not isinstance(source, ProvinceSource):
        source = province_source(source)
    year = int(year)
    sets = _sets(source.assessment)
    counted, merged = counted_in(source, province, year, group, region)
    pairs = _lines(source, counted, year)
    lines = [c for c, _ in pairs]
    judged = {c.commune for c in lines}
    with_data = reported_in(source, year)
    labels = {
        set_id: set_label(
            sets.get(set_id), set_id, max(c.total for c in lines if c.criteria_set == set_id), lang
        )
        for set_id in dict.fromkeys(c.criteria_set for c in lines)
    }
    return ProvinceView(
        province=province,
        year=year,
        lang=lang,
        group=group,
        region=region,
        communes=tuple(lines),
        no_data=tuple(n for n in counted if n not in judged),
        merged=tuple((m, into) for m, into in merged if m in with_data),
        distribution=_distribution(lines, labels),
        grids=tuple(_grids(pairs, year, sets, lang)),
        close=tuple(_close(pairs, year, lang)),
        trend=_trend(source, province, group, region, sets, lang),
        sets=labels,
    )
