"""The only bridge between the pages and the core (DESIGN §2): reads, writes, caching.

- The database is `ntm.storage.Store` on `NTM_DATABASE_URL` (default SQLite `data/ntm.db`),
  opened once per process and URL (`st.cache_resource`). The default database, when empty, is
  seeded from the bundled demo returns (`ntm.demo`; `make run` does it before serving, through
  `ntm demo`); otherwise the first page run does it, saying so (`load_demo_visibly`).
  `data_info().demo` is True while values from those uploads are current (`ntm.demo.is_demo`,
  the rule the exports use too), and the pages then show a "dữ liệu minh họa" badge.
- Reads are cached with `st.cache_data`, keyed by the database URL; every write here clears
  the caches (`clear_caches`), and a write made elsewhere (another app instance, `ntm import`)
  clears them at the next page run (`follow_other_writers`), so pages always read fresh data.
  A commune is assessed once for all its years: switching year or village only filters cached
  frames.
- Statuses, gaps and thresholds all come from `ntm.attainment.assess`; this module only
  selects, joins names and orders rows for the pages. It never decides a status.
- Writes take the logged-in `ntm.auth.User` (from `ntm.ui.auth_ui.current_user()`) and check
  it with `ntm.auth.require` before touching the database (PermissionDenied otherwise): the
  pages' own gates only draw the refusal. The audit log records that user's name.
- Uploads are read with the configured `ntm.config` limits (size, inflated size, members,
  sheets, rows, seconds); `too_many_files` refuses a batch before any file is read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from ntm import config, demo
from ntm import formatting as fmt
from ntm.attainment import MET, NO_THRESHOLD, UNMET, Assessment, assess
from ntm.auth import Action, User, require
from ntm.charts import crosswalk_columns, plain
from ntm.criteria import CriteriaSet, get_set, set_for_year, shipped_sets
from ntm.errors import NoCriteriaSetError, Problem
from ntm.formatting import sort_key
from ntm.i18n import t
from ntm.resolve import Choices
from ntm.selfcheck import Disagreement, disagreements
from ntm.statuses import criterion_statuses
from ntm.storage import REPLACE, CommuneProfile, ImportOutcome, RevisionRef, Store
from ntm.storage.engine import default_url
from ntm.text import strip_marks
from ntm.values import VALUE_COLUMNS, ReadResult
from ntm.village_sets import (
    assess_villages,
    chosen_sets,
    clashing_codes,
    overlaps,
    shown_codes,
    village_set_for,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the database ----------------------------------------------------------------------------


def db_url() -> str:
    """NTM_DATABASE_URL (environment or secrets file), else the SQLite file under data/."""
    return config.settings().database_url or default_url()


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url).migrate()


@st.cache_resource(show_spinner=False)
def _demo_loaded(url: str) -> int:
    """The demo loaded into the database at `url`, once per process (others wait for it)."""
    return len(demo.seed(_store(url)))


# The Store of each URL whose demo question is settled (loaded, or not wanted) in this process.
_settled: dict[str, Store] = {}


def store() -> Store:
    url = db_url()
    db = _store(url)
    if _settled.get(url) is not db:
        if demo.wanted(url):
            _demo_loaded(url)
        _settled[url] = db
    return db


def load_demo_visibly(lang: str) -> None:
    """At the top of a page: when the demo is about to be loaded into an empty database, the
    page says "Đang nạp dữ liệu minh họa…" while it loads (the first visit is never blank)."""
    url = db_url()
    db = _store(url)
    if _settled.get(url) is db:
        return
    if demo.wanted(url) and demo.needs_seed(db):
        notice = st.empty()
        notice.info(t("ui.demo_loading", lang), icon=":material/hourglass_top:")
        _demo_loaded(url)
        notice.empty()
    store()


def clear_caches() -> None:
    """After every write: the next read sees the database as it now is."""
    st.cache_data.clear()
    _seen_version[db_url()] = store().data_version()


# The database version (Store.data_version) the cached reads of this process were made at.
_seen_version: dict[str, int] = {}


def follow_other_writers() -> None:
    """Called at the start of every page: drop the cached reads when the database has changed
    since they were made by a write elsewhere (another app instance on the shared PostgreSQL
    server, or `ntm import` while the app runs). One indexed query per page run."""
    url = db_url()
    version = store().data_version()
    if _seen_version.get(url, version) != version:
        st.cache_data.clear()
    _seen_version[url] = version


# --- communes and their criteria -------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _communes(url: str) -> list[CommuneProfile]:
    return store().communes()


def communes() -> list[CommuneProfile]:
    return _communes(db_url())


def commune_names() -> list[str]:
    return [p.name for p in communes() if not p.merged_into]


def profile(commune: str) -> CommuneProfile | None:
    return next((p for p in communes() if p.name == commune), None)


@st.cache_data(show_spinner=False)
def _user_sets(url: str) -> list[CriteriaSet]:
    return store().criteria_sets()


def criteria_sets() -> dict[str, CriteriaSet]:
    """Every set a commune may use: shipped ones and those imported into the database."""
    return {**shipped_sets(), **{s.id: s for s in _user_sets(db_url())}}


def criteria_for(commune: str, year: int) -> CriteriaSet:
    """The set a commune's year is judged on: its own if its profile names one, else the
    national set in force. Raises NoCriteriaSetError when none covers the year."""
    prof = profile(commune)
    sets = criteria_sets()
    if prof is not None and prof.criteria_set and prof.criteria_set in sets:
        return sets[prof.criteria_set]
    # The same choice as the assessment: a stored set replaces the shipped file of its id.
    return set_for_year(year, "commune", list(criteria_sets().values()))


def commune_key(commune: str, crit: CriteriaSet) -> str | None:
    prof = profile(commune)
    if prof is None:
        return None
    return prof.region if crit.keyed_by == "region" else prof.group


# --- assessment ------------------------------------------------------------------------------


# The columns of `Assessment.parts` (ntm.attainment).
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


@st.cache_data(show_spinner=False)
def _assessment(url: str, commune: str) -> Assessment:
    db = store()
    values = db.current_values(commune=commune)[VALUE_COLUMNS]
    prof = next((p for p in db.communes() if p.name == commune), None)
    user_sets = db.criteria_sets()
    forced: CriteriaSet | None = None
    if prof is not None and prof.criteria_set:
        try:
            forced = get_set(prof.criteria_set, {s.id: s for s in user_sets})
        except KeyError:
            forced = None
    # Village aggregates count the commune's registered villages (issue 13).
    register = db.village_register(values["period"].unique().tolist())
    result = assess(
        values, keys=db.keys(), criteria=forced, extra_sets=user_sets, register=register
    )
    if result.parts.empty:
        # Nothing judged (e.g. 2026 under a set without its indicators yet): the engine's part
        # frame is bare; give it every column the screens read, so they show "Chưa có ngưỡng".
        result.parts = result.parts.reindex(columns=PART_COLUMNS)
    return result


@st.cache_data(show_spinner=False)
def _self_check(url: str, commune: str, year: int) -> list[Disagreement]:
    values = store().current_values(commune=commune, period=year)[VALUE_COLUMNS]
    return disagreements(assessment(commune), values)


def self_check(commune: str, year: int) -> list[Disagreement]:
    """The stored values of a commune's year whose self-assessment ("Tự đánh giá") the
    computed verdict contradicts (ntm.selfcheck)."""
    return _self_check(db_url(), commune, year)


def village_sets_of(commune: str) -> list[CriteriaSet]:
    """The province village sets the commune follows (Cài đặt), as stored or shipped."""
    prof = profile(commune)
    return chosen_sets(prof.village_sets if prof else [], _user_sets(db_url()))


@st.cache_data(show_spinner=False)
def _village_assessment(url: str, commune: str) -> Assessment | None:
    chosen = village_sets_of(commune)
    if not chosen:
        return None
    db = store()
    values = db.current_values(commune=commune)[VALUE_COLUMNS]
    result = assess_villages(values, chosen, keys=db.keys())
    result.parts = result.parts.reindex(columns=PART_COLUMNS)
    return result


def village_assessment(commune: str) -> Assessment | None:
    """Each village judged on the province village set in force (ntm.village_sets); None when
    the commune follows none."""
    return _village_assessment(db_url(), commune)


def village_set_in_force(commune: str, year: int) -> CriteriaSet | None:
    return village_set_for(year, village_sets_of(commune))


def assessment(commune: str) -> Assessment:
    """The commune and its villages, every year with data (cached until the next write).

    Judged on the stored criteria sets too (`extra_sets`): an edit or import on Cài đặt takes
    effect at the next read (the write clears the caches)."""
    return _assessment(db_url(), commune)


def _progress(units: pd.DataFrame, crits: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """A unit's rows per year for the progress chart: the unknown criteria split into those
    lacking a value (criteria_unknown) and those lacking only a threshold."""
    frame = units[
        [
            "period",
            "criteria_set",
            "criteria_met",
            "criteria_unmet",
            "criteria_unknown",
            "criteria_total",
        ]
    ].reset_index(drop=True)
    flagged = crits.loc[labels.loc[crits.index] == NO_THRESHOLD, "period"].astype("int64")
    counts = flagged.value_counts()
    no_threshold = [int(counts.get(int(p), 0)) for p in frame["period"]]
    return frame.assign(
        criteria_unknown=frame["criteria_unknown"].astype("int64")
        - pd.Series(no_threshold, dtype="int64"),
        criteria_no_threshold=pd.Series(no_threshold, dtype="int64"),
    )


def periods(commune: str) -> list[int]:
    units = assessment(commune).units
    return sorted(int(p) for p in units["period"].unique())


@dataclass
class DataInfo:
    """Where the numbers on screen come from: date of the latest upload behind them, demo?"""

    as_of: dt.datetime | None
    demo: bool
    uploads: int


@st.cache_data(show_spinner=False)
def _data_info(url: str, commune: str) -> DataInfo:
    db = store()
    current = db.current_values(commune=commune)
    ids = {int(i) for i in current["upload_id"].dropna().unique()}
    ups = db.uploads(commune=commune)
    behind = ups[ups["upload_id"].isin(ids)]
    as_of = behind["created_at"].max() if not behind.empty else None
    return DataInfo(
        as_of=None if as_of is None or pd.isna(as_of) else as_of.to_pydatetime(),
        demo=demo.is_demo(behind),
        uploads=len(behind),
    )


def data_info(commune: str) -> DataInfo:
    return _data_info(db_url(), commune)


def chart_source(commune: str, lang: str) -> tuple[str, str]:
    """(source, date) printed on every chart of a commune (the commune's name made inert for
    plotly's label markup with `ntm.charts.plain`)."""
    info = data_info(commune)
    source = (
        t("chart.source.demo", lang)
        if info.demo
        else t("chart.source.returns", lang, commune=plain(commune))
    )
    return source, fmt.date(info.as_of, lang)


# --- Tổng quan -------------------------------------------------------------------------------


@dataclass
class Blocker:
    """One unmet criterion: its unmet indicators with gaps, and the villages holding it back."""

    criterion: str
    name: str
    rows: pd.DataFrame  # indicator, name, value, threshold, gap, villages, verified


@dataclass
class Overview:
    commune: str
    year: int
    criteria_set: str
    criteria_met: int
    criteria_total: int
    villages_at_standard: int
    villages_total: int
    previous_year: int | None
    change: int | None
    village_change: int | None
    progress: pd.DataFrame
    grid: pd.DataFrame  # row, column, status
    grid_rows: list[str]
    grid_columns: list[str]
    column_names: dict[str, str]
    blockers: list[Blocker]
    unknown: pd.DataFrame  # criterion, name, reason
    indicators_unmet: int
    thresholds_used: int
    thresholds_unverified: int
    problems: list[Problem] = field(default_factory=list)
    # The province village set "Thôn đạt chuẩn" is counted on, when the commune follows one for
    # the year (ntm.village_sets); otherwise the national village-level indicators.
    village_set: CriteriaSet | None = None
    # The villages of the commune's register valid in the year (village aggregates count them);
    # None: no register, the aggregates are over the villages that reported (issue 13).
    registered: list[str] | None = None


def _names(crit: CriteriaSet, lang: str) -> tuple[dict[str, str], dict[str, Any]]:
    criteria = {c.number: c.name.get(lang) for c in crit.criteria}
    parts = {code: (ind, part) for code, (ind, part) in crit.measured_codes().items()}
    return criteria, parts


def whole_commune(lang: str) -> str:
    return t("ui.whole_commune", lang)


@st.cache_data(show_spinner=False)
def _overview(url: str, commune: str, year: int, lang: str) -> Overview | None:
    a = assessment(commune)
    units = a.units
    com_units = units[units["village"].isna()].sort_values("period")
    this = com_units[com_units["period"] == year]
    if this.empty:
        return None
    row = this.iloc[0]
    crit = a.sets[str(row["criteria_set"])]
    crit_names, parts = _names(crit, lang)
    villages = units[(units["period"] == year) & units["village"].notna()]
    earlier = com_units[com_units["period"] < year]
    prev = earlier.iloc[-1] if not earlier.empty else None
    prev_villages = (
        units[(units["period"] == prev["period"]) & units["village"].notna()]
        if prev is not None
        else None
    )

    # villages × criteria grid: the commune as a whole first, then its villages.
    crits = a.criteria[a.criteria["period"] == year]
    labels = criterion_statuses(a)
    whole = whole_commune(lang)
    grid = pd.DataFrame(
        {
            "row": [whole if v is None else v for v in crits["village"]],
            "column": crits["criterion"].astype(str),
            "status": labels.loc[crits.index],
        }
    )
    village_names = sorted({str(v) for v in villages["village"]}, key=sort_key)

    # What blocks the rest: unmet commune criteria → their unmet parts → villages behind them.
    parts_year = a.parts[(a.parts["period"] == year) & a.parts["village"].isna()]
    blockers_year = a.blockers[a.blockers["period"] == year]
    village_parts = a.parts[(a.parts["period"] == year) & a.parts["village"].notna()]
    village_dirs = dict(
        zip(village_parts["code"].astype(str), village_parts["direction"], strict=True)
    )
    blockers: list[Blocker] = []
    com_crits = crits[crits["village"].isna()]
    for number in com_crits.loc[com_crits["status"] == UNMET, "criterion"]:
        unmet = parts_year[(parts_year["criterion"] == number) & (parts_year["status"] == UNMET)]
        rows = []
        for p in unmet.itertuples(index=False):
            _, part = parts[str(p.code)]
            held = blockers_year[blockers_year["code"] == p.code]
            directions = village_dirs.get(str(p.code), part.direction)
            behind = [
                _village_gap(b, shown_kind(directions, part.kind), part.unit, lang)
                for b in held.itertuples(index=False)
            ]
            rows.append(
                {
                    "code": str(p.code),
                    "name": part.name.get(lang),
                    "value": fmt.value(p.value, part.kind, part.unit, lang),
                    "threshold": fmt.threshold(
                        p.threshold, part.direction, part.kind, part.unit, lang
                    ),
                    "gap": fmt.gap(p.gap, part.kind, part.unit, lang),
                    "villages": "; ".join(behind) if behind else "—",
                    "verified": bool(p.verified),
                }
            )
        blockers.append(Blocker(str(number), crit_names.get(str(number), ""), pd.DataFrame(rows)))

    unknown_rows = []
    for number in com_crits.loc[com_crits["status"] == "unknown", "criterion"]:
        these = parts_year[parts_year["criterion"] == number]
        missing = these[these["status"] == "missing"]["code"].astype(str).tolist()
        no_thr = these[these["status"] == "no_threshold"]["code"].astype(str).tolist()
        reasons = []
        if missing:
            reasons.append(t("ui.overview.reason_missing", lang, codes=", ".join(missing)))
            reasons += _unreported_reasons(a, year, missing, lang)
        if no_thr:
            reasons.append(t("ui.overview.reason_no_threshold", lang, codes=", ".join(no_thr)))
        if not reasons:
            reasons.append(t("ui.overview.reason_not_loaded", lang))
        unknown_rows.append(
            {
                "criterion": str(number),
                "name": crit_names.get(str(number), ""),
                "reason": "; ".join(reasons),
            }
        )

    judged = parts_year[parts_year["status"].isin([MET, UNMET])]
    at_standard, villages_total, village_change, village_set = _villages_at_standard(
        commune, year, villages, int(prev["period"]) if prev is not None else None, prev_villages
    )
    registered = store().village_register([year]).get((commune, year))
    if registered is not None:  # a registered village that sent nothing is not at standard
        villages_total = max(villages_total, len(registered))
    return Overview(
        commune=commune,
        year=year,
        criteria_set=crit.title.get(lang),
        criteria_met=int(row["criteria_met"]),
        criteria_total=int(row["criteria_total"]),
        villages_at_standard=at_standard,
        villages_total=villages_total,
        previous_year=int(prev["period"]) if prev is not None else None,
        change=int(row["criteria_met"] - prev["criteria_met"]) if prev is not None else None,
        village_change=village_change,
        progress=crosswalk_columns(
            _progress(com_units, a.criteria[a.criteria["village"].isna()], labels),
            a.criteria[a.criteria["village"].isna()],
            a.sets,
            lang,
        ),
        grid=grid,
        grid_rows=[whole, *village_names],
        grid_columns=[c.number for c in crit.criteria],
        column_names=crit_names,
        blockers=blockers,
        unknown=pd.DataFrame(unknown_rows, columns=["criterion", "name", "reason"]),
        indicators_unmet=int((parts_year["status"] == UNMET).sum()),
        thresholds_used=len(judged),
        thresholds_unverified=int((~judged["verified"].astype(bool)).sum()),
        problems=list(a.problems),
        village_set=village_set,
        registered=registered,
    )


def _unreported_reasons(a: Assessment, year: int, codes: list[str], lang: str) -> list[str]:
    """For missing commune values aggregated over the register: the villages that lack them."""
    gaps = a.unreported[(a.unreported["period"] == year) & a.unreported["code"].isin(codes)]
    return [
        t("ui.overview.reason_unreported", lang, code=code, villages=", ".join(group["village"]))
        for code, group in gaps.groupby("code", sort=True)
    ]


def _villages_at_standard(
    commune: str,
    year: int,
    villages: pd.DataFrame,
    prev_year: int | None,
    prev_villages: pd.DataFrame | None,
) -> tuple[int, int, int | None, CriteriaSet | None]:
    """Villages at standard this year and how many were judged, the change since the previous
    year, and the province village set they are counted on (None: the national village-level
    indicators). A change is given only when both years are counted the same way."""

    def counted(units: pd.DataFrame, period: int) -> tuple[int, int, str | None]:
        vset = village_set_in_force(commune, period)
        judged = village_assessment(commune)
        if vset is None or judged is None:
            return int(units["at_standard"].sum()), len(units), None
        mine = judged.units[judged.units["period"] == period]
        return int(mine["at_standard"].astype(bool).sum()), len(mine), vset.id

    now, total, basis = counted(villages, year)
    change = None
    if prev_year is not None and prev_villages is not None:
        before, _, prev_basis = counted(prev_villages, prev_year)
        change = now - before if prev_basis == basis else None
    return now, total, change, village_set_in_force(commune, year) if basis else None


def shown_kind(direction: str, kind: str) -> str:
    """How to write a value: a "==" rule on a share is a yes/no answer (a village's answer to a
    "share of villages" indicator, as judged by ntm.attainment), so it reads Có/Không."""
    return "boolean" if direction == "==" else kind


def _village_gap(b: Any, kind: str, unit: str, lang: str) -> str:
    if b.status == "missing":
        return t("ui.overview.village_missing", lang, village=b.village)
    if kind == "boolean" or fmt.is_missing(b.gap):
        return f"{b.village} ({fmt.value(b.value, kind, unit, lang)})"
    return t(
        "ui.overview.village_gap",
        lang,
        village=b.village,
        value=fmt.value(b.value, kind, unit, lang),
        gap=fmt.gap(b.gap, kind, unit, lang),
    )


def overview(commune: str, year: int, lang: str) -> Overview | None:
    return _overview(db_url(), commune, year, lang)


# --- Thôn and Tiêu chí -----------------------------------------------------------------------


def villages_of(commune: str, year: int | None = None) -> list[str]:
    """Villages judged (on the commune set's village indicators or on the province village
    set), by name."""
    judged = village_assessment(commune)
    frames = [assessment(commune).units, *([judged.units] if judged is not None else [])]
    names: set[str] = set()
    for units in frames:
        if year is not None:
            units = units[units["period"] == year]
        names.update(str(v) for v in units["village"].dropna())
    return sorted(names, key=sort_key)


def _indicator_table(parts_rows: pd.DataFrame, crit: CriteriaSet, lang: str) -> pd.DataFrame:
    """One row per measured value: code, name, value, threshold, status, gap, verified."""
    _, parts = _names(crit, lang)
    rows = []
    for p in parts_rows.sort_values(["order", "code"]).itertuples(index=False):
        _, part = parts[str(p.code)]
        kind = shown_kind(str(p.direction), part.kind)
        rows.append(
            {
                "criterion": str(p.criterion),
                "code": str(p.code),
                "name": part.name.get(lang),
                "value": fmt.value(p.value, kind, part.unit, lang),
                "threshold": fmt.threshold(p.threshold, str(p.direction), kind, part.unit, lang)
                if p.status not in ("info", "not_applicable")
                else "—",
                "status": fmt.status_label(str(p.status), lang),
                "gap": fmt.gap(p.gap, kind, part.unit, lang) if p.status == UNMET else "—",
                "verified": bool(p.verified) or p.status in ("info", "not_applicable"),
                "raw_status": str(p.status),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "criterion",
            "code",
            "name",
            "value",
            "threshold",
            "status",
            "gap",
            "verified",
            "raw_status",
        ],
    )


@dataclass
class VillageView:
    village: str
    year: int
    criteria_met: int
    criteria_total: int
    at_standard: bool
    table: pd.DataFrame
    history: pd.DataFrame


@st.cache_data(show_spinner=False)
def _village(url: str, commune: str, village: str, year: int, lang: str) -> VillageView | None:
    a = assessment(commune)
    units = a.units[a.units["village"] == village].sort_values("period")
    this = units[units["period"] == year]
    if this.empty:
        return None
    row = this.iloc[0]
    crit = a.sets[str(row["criteria_set"])]
    parts = a.parts[(a.parts["village"] == village) & (a.parts["period"] == year)]
    return VillageView(
        village=village,
        year=year,
        criteria_met=int(row["criteria_met"]),
        criteria_total=int(row["criteria_total"]),
        at_standard=bool(row["at_standard"]),
        table=_indicator_table(parts, crit, lang),
        history=crosswalk_columns(
            _progress(units, a.criteria[a.criteria["village"] == village], criterion_statuses(a)),
            a.criteria[a.criteria["village"] == village],
            a.sets,
            lang,
        ),
    )


def village(commune: str, village_name: str, year: int, lang: str) -> VillageView | None:
    return _village(db_url(), commune, village_name, year, lang)


@dataclass
class VillageSetView:
    """One village judged on the province village set in force (ntm.village_sets)."""

    criteria_set: CriteriaSet
    criteria_met: int
    criteria_total: int
    at_standard: bool
    criteria: pd.DataFrame  # criterion, name, status (as criterion_statuses names it)
    table: pd.DataFrame  # as VillageView.table; empty when the set has no indicators yet


@st.cache_data(show_spinner=False)
def _village_set_view(
    url: str, commune: str, village: str, year: int, lang: str
) -> VillageSetView | None:
    judged = village_assessment(commune)
    crit = village_set_in_force(commune, year)
    if judged is None or crit is None:
        return None
    units = judged.units
    this = units[(units["village"] == village) & (units["period"] == year)]
    if this.empty:
        return None
    row = this.iloc[0]
    names = {c.number: c.name.get(lang) for c in crit.criteria}
    mine = (judged.criteria["village"] == village) & (judged.criteria["period"] == year)
    crits = judged.criteria[mine]
    labels = criterion_statuses(judged).loc[crits.index]
    parts = judged.parts[(judged.parts["village"] == village) & (judged.parts["period"] == year)]
    return VillageSetView(
        criteria_set=crit,
        criteria_met=int(row["criteria_met"]),
        criteria_total=int(row["criteria_total"]),
        at_standard=bool(row["at_standard"]),
        criteria=pd.DataFrame(
            {
                "criterion": crits["criterion"].astype(str).to_numpy(),
                "name": [names.get(str(n), "") for n in crits["criterion"]],
                "status": labels.to_numpy(),
            }
        ),
        table=_indicator_table(parts, crit, lang),
    )


def village_set_view(
    commune: str, village_name: str, year: int, lang: str
) -> VillageSetView | None:
    """The village on its province's village set, or None when the commune follows none for
    the year."""
    return _village_set_view(db_url(), commune, village_name, year, lang)


@dataclass
class IndicatorChoice:
    code: str
    label: str
    criterion: str
    criterion_name: str
    kind: str
    unit: str
    direction: str
    village_scope: bool


def indicator_choices(commune: str, year: int, lang: str) -> list[IndicatorChoice]:
    """Every measured value of the set the year is judged on, in the set's order."""
    a = assessment(commune)
    units = a.units[(a.units["period"] == year) & a.units["village"].isna()]
    if units.empty:
        return []
    crit = a.sets[str(units.iloc[0]["criteria_set"])]
    out = []
    for criterion, ind in crit.indicators():
        for part in ind.measured:
            out.append(
                IndicatorChoice(
                    code=part.code,
                    label=f"{part.code} — {part.name.get(lang)}",
                    criterion=criterion.number,
                    criterion_name=criterion.name.get(lang),
                    kind=part.kind,
                    unit=part.unit,
                    direction=part.direction,
                    village_scope=ind.scope == "village",
                )
            )
    return out


@dataclass
class IndicatorView:
    code: str
    name: str
    criterion: str
    criterion_name: str
    kind: str
    unit: str
    direction: str
    threshold: float | None
    verified: bool
    village_kind: str  # how the by-village values read ("boolean" for villages' yes/no answers)
    by_village: pd.DataFrame  # label, value, status (this year; commune first)
    by_year: pd.DataFrame  # period, label, value, flag
    thresholds: pd.DataFrame  # period, threshold
    table: pd.DataFrame  # label, value, threshold, status, verified, gap


@st.cache_data(show_spinner=False)
def _indicator(url: str, commune: str, code: str, year: int, lang: str) -> IndicatorView | None:
    a = assessment(commune)
    rows = a.parts[a.parts["code"] == code]
    this = rows[rows["period"] == year]
    if this.empty:
        return None
    crit = a.sets[str(this.iloc[0]["criteria_set"])]
    criteria_names, parts = _names(crit, lang)
    _, part = parts[code]
    whole = whole_commune(lang)

    def label(v: Any) -> str:
        return whole if v is None else str(v)

    ordered = this.assign(label=[label(v) for v in this["village"]])
    ordered = ordered.assign(
        _k=[(0, ("", "")) if v is None else (1, sort_key(str(v))) for v in ordered["village"]]
    ).sort_values("_k")
    commune_row = this[this["village"].isna()]
    threshold = commune_row["threshold"].iloc[0] if not commune_row.empty else None
    villages_threshold = this[this["village"].notna()]["threshold"].dropna()
    if (threshold is None or pd.isna(threshold)) and not villages_threshold.empty:
        threshold = villages_threshold.iloc[0]
    by_year = rows.assign(label=[label(v) for v in rows["village"]])
    last = by_year[by_year["period"] == year]
    flagged = set(last.loc[last["status"] != MET, "label"]) - {whole}
    kinds = [shown_kind(str(d), part.kind) for d in ordered["direction"]]
    # A "share of villages" indicator: each village answers yes/no, the commune has a share.
    # Its villages are drawn as yes/no on their own; the years show the commune's share.
    answers = part.kind != "boolean" and any(k == "boolean" for k in kinds)
    by_village = ordered[["label", "value", "status"]]
    if answers:
        by_village = by_village[ordered["village"].notna().to_numpy()]
        by_year = by_year[by_year["village"].isna()]
    table = pd.DataFrame(
        {
            "label": ordered["label"],
            "value": [
                fmt.value(v, k, part.unit, lang)
                for v, k in zip(ordered["value"], kinds, strict=True)
            ],
            "threshold": [
                fmt.threshold(v, str(d), k, part.unit, lang)
                for v, d, k in zip(ordered["threshold"], ordered["direction"], kinds, strict=True)
            ],
            "status": [str(s) for s in ordered["status"]],
            "verified": [bool(v) for v in ordered["verified"]],
            "gap": [
                fmt.gap(g, k, part.unit, lang) if s == UNMET else "—"
                for g, s, k in zip(ordered["gap"], ordered["status"], kinds, strict=True)
            ],
        }
    )
    return IndicatorView(
        code=code,
        name=part.name.get(lang),
        criterion=str(this.iloc[0]["criterion"]),
        criterion_name=criteria_names.get(str(this.iloc[0]["criterion"]), ""),
        kind=part.kind,
        unit=part.unit,
        direction=str(this.iloc[0]["direction"]),
        threshold=None if threshold is None or pd.isna(threshold) else float(threshold),
        verified=bool(commune_row["verified"].all()) if not commune_row.empty else False,
        village_kind="boolean" if answers else part.kind,
        by_village=by_village.reset_index(drop=True),
        by_year=by_year.assign(flag=by_year["label"].isin(flagged))[
            ["period", "label", "value", "flag"]
        ].reset_index(drop=True),
        thresholds=rows[rows["village"].isna()][["period", "threshold"]].reset_index(drop=True),
        table=table.reset_index(drop=True),
    )


def indicator(commune: str, code: str, year: int, lang: str) -> IndicatorView | None:
    return _indicator(db_url(), commune, code, year, lang)


# --- Nhập liệu -------------------------------------------------------------------------------


def upload_settings() -> config.Settings:
    """The configured upload limits (and the rest of the settings)."""
    return config.settings()


def too_many_files(count: int) -> bool:
    """A batch over the files-per-batch limit is refused before any file is read."""
    return count > upload_settings().max_files_per_batch


@st.cache_data(show_spinner=False, max_entries=64)
def _read_upload(
    name: str, data: bytes, limits: tuple[Any, ...], context_key: tuple[Any, ...]
) -> ReadResult:
    from ntm.returns import Limits, read_return

    context = store().reading_context()
    return read_return(data, name, limits=Limits(*limits), **context.kwargs())


def read_upload(name: str, data: bytes) -> ReadResult:
    """Read one uploaded return with the configured limits (nothing is stored), as the
    database says returns are read (`Store.reading_context`: imported sets, each commune's own
    set, the village sets communes follow). Cached by name, bytes, limits and that context."""
    limits = upload_settings().limits()
    key = store().reading_context().key
    return _read_upload(name, data, dataclasses.astuple(limits), key)


def problems_frame(problems: Sequence[Problem], lang: str) -> pd.DataFrame:
    """Every problem as a row: file, sheet, cell, level, message (for st.dataframe)."""
    return pd.DataFrame(
        [
            {
                "file": p.file,
                "sheet": p.sheet,
                "cell": p.cell,
                "level": t(f"ui.level.{p.level.value}", lang),
                "message": p.message(lang),
                "code": p.code.value,
            }
            for p in problems
        ],
        columns=["file", "sheet", "cell", "level", "message", "code"],
    )


def values_summary(result: ReadResult, lang: str) -> pd.DataFrame:
    """What a return carries: one row per unit (commune/village, year) with its value count."""
    values = result.values
    if values.empty:
        return pd.DataFrame(columns=["commune", "unit", "period", "values"])
    whole = whole_commune(lang)
    grouped = (
        values.assign(unit=[whole if v is None or pd.isna(v) else v for v in values["village"]])
        .groupby(["commune", "unit", "period"], sort=False)["value"]
        .count()
        .reset_index(name="values")
    )
    return grouped


def save_upload(
    name: str,
    data: bytes,
    result: ReadResult | None,
    user: User | None,
    *,
    choices: Choices | None = None,
    mode: str = REPLACE,
) -> ImportOutcome:
    """Store one return as read for the preview, as `user` (staff or admin); clears caches.

    PermissionDenied unless `user` may confirm uploads (and, to add a village to the register
    through `choices`, edit communes). A file with errors is not stored at all
    (`keep_refused=False`): the page only sends files whose preview had none, and the store's
    own checks refuse the rest without a trace. `choices`: what the held names are
    (ntm.register); `mode`: replace or update (ntm.storage.units).
    """
    who = require(user, Action.CONFIRM_UPLOAD)
    assert who is not None
    if choices is not None and choices.new_villages:
        require(user, Action.EDIT_COMMUNE)
    if result is None:
        result = read_upload(name, data)
    outcome = store().import_bytes(
        data,
        name,
        user=who.name,
        read_result=result,
        keep_refused=False,
        choices=choices,
        mode=mode,
    )
    clear_caches()
    return outcome


@st.cache_data(show_spinner=False)
def _template(url: str, commune: str, year: int) -> bytes:
    crit = criteria_for(commune, year)
    prof = profile(commune)
    names = villages_of(commune) or (prof.villages if prof else [])
    if prof is not None and prof.villages:
        names = sorted(set(prof.villages), key=sort_key)
    from ntm.template import build_template

    wb = build_template(
        commune,
        year,
        names,
        crit,
        key=commune_key(commune, crit),
        village_set=village_set_in_force(commune, year),
        commune_code=prof.code if prof is not None else None,
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_bytes(commune: str, year: int) -> bytes:
    """The pre-filled return for a commune and year. Raises NoCriteriaSetError."""
    return _template(db_url(), commune, year)


def template_name(commune: str, year: int) -> str:
    base = strip_marks(commune)
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in base).lower().split())
    return f"bao-cao-ntm-{slug or 'xa'}-{year}.xlsx"


