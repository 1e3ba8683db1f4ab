"""Tổng quan: the commune's year (`ntm.views.overview`) and the self-assessments its thresholds
contradict, cached per database, commune, year and language. Nothing is computed here."""

from __future__ import annotations

import streamlit as st

from ntm import views
from ntm.selfcheck import Disagreement
from ntm.ui.services.common import _commune, db_url
from ntm.views import Blocker, Overview, shown_kind

__all__ = ["Blocker", "Overview", "overview", "self_check", "shown_kind"]


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
