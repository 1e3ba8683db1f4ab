"""Criteria met per year, stacked to the total with "X/N" on top: a commune's progress, and a
village's (the same picture). Across a change of criteria set the break is drawn by
`ntm.charts.crosswalk`."""

from __future__ import annotations

from typing import Any, Unpack

import pandas as pd
import plotly.graph_objects as go

from ntm.charts.crosswalk import draw_set_breaks
from ntm.charts.style import Frame, bar_marker, framed, lang_of, sizes, status_name
from ntm.i18n import t

NO_THRESHOLD = "no_threshold"
NO_THRESHOLD_COLUMN = "criteria_no_threshold"


def progress_chart(units: pd.DataFrame, **framing: Unpack[Frame]) -> go.Figure:
    """Criteria met / not met / unknown per year, stacked to the total, with "X/N" on top.

    `units`: one row per period with criteria_met, criteria_unmet, criteria_unknown,
    criteria_total (a commune's or a village's rows of `Assessment.units`).

    Optional columns (the crosswalk-aware option; absent, the chart is as before):
    - `criteria_no_threshold`: criteria unknown only because the set gives no threshold,
      drawn apart from `criteria_unknown` as "Chưa có ngưỡng";
    - `criteria_set`, `set_label`, `comparable_met`, `comparable_total`, `not_comparable`:
      see `crosswalk_columns`; a change of `criteria_set` between two years draws the break.
    """
    lang, large = lang_of(framing), framing.get("large", False)
    frame = units.sort_values("period").reset_index(drop=True)
    size = sizes(large)
    fig = go.Figure()
    totals = add_progress_bars(fig, frame, lang, size)
    top = max(totals, default=1)
    fig.update_layout(
        barmode="stack",
        bargap=0.35,
        legend={"traceorder": "normal"},
        uniformtext={"minsize": size["font"] - 2, "mode": "hide"},
    )
    fig.update_xaxes(type="category", title=None)
    breaks = draw_set_breaks(fig, frame, lang, size)
    # The count axis only (not the share axis a crosswalk adds on the right).
    fig.layout.yaxis.update(
        title={"text": t("chart.axis.criteria", lang)},
        range=[0, top * (1.45 if breaks else 1.15)],
        dtick=max(1, top // 6 or 1),
    )
    return framed(fig, framing)


def add_progress_bars(
    fig: go.Figure,
    frame: pd.DataFrame,
    lang: str,
    size: dict[str, int],
    *,
    col: int | None = None,
    named: set[str] | None = None,
) -> list[int]:
    """The stacked bars of `frame` (sorted by period) with "X/N" on top, in subplot column
    `col` when given; `named`: the statuses already in the legend (panels name each status
    once, where it first appears; updated here). Returns the totals drawn."""
    years = [str(int(p)) for p in frame["period"]]
    # In a panel the statuses are one legend group each, named once for all panels.
    where: dict[str, Any] = {} if col is None else {"row": 1, "col": col, "legendgroup": ""}
    segments = [
        ("met", "criteria_met"),
        ("unmet", "criteria_unmet"),
        ("unknown", "criteria_unknown"),
    ]
    if NO_THRESHOLD_COLUMN in frame and frame[NO_THRESHOLD_COLUMN].fillna(0).sum() > 0:
        segments.append((NO_THRESHOLD, NO_THRESHOLD_COLUMN))
    for status, column in segments:
        counts = [int(v) for v in frame[column]]
        fig.add_bar(
            x=years,
            y=counts,
            name=status_name(status, lang),
            showlegend=named is None or status not in named,
            marker=bar_marker(status),
            text=[str(c) if c else "" for c in counts],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            textfont={"size": size["font"]},
            hovertemplate="%{x}: %{y} " + t("chart.criteria_word", lang) + "<extra></extra>",
            **({**where, "legendgroup": status} if col is not None else where),
        )
        if named is not None:
            named.add(status)
    totals = [int(v) for v in frame["criteria_total"]]
    met = [int(v) for v in frame["criteria_met"]]
    # "X/N" above each bar (a text trace: annotations on a category axis of years would be
    # placed at the numeric position 2021).
    fig.add_scatter(
        x=years,
        y=totals,
        mode="text",
        text=[f"<b>{m}/{total}</b>" for m, total in zip(met, totals, strict=True)],
        textposition="top center",
        textfont={"size": size["font"] + 4},
        showlegend=False,
        hoverinfo="skip",
        **{k: v for k, v in where.items() if k != "legendgroup"},
    )
    return totals


# One village's criteria met per year: the same picture as the commune's progress.
village_history = progress_chart
