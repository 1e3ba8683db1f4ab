"""A commune formed by a merger (issue 16): its predecessors' history beside its own.

Since 1 July 2025 communes have merged (Dương Quang and Đôn Phong became xã Phong Quang). A
successor's screens, exports and `ntm report` show each predecessor's results before the merger
as its own labelled series ("Dương Quang (trước sáp nhập)"), judged on the predecessor's own
profile and the set in force for those years (`ntm.views.source.Predecessor`), and the
successor's from its first year. Nothing is summed: three communes' "12/19, 9/19" are never a
"21/38" or a "Phong Quang 2024" that never existed.

- `history(ca, lang)`: the panels of the progress chart, one per (unit, criteria set), in time
  order, with the notes that say what changed: the merger, and the criteria set ("Bộ tiêu chí
  thay đổi: 19 → 10 tiêu chí từ 2026"), so no axis is drawn over two sets. None when the
  commune has no predecessor.
- `predecessor_years(ca, year)`: each predecessor's headline for a year (Tổng quan, the deck).
- `lineage_indicator_choices` / `predecessor_indicators`: Tiêu chí for a year before the merger.
- `criterion_links(set_id, number, lang)`: where the crosswalk (criteria/crosswalks/*.yaml)
  says an old criterion continues, or where a new one comes from, marked unverified where the
  pair is ("chưa xác minh"). A reading aid only: nothing is judged through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd
from babel.lists import format_list

from ntm import formatting as fmt
from ntm.criteria import CriteriaSet, shipped_sets
from ntm.crosswalk import Crosswalk, crosswalks
from ntm.i18n import DEFAULT_LANG, t
from ntm.views.headline import Headline, headline, progress
from ntm.views.indicator import IndicatorChoice, IndicatorView, indicator
from ntm.views.indicator import indicator_choices as own_choices
from ntm.views.source import CommuneAssessment, Predecessor


def before_label(name: str, lang: str = DEFAULT_LANG) -> str:
    """ "Dương Quang (trước sáp nhập)" / "Dương Quang (before the merger)"."""
    return t("merger.before", lang, commune=name)


def lineage(ca: CommuneAssessment) -> list[Predecessor]:
    """Every predecessor, earlier mergers first (a predecessor's own predecessors before it)."""
    out: list[Predecessor] = []
    for pred in ca.predecessors:
        out.extend(lineage(pred.assessment))
        out.append(pred)
    return out


@dataclass(frozen=True)
class Panel:
    """One unit's years on one criteria set: a panel of the progress chart."""

    label: str  # "Dương Quang (trước sáp nhập)", or the commune's own name
    commune: str
    successor: str | None  # the commune it merged into (None: the commune itself)
    criteria_set: str
    set_label: str  # "318/QĐ-TTg · 19 tiêu chí"
    criteria_count: int  # criteria in the set (19, 10)
    progress: pd.DataFrame  # `views.progress` rows of these years

    @property
    def years(self) -> list[int]:
        return [int(p) for p in self.progress["period"]]


@dataclass(frozen=True)
class History:
    """A merged commune's progress: its predecessors' panels, then its own, and the notes."""

    commune: str
    merged_on: dt.date | None
    predecessors: tuple[str, ...]
    panels: tuple[Panel, ...]
    notes: tuple[str, ...]  # the merger; each change of criteria set between panels
    empty: tuple[str, ...]  # labels of the units with no data (said, not drawn)


def _panels(
    ca: CommuneAssessment,
    label: str,
    successor: str | None,
    until: int | None,
    lang: str,
) -> list[Panel]:
    frame = progress(ca, until=until, lang=lang)
    out = []
    for set_id in dict.fromkeys(str(s) for s in frame["criteria_set"]):
        crit: CriteriaSet = ca.assessment.sets[set_id]
        n = len(crit.criteria)
        rows = frame[frame["criteria_set"] == set_id].reset_index(drop=True)
        out.append(
            Panel(
                label=label,
                commune=ca.commune,
                successor=successor,
                criteria_set=set_id,
                set_label=t(
                    "chart.crosswalk.set_label", lang, decision=crit.legal_basis.decision, n=n
                ),
                criteria_count=n,
                progress=rows,
            )
        )
    return out


def history(
    ca: CommuneAssessment, lang: str = DEFAULT_LANG, *, until: int | None = None
) -> History | None:
    """The merged commune's progress as separate panels (see the module docstring); None when
    `ca` has no predecessor."""
    if not ca.predecessors:
        return None
    preds = lineage(ca)
    panels: list[Panel] = []
    empty: list[str] = []
    for pred in preds:
        label = before_label(pred.name, lang)
        found = _panels(pred.assessment, label, pred.successor, until, lang)
        panels.extend(found)
        if not found:
            empty.append(label)
    own = _panels(ca, ca.commune, None, until, lang)
    panels.extend(own)
    if not own:
        empty.append(ca.commune)
    merged_on = ca.predecessors[0].merged_on
    names = [p.name for p in ca.predecessors]
    notes = [
        t(
            "merger.note",
            lang,
            commune=ca.commune,
            date=fmt.date(merged_on, lang) if merged_on else "?",
            predecessors=format_list(names, locale=lang),
        )
    ]
    # The set of each first year, in time order: one note per change (19 → 10 from 2026).
    firsts = sorted({(p.years[0], p.criteria_set, p.criteria_count) for p in panels if p.years})
    runs: list[tuple[int, str, int]] = []
    for first in firsts:
        if not runs or runs[-1][1] != first[1]:
            runs.append(first)
    for (_, _, before), (year, _, after) in pairwise(runs):
        notes.append(t("merger.set_change", lang, before=before, after=after, year=year))
    return History(
        commune=ca.commune,
        merged_on=merged_on,
        predecessors=tuple(names),
        panels=tuple(panels),
        notes=tuple(notes),
        empty=tuple(empty),
    )


@dataclass(frozen=True)
class PredecessorYear:
    """A predecessor's headline for a year (None: it has no data that year)."""

    name: str
    label: str
    successor: str
    headline: Headline | None


def predecessor_years(
    ca: CommuneAssessment, year: int, lang: str = DEFAULT_LANG
) -> list[PredecessorYear]:
    """Each predecessor's headline for `year` (empty: no predecessor existed that year)."""
    out = []
    for pred in lineage(ca):
        if pred.last_year is not None and int(year) > pred.last_year:
            continue
        top = headline(pred.assessment, year)
        out.append(PredecessorYear(pred.name, before_label(pred.name, lang), pred.successor, top))
    return out


def lineage_indicator_choices(
    ca: CommuneAssessment, year: int, lang: str = DEFAULT_LANG
) -> list[IndicatorChoice]:
    """Tiêu chí's choices for `year`: the commune's set, else (a year before the merger) the
    set its first predecessor with data was judged on."""
    found = own_choices(ca, year, lang)
    if found:
        return found
    for pred in lineage(ca):
        found = own_choices(pred.assessment, year, lang)
        if found:
            return found
    return []


def predecessor_indicators(
    ca: CommuneAssessment, code: str, year: int, lang: str = DEFAULT_LANG
) -> list[tuple[str, IndicatorView]]:
    """The indicator `code` in `year` of each predecessor with data, labelled as such."""
    out = []
    for pred in lineage(ca):
        view = indicator(pred.assessment, code, year, lang)
        if view is not None:
            out.append((before_label(pred.name, lang), view))
    return out


@dataclass(frozen=True)
class CriterionLink:
    """One crosswalk pair read from one side: the other set's criterion, and its standing."""

    direction: str  # "to": the old criterion continues as this; "from": the new one comes from
    set_id: str  # the other set
    set_title: str
    number: str
    name: str
    verified: bool
    note: str


def criterion_links(
    set_id: str,
    number: str,
    lang: str = DEFAULT_LANG,
    sets: dict[str, CriteriaSet] | None = None,
    walks: Sequence[Crosswalk] | None = None,
) -> list[CriterionLink]:
    """Where criterion `number` of `set_id` continues (a newer set), or comes from (an older
    one), by the crosswalks (`walks`, default the shipped ones); each pair carries its
    `verified` flag as written there; an old criterion the crosswalk leaves unmapped lists its
    candidates ("maybe", never verified)."""
    sets = sets if sets is not None else shipped_sets()

    def link(direction: str, other: str, num: str, verified: bool, note: str) -> CriterionLink:
        crit = sets.get(other)
        names = {c.number: c.name.get(lang) for c in crit.criteria} if crit else {}
        return CriterionLink(
            direction=direction,
            set_id=other,
            set_title=crit.title.get(lang) if crit else other,
            number=num,
            name=names.get(num, ""),
            verified=verified,
            note=note,
        )

    out: list[CriterionLink] = []
    for walk in walks if walks is not None else crosswalks():
        for pair in walk.criteria_pairs:
            if walk.from_set == set_id and pair.source == number:
                out.append(link("to", walk.to_set, pair.target, pair.verified, pair.note))
            if walk.to_set == set_id and pair.target == number:
                out.append(link("from", walk.from_set, pair.source, pair.verified, pair.note))
        for gap in walk.unmapped:
            if walk.from_set == set_id and gap.source == number:
                out.extend(link("maybe", walk.to_set, c, False, gap.note) for c in gap.candidates)
    return out
