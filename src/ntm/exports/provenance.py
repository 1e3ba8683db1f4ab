"""Exports from the database: a commune assessed the screens' way, and where its values came
from.

`report_from_store(store, commune, period)` assesses the commune with
`ntm.views.commune_assessment` (the call Tổng quan caches and `ntm report` makes: its own
criteria set, its province village sets, its village register) and builds its Report, so the
deck says what the screen says. `data_provenance(store, values)`: the date the data runs to
(the upload's day in Vietnam), the source files and whether they are the bundled demo
(`ntm.views.provenance`, the dashboard's badge rule).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ntm import views
from ntm.exports.build import commune_report
from ntm.exports.model import Report
from ntm.i18n import DEFAULT_LANG


def report_from_store(store: Any, commune: str, period: int, *, lang: str = DEFAULT_LANG) -> Report:
    """Assess `commune` from the current revisions in `store` (all periods, for the history)
    and build its Report for `period`. Raises NoDataError when it has no data that period."""
    return commune_report(views.commune_assessment(store, commune), int(period), lang=lang)


def data_provenance(store: Any, values: pd.DataFrame) -> tuple[dt.date | None, list[str], bool]:
    """For the current `values` of a commune: the date of the latest upload behind them (the
    "Số liệu đến ngày" of the dashboard, in Vietnam's time), the files they came from (latest
    period first), and whether they are the bundled demo returns."""
    found = views.provenance(store, values)
    return found.date, list(found.sources), found.demo
