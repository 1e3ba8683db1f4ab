"""View models: what every front end shows of a commune, computed once (issue 15).

Core code (no streamlit): pure functions from a `CommuneAssessment` (an `Assessment` with the
commune's village judgement, register, values and provenance) to frozen dataclasses. Tổng
quan, Thôn and Tiêu chí (`ntm.ui.services` only caches these calls), the exports
(`ntm.exports.build_report`) and `ntm report --format table` all show these objects, so they
cannot disagree. Nothing here decides a status: statuses are `ntm.attainment`'s, named as
people read them by `ntm.statuses`.

    ca = views.commune_assessment(store, "Dương Quang")     # the one way to assess from the store
    top = views.headline(ca, 2025)                           # 11/19, +1 since 2024, villages …
    views.grid(ca, 2025, "vi"); views.blockers(ca, 2025, "vi"); views.unknown(ca, 2025, "vi")

Modules: `source` (assess from the store, provenance), `headline` (X/N, changes, progress),
`grid` (villages × criteria, criteria list), `blockers` (what blocks, what cannot be judged),
`changes` (since the previous year), `overview` (Tổng quan's bundle), `village` (Thôn),
`indicator` (Tiêu chí), `reading` (a return as read, self-assessment cross-check), `merger` (a
commune formed by a merger: its predecessors' labelled series beside its own, issue 16),
`province` (Tỉnh: the communes of a province for a year, from one whole-store assessment).
"""

from ntm.views.blockers import (
    BlockedCriterion,
    BlockedIndicator,
    UnknownCriterion,
    VillageBehind,
    as_number,
    blockers,
    shown_kind,
    unknown,
)
from ntm.views.changes import Changes, StatusChange, VillageChange, changes
from ntm.views.grid import CriterionRow, Grid, criteria, criteria_set_of, grid, whole_commune
from ntm.views.headline import Change, Headline, headline, progress, years
from ntm.views.indicator import IndicatorChoice, IndicatorView, indicator, indicator_choices
from ntm.views.merger import (
    CriterionLink,
    History,
    Panel,
    PredecessorYear,
    before_label,
    criterion_links,
    history,
    lineage,
    lineage_indicator_choices,
    predecessor_indicators,
    predecessor_years,
)
from ntm.views.notices import group_problems, notices
from ntm.views.overview import Blocker, Overview, overview, village_sentence
from ntm.views.province import CloseCommune, CommuneLine, ProvinceGrid, ProvinceView, province_view
from ntm.views.province_members import NO_PROVINCE, ProvinceSource, province_source, provinces
from ntm.views.reading import ReadingView, problems_table, reading, self_check, values_summary
from ntm.views.source import (
    PART_COLUMNS,
    CommuneAssessment,
    Judged,
    Predecessor,
    Provenance,
    StoreAssessment,
    assess_store,
    commune_assessment,
    commune_of,
    criteria_of,
    provenance,
    within_validity,
)
from ntm.views.village import (
    VillageSetView,
    VillageView,
    set_without_indicators,
    village,
    village_set_view,
    villages_of,
)

__all__ = [
    "NO_PROVINCE",
    "PART_COLUMNS",
    "BlockedCriterion",
    "BlockedIndicator",
    "Blocker",
    "Change",
    "Changes",
    "CloseCommune",
    "CommuneAssessment",
    "CommuneLine",
    "CriterionLink",
    "CriterionRow",
    "Grid",
    "Headline",
    "History",
    "IndicatorChoice",
    "IndicatorView",
    "Judged",
    "Overview",
    "Panel",
    "Predecessor",
    "PredecessorYear",
    "Provenance",
    "ProvinceGrid",
    "ProvinceSource",
    "ProvinceView",
    "ReadingView",
    "StatusChange",
    "StoreAssessment",
    "UnknownCriterion",
    "VillageBehind",
    "VillageChange",
    "VillageSetView",
    "VillageView",
    "as_number",
    "assess_store",
    "before_label",
    "blockers",
    "changes",
    "commune_assessment",
    "commune_of",
    "criteria",
    "criteria_of",
    "criteria_set_of",
    "criterion_links",
    "grid",
    "group_problems",
    "headline",
    "history",
    "indicator",
    "indicator_choices",
    "lineage",
    "lineage_indicator_choices",
    "notices",
    "overview",
    "predecessor_indicators",
    "predecessor_years",
    "problems_table",
    "progress",
    "provenance",
    "province_source",
    "province_view",
    "provinces",
    "reading",
    "self_check",
    "set_without_indicators",
    "shown_kind",
    "unknown",
    "values_summary",
    "village",
    "village_sentence",
    "village_set_view",
    "villages_of",
    "whole_commune",
    "within_validity",
    "years",
]