# --- Dữ liệu ---------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _uploads(url: str, commune: str | None) -> pd.DataFrame:
    return store().uploads(commune=commune)


def uploads(commune: str | None) -> pd.DataFrame:
    return _uploads(db_url(), commune)


@st.cache_data(show_spinner=False)
def _revisions(url: str, commune: str | None) -> pd.DataFrame:
    return store().revisions(commune=commune)


def revisions(commune: str | None) -> pd.DataFrame:
    return _revisions(db_url(), commune)


def original(upload_id: int, user: User | None) -> tuple[str, bytes]:
    """An upload's file as received (it may hold household data): for a logged-in reader, or
    anyone when NTM_OPEN_RECORDS is set; PermissionDenied otherwise."""
    require(user, Action.VIEW_RECORDS)
    return store().original(int(upload_id))


def upload_problems(upload_id: int) -> list[Problem]:
    return store().upload_problems(int(upload_id))


def restore(revision_id: int, user: User | None) -> RevisionRef:
    """Copy an earlier revision into a new current one (admin); PermissionDenied otherwise."""
    who = require(user, Action.RESTORE_REVISION)
    assert who is not None
    ref = store().restore(int(revision_id), user=who.name)
    clear_caches()
    return ref


def delete_revision(revision_id: int, user: User | None, reason: str = "") -> bool:
    """Mark a revision deleted (admin); PermissionDenied otherwise."""
    who = require(user, Action.DELETE_REVISION)
    assert who is not None
    done = store().delete_revision(int(revision_id), user=who.name, reason=reason)
    clear_caches()
    return done


