"""Tiêu chí: one indicator across villages and years (`ntm.views.indicator`), cached. Nothing
is computed here."""

from __future__ import annotations

import streamlit as st

from ntm import views
from ntm.ui.services.common import _commune, db_url
from ntm.views import CriterionLink, IndicatorChoice, IndicatorView

__all__ = [
    "CriterionLink",
    "IndicatorChoice",
    "IndicatorView",
    "criterion_links",
    "indicator",
    "indicator_choices",
    "predecessor_indicators",
]


@st.cache_data(show_spinner=False)
def _indicator_choices(url: str, commune: str, year: int, lang: str) -> list[IndicatorChoice]:
    return views.lineage_indicator_choices(_commune(url, commune), year, lang)


def indicator_choices(commune: str, year: int, lang: str) -> list[IndicatorChoice]:
    """Every measured value of the set the year is judged on, in the set's order (a year
    before a merger: the set the predecessors were judged on)."""
    return _indicator_choices(db_url(), commune, year, lang)


@st.cache_data(show_spinner=False)
def _indicator(url: str, commune: str, code: str, year: int, lang: str) -> IndicatorView | None:
    return views.indicator(_commune(url, commune), code, year, lang)


def indicator(commune: str, code: str, year: int, lang: str) -> IndicatorView | None:
    return _indicator(db_url(), commune, code, year, lang)


@st.cache_data(show_spinner=False)
def _predecessor_indicators(
    url: str, commune: str, code: str, year: int, lang: str
) -> list[tuple[str, IndicatorView]]:
    return views.predecessor_indicators(_commune(url, commune), code, year, lang)


def predecessor_indicators(
    commune: str, code: str, year: int, lang: str
) -> list[tuple[str, IndicatorView]]:
    """The indicator in `year` of each predecessor of a merged commune, labelled."""
    return _predecessor_indicators(db_url(), commune, code, year, lang)


def criterion_links(set_id: str, number: str, lang: str) -> list[CriterionLink]:
    """Where the crosswalk follows a criterion into another set (`ntm.views.criterion_links`)."""
    return views.criterion_links(set_id, number, lang)
