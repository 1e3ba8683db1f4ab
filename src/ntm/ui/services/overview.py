"""Tổng quan: the commune's year (`ntm.views.overview`) and the self-assessments its thresholds
contradict, cached per database, commune, year and language. Nothing is computed here."""

from __future__ import annotations

import streamlit as st

from ntm import views
from ntm.selfcheck import Disagreement
from ntm.ui.services.common import _commune, db_url
from ntm.views import Blocker, Overview, shown_kind

__all__ = [
    "Blocker",
    "Overview",
    "history",
    "overview",
    "predecessor_years",
    "self_check",
    "shown_kind",
]


@st.cache_data(show_spinner=False)
def _overview(url: str, commune: str, year: int, lang: str) -> Overview | None:
    return views.overview(_commune(url, commune), year, lang)


def overview(commune: str, year: int, lang: str) -> Overview | None:
    return _overview(db_url(), commune, year, lang)


@st.cache_data(show_spinner=False)
def _self_check(url: str, commune: str, year: int) -> list[Disagreement]:
    return views.self_check(_commune(url, commune), year)


def self_check(commune: str, year: int) -> list[Disagreement]:
    """The stored values of a commune's year whose self-assessment ("Tự đánh giá") the
    computed verdict contradicts (ntm.selfcheck)."""
    return _self_check(db_url(), commune, year)


@st.cache_data(show_spinner=False)
def _history(url: str, commune: str, lang: str) -> views.History | None:
    return views.history(_commune(url, commune), lang)


def history(commune: str, lang: str) -> views.History | None:
    """A merged commune's progress panels (`ntm.views.merger`); None: no predecessor."""
    return _history(db_url(), commune, lang)


@st.cache_data(show_spinner=False)
def _predecessor_years(url: str, commune: str, year: int, lang: str) -> list[views.PredecessorYear]:
    return views.predecessor_years(_commune(url, commune), year, lang)


def predecessor_years(commune: str, year: int, lang: str) -> list[views.PredecessorYear]:
    """Each predecessor's headline for `year` (empty: none existed that year)."""
    return _predecessor_years(db_url(), commune, year, lang)