# --- Cài đặt ---------------------------------------------------------------------------------


def village_set_clashes(profile_: CommuneProfile) -> list[dict[str, str]]:
    """Each chosen village set sharing codes with a commune set it would be read beside (the
    commune's own set, or every national set of the years it covers): a return could not say
    which set such a value belongs to, so the choice is refused (ntm.village_sets)."""
    sets = criteria_sets()
    found = []
    for village_id in profile_.village_sets:
        vset = sets.get(village_id)
        if vset is None:
            continue
        if profile_.criteria_set and profile_.criteria_set in sets:
            beside = [sets[profile_.criteria_set]]
        else:
            beside = [s for s in sets.values() if s.level == "commune" and overlaps(s, vset)]
        for commune_set in beside:
            codes = clashing_codes(commune_set, vset)
            if codes:
                found.append(
                    {
                        "village_set": vset.id,
                        "commune_set": commune_set.id,
                        "codes": shown_codes(codes),
                    }
                )
    return found


def save_profile(profile_: CommuneProfile, user: User | None) -> None:
    """Create or change a commune profile (admin); PermissionDenied otherwise.

    The region or group and the set in force decide every threshold, so this is an admin
    write like a criteria edit; the audit log names the user.
    """
    who = require(user, Action.EDIT_COMMUNE)
    assert who is not None
    store().save_commune(profile_, user=who.name)
    clear_caches()


def safe_db_url(user: User | None) -> str:
    """The database URL with any password hidden (shown on Cài đặt to a logged-in reader, or
    anyone when NTM_OPEN_RECORDS is set; PermissionDenied otherwise)."""
    from sqlalchemy.engine import make_url

    require(user, Action.VIEW_RECORDS)
    return make_url(db_url()).render_as_string(hide_password=True)


def no_set_message(exc: NoCriteriaSetError, lang: str) -> str:
    return t("ui.no_criteria_set", lang, year=exc.year)
