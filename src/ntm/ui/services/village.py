"""Thôn: one village of the commune (`ntm.views.village`), cached. Nothing is computed here."""

from __future__ import annotations

import streamlit as st

from ntm import views
from ntm.criteria import CriteriaSet
from ntm.ui.services.common import _commune, db_url
from ntm.views import VillageSetView, VillageView

__all__ = [
    "VillageSetView",
    "VillageView",
    "set_without_indicators",
    "village",
    "village_set_view",
    "villages_of",
]


@st.cache_data(show_spinner=False)
def _villages_of(url: str, commune: str, year: int | None) -> list[str]:
    return views.villages_of(_commune(url, commune), year)


def villages_of(commune: str, year: int | None = None) -> list[str]:
    """Villages judged (on the commune set's village indicators or on the province village
    set), by name."""
    return _villages_of(db_url(), commune, year)


def set_without_indicators(commune: str, year: int) -> CriteriaSet | None:
    """The set `year` is judged on, when it has no indicator yet (nothing to judge)."""
    return views.set_without_indicators(_commune(db_url(), commune), year)


@st.cache_data(show_spinner=False)
def _village(url: str, commune: str, village: str, year: int, lang: str) -> VillageView | None:
    return views.village(_commune(url, commune), village, year, lang)


def village(commune: str, village_name: str, year: int, lang: str) -> VillageView | None:
    return _village(db_url(), commune, village_name, year, lang)


@st.cache_data(show_spinner=False)
def _village_set_view(
    url: str, commune: str, village: str, year: int, lang: str
) -> VillageSetView | None:
    return views.village_set_view(_commune(url, commune), village, year, lang)


def village_set_view(
    commune: str, village_name: str, year: int, lang: str
) -> VillageSetView | None:
    """The village on its province's village set, or None when the commune follows none for
    the year."""
    return _village_set_view(db_url(), commune, village_name, year, lang)
