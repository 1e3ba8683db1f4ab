"""The province's charts (Tỉnh, issue 17): how many communes meet k criteria, and the communes
at standard over the years. The communes × criteria grid is `status_grid` with communes for
rows.

A criteria set is a series of its own, named by its decision and number of criteria
("318/QĐ-TTg · 19 tiêu chí"): communes judged on another set (2026-2030 after 2021-2025, or a
commune's own set) are never counted in one bar with the others, and on the trend a dashed line
marks where the set changes, labelled "không so sánh trực tiếp".
"""

from __future__ import annotations

from itertools import pairwise
from typing import Unpack

import pandas as pd
import plotly.graph_objects as go

from ntm.charts.style import COLOURS, INK, MUTED, Frame, bar_marker, framed, lang_of, sizes
from ntm.i18n import t

# One colour per criteria set after the first (the first is the "met" blue of every chart).
SET_COLOURS = [COLOURS["met"], "#56B4E9", "#009E73", "#CC79A7"]


def _marker(i: int) -> dict[str, object]:
    marker = bar_marker("met")
    marker["color"] = SET_COLOURS[i % len(SET_COLOURS)]
    if i:  # a second set is also told apart by its fill pattern (greyscale print)
        marker["pattern"] = {**marker["pattern"], "shape": "/"}
    return marker


def _dtick(top: int) -> int:
    """Whole communes on the count axis (never 0,2 xã), about six ticks."""
    return max(1, round(top / 6))


def distribution_chart(distribution: pd.DataFrame, **framing: Unpack[Frame]) -> go.Figure:
    """Communes by the number of criteria they meet, one series per criteria set.

    `distribution`: `ntm.views.ProvinceView.distribution` (criteria_set, set_label,
    criteria_total, criteria_met, communes)."""
    lang, large = lang_of(framing), framing.get("large", False)
    size = sizes(large)
    fig = go.Figure()
    for i, (_, rows) in enumerate(distribution.groupby("criteria_set", sort=False)):
        label = str(rows["set_label"].iloc[0])
        counts = [int(n) for n in rows["communes"]]
        fig.add_bar(
            x=[int(k) for k in rows["criteria_met"]],
            y=counts,
            name=label,
            marker=_marker(i),
            text=[str(n) if n else "" for n in counts],
            textposition="outside",
            textfont={"size": size["font"]},
            hovertemplate="%{x}: %{y}<extra>" + label + "</extra>",
        )
    top = int(distribution["communes"].max()) if len(distribution) else 1
    fig.update_layout(barmode="group", bargap=0.2, showlegend=True)
    fig.update_xaxes(title={"text": t("chart.axis.criteria_met", lang)}, dtick=1)
    fig.update_yaxes(
        title={"text": t("chart.axis.communes", lang)},
        range=[0, max(1, top) * 1.2],
        dtick=_dtick(top),
    )
    return framed(fig, framing)


def trend_chart(trend: pd.DataFrame, **framing: Unpack[Frame]) -> go.Figure:
    """Communes at standard per year, "at/n xã" on each bar, one series per criteria set and a
    dashed line where the set changes.

    `trend`: `ntm.views.ProvinceView.trend` (period, criteria_set, set_label, criteria_total,
    communes, at_standard)."""
    lang, large = lang_of(framing), framing.get("large", False)
    size = sizes(large)
    frame = trend.sort_values("period", kind="stable")
    years = [str(int(p)) for p in dict.fromkeys(frame["period"])]
    fig = go.Figure()
    for i, (_, rows) in enumerate(frame.groupby("criteria_set", sort=False)):
        label = str(rows["set_label"].iloc[0])
        x = [str(int(p)) for p in rows["period"]]
        # Behind each set's bar of communes at standard, its communes with data (light): the
        # same slot (offsetgroup), so "0/12 xã" still shows how many were judged.
        fig.add_bar(
            x=x,
            y=[int(n) for n in rows["communes"]],
            name=t("chart.province.judged", lang, set=label),
            offsetgroup=str(i),
            marker={"color": COLOURS["unknown"], "line": {"color": MUTED, "width": 0.8}},
            hoverinfo="skip",
        )
        fig.add_bar(
            x=x,
            y=[int(n) for n in rows["at_standard"]],
            name=label,
            offsetgroup=str(i),
            marker=_marker(i),
            text=[
                t("chart.province.at_standard_of", lang, at=int(a), n=int(n))
                for a, n in zip(rows["at_standard"], rows["communes"], strict=True)
            ],
            textposition="outside",
            textfont={"size": size["font"]},
            hovertemplate="%{x}: %{text}<extra>" + label + "</extra>",
        )
    # Where the set judging most communes changes from one year to the next: a dashed line.
    main = frame.sort_values("communes", ascending=False).drop_duplicates("period")
    by_year = dict(zip(main["period"].astype(int), main["criteria_set"].astype(str), strict=True))
    ordered = sorted(by_year)
    for before, after in pairwise(ordered):
        if by_year[before] != by_year[after]:
            at = years.index(str(after)) - 0.5
            fig.add_vline(x=at, line={"dash": "dash", "color": INK, "width": 1.5})
            fig.add_annotation(
                x=at,
                y=1.0,
                yref="paper",
                text=t("chart.province.set_break", lang),
                showarrow=False,
                xanchor="left",
                yanchor="bottom",
                font={"size": size["font"] - 2, "color": MUTED},
            )
    top = int(frame["communes"].max()) if len(frame) else 1
    fig.update_layout(barmode="group", bargap=0.3, showlegend=True)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=years, title=None)
    fig.update_yaxes(
        title={"text": t("chart.axis.communes", lang)},
        range=[0, max(1, top) * 1.25],
        dtick=_dtick(top),
    )
    return framed(fig, framing)
