"""The database, the caches and what every screen reads of a commune.

- The database is `ntm.storage.Store` on `NTM_DATABASE_URL` (default SQLite `data/ntm.db`),
  opened once per process and URL (`st.cache_resource`). The default database, when empty, is
  seeded from the bundled demo returns (`ntm.demo`; `make run` does it before serving, through
  `ntm demo`); otherwise the first page run does it, saying so (`load_demo_visibly`).
- Reads are cached with `st.cache_data`, keyed by the database URL; every write clears the
  caches (`clear_caches`), and a write made elsewhere (another app instance, `ntm import`)
  clears them at the next page run (`follow_other_writers`), so pages always read fresh data.
- A commune is assessed once for all its years (`ntm.views.commune_assessment`, the same call
  the exports and `ntm report` make): switching year or village only reads the cached result.
"""

from __future__ import annotations

import streamlit as st

from ntm import config, demo, views
from ntm import formatting as fmt
from ntm.attainment import Assessment
from ntm.charts import plain
from ntm.criteria import CriteriaSet, choose_set, shipped_sets
from ntm.errors import NoCriteriaSetError
from ntm.i18n import t
from ntm.storage import CommuneProfile, Store
from ntm.storage.engine import default_url
from ntm.views import PART_COLUMNS, CommuneAssessment, Provenance

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What `data_info` returns: where the numbers on screen come from (ntm.views.Provenance).
DataInfo = Provenance

__all__ = ["PART_COLUMNS", "XLSX_MIME", "DataInfo", "NoCriteriaSetError"]


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


def user_sets() -> list[CriteriaSet]:
    """The criteria sets users imported or edited (stored in the database)."""
    return _user_sets(db_url())


def criteria_sets() -> dict[str, CriteriaSet]:
    """Every set a commune may use: shipped ones and those imported into the database."""
    return {**shipped_sets(), **{s.id: s for s in user_sets()}}


def criteria_for(commune: str, year: int) -> CriteriaSet:
    """The set a commune's year is judged on: its own if its profile names a commune set, else
    the national set in force (the choice the reader and the assessment make,
    `ntm.criteria.choose_set`). Raises NoCriteriaSetError when none covers the year."""
    prof = profile(commune)
    return choose_set(year, known=criteria_sets(), own=prof.criteria_set if prof else None)


def commune_key(commune: str, crit: CriteriaSet) -> str | None:
    prof = profile(commune)
    if prof is None:
        return None
    return prof.region if crit.keyed_by == "region" else prof.group


def whole_commune(lang: str) -> str:
    return views.whole_commune(lang)


def no_set_message(exc: NoCriteriaSetError, lang: str) -> str:
    return t("ui.no_criteria_set", lang, year=exc.year)


# --- the commune assessed --------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _commune(url: str, commune: str) -> CommuneAssessment:
    return views.commune_assessment(store(), commune)


def commune_assessment(commune: str) -> CommuneAssessment:
    """The commune and its villages, every year with data, judged on its own criteria set
    (stored sets too: an edit or import on Cài đặt takes effect at the next read, the write
    clears the caches), with its province village sets, register and provenance."""
    return _commune(db_url(), commune)


def assessment(commune: str) -> Assessment:
    """The commune and its villages, every year with data (cached until the next write)."""
    return commune_assessment(commune).assessment


def village_assessment(commune: str) -> Assessment | None:
    """Each village judged on the province village set in force (ntm.village_sets); None when
    the commune follows none."""
    return commune_assessment(commune).villages


def village_sets_of(commune: str) -> list[CriteriaSet]:
    """The province village sets the commune follows (Cài đặt), as stored or shipped."""
    return list(commune_assessment(commune).village_sets)


def village_set_in_force(commune: str, year: int) -> CriteriaSet | None:
    return commune_assessment(commune).village_set(year)


@st.cache_data(show_spinner=False)
def _periods(url: str, commune: str) -> list[int]:
    return _commune(url, commune).periods()


def periods(commune: str) -> list[int]:
    return _periods(db_url(), commune)


@st.cache_data(show_spinner=False)
def _data_info(url: str, commune: str) -> Provenance:
    return _commune(url, commune).provenance


def data_info(commune: str) -> Provenance:
    """Where the numbers on screen come from: the latest upload behind them, demo or not."""
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
