"""Tỉnh: the province's communes (`ntm.views.province_view`) and its exports, cached.

The whole store is judged once (`ntm.views.province_source`: one `assess_store(store)` call
for every commune) and kept as a resource per database and data version: the frames of a
province (hundreds of thousands of parts) are shared, never copied on each read as
`st.cache_data` would. Each (province, year, language, filters) view and each export is
then a small cached result. A write clears the view caches (`clear_caches`); the next read
sees a new data version and judges the store again. Nothing is computed here.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ntm import formatting as fmt
from ntm import views
from ntm.charts import plain
from ntm.i18n import t
from ntm.ui.services.common import db_url, store
from ntm.views import NO_PROVINCE, Provenance, ProvinceSource, ProvinceView
from ntm.views.province_members import filter_options, province_of, years

__all__ = [
    "NO_PROVINCE",
    "ProvinceView",
    "province_chart_source",
    "province_export",
    "province_filters",
    "province_name",
    "province_view",
    "province_years",
    "provinces",
]


@st.cache_resource(show_spinner=False, max_entries=2)
def _source(url: str, version: int) -> ProvinceSource:
    return views.province_source(store())


def source() -> ProvinceSource:
    """Every commune judged once, for this database as it now is."""
    return _source(db_url(), store().data_version())


@st.cache_data(show_spinner=False)
def _provinces(url: str) -> list[str]:
    return views.provinces(source())


def provinces() -> list[str]:
    """The provinces recorded, then NO_PROVINCE ("Chưa ghi tỉnh") when some commune has none."""
    return _provinces(db_url())


def province_name(province: str, lang: str) -> str:
    return province or t("ui.province.unassigned", lang)


@st.cache_data(show_spinner=False)
def _years(url: str, province: str) -> list[int]:
    return years(source(), province)


def province_years(province: str) -> list[int]:
    return _years(db_url(), province)


@st.cache_data(show_spinner=False)
def _filters(url: str, province: str) -> tuple[list[str], list[str]]:
    return filter_options(source(), province)


def province_filters(province: str) -> tuple[list[str], list[str]]:
    """The commune groups and regions of the province's communes."""
    return _filters(db_url(), province)


@st.cache_data(show_spinner=False)
def _view(
    url: str, province: str, year: int, lang: str, group: str | None, region: str | None
) -> ProvinceView:
    return views.province_view(source(), province, year, lang, group=group, region=region)


def province_view(
    province: str, year: int, lang: str, group: str | None = None, region: str | None = None
) -> ProvinceView:
    return _view(db_url(), province, int(year), lang, group, region)


@st.cache_data(show_spinner=False)
def _provenance(url: str, province: str) -> Provenance:
    src = source()
    names = {n for n in src.assessment.names() if province_of(src.profile(n)) == province}
    values = src.assessment.values
    return views.provenance(store(), values[values["commune"].isin(names)])


def province_chart_source(province: str, lang: str) -> tuple[str, str, bool]:
    """(source, date, demo?) printed on the province's charts and exports."""
    info = _provenance(db_url(), province)
    name = plain(province_name(province, lang))
    text = (
        t("chart.source.demo", lang)
        if info.demo
        else t("chart.source.province", lang, province=name)
    )
    return text, fmt.date(info.as_of, lang), info.demo


@st.cache_data(show_spinner=False, max_entries=8)
def _export(
    url: str,
    province: str,
    year: int,
    lang: str,
    group: str | None,
    region: str | None,
    kind: str,
) -> bytes:
    from ntm.exports.province import ProvinceReport, province_pptx, province_xlsx

    pv = _view(url, province, year, lang, group, region)
    source_text, date, demo = province_chart_source(province, lang)
    report = ProvinceReport(
        view=pv,
        name=province_name(province, lang),
        source_text=source_text,
        as_of_text=date,
        demo=demo,
        generated=pd.Timestamp.now(tz="UTC").to_pydatetime(),
    )
    return province_pptx(report) if kind == "pptx" else province_xlsx(report)


def province_export(
    province: str,
    year: int,
    lang: str,
    group: str | None,
    region: str | None,
    kind: str,
) -> bytes:
    """The province's numbers as a deck (`kind="pptx"`) or tables ("xlsx")."""
    return _export(db_url(), province, int(year), lang, group, region, kind)
