"""Tiêu chí: one indicator across villages and years (`ntm.views.indicator`), cached. Nothing
is computed here."""

from __future__ import annotations

import streamlit as st

from ntm import views
from ntm.ui.services.common import _commune, db_url
from ntm.views import IndicatorChoice, IndicatorView

__all__ = ["IndicatorChoice", "IndicatorView", "indicator", "indicator_choices"]


@st.cache_data(show_spinner=False)
def _indicator_choices(url: str, commune: str, year: int, lang: str) -> list[IndicatorChoice]:
    return views.indicator_choices(_commune(url, commune), year, lang)


def indicator_choices(commune: str, year: int, lang: str) -> list[IndicatorChoice]:
    """Every measured value of the set the year is judged on, in the set's order."""
    return _indicator_choices(db_url(), commune, year, lang)


@st.cache_data(show_spinner=False)
def _indicator(url: str, commune: str, code: str, year: int, lang: str) -> IndicatorView | None:
    return views.indicator(_commune(url, commune), code, year, lang)


def indicator(commune: str, code: str, year: int, lang: str) -> IndicatorView | None:
    return _indicator(db_url(), commune, code, year, lang)
