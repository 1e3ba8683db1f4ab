"""A merged commune's progress (issue 16): one panel per unit and criteria set, side by side.

Dương Quang and Đôn Phong (2021-2025, 19 criteria of Decision 318) became xã Phong Quang (from
2026 judged on the 10 criteria of Decision 51/2025): each predecessor keeps its own panel
("Dương Quang (trước sáp nhập)"), the successor has its own, and each panel has its own count
axis (0-19, 0-10), so no bar is ever drawn on an axis of another set and nothing is summed. The
notes under the chart say what changed ("Bộ tiêu chí thay đổi: 19 → 10 tiêu chí từ 2026").
Each panel's bars are the progress chart's own (`add_progress_bars`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ntm.charts.progress import add_progress_bars
from ntm.charts.style import INK, MUTED, Frame, framed, lang_of, plain, sizes
from ntm.i18n import t


def history_chart(
    panels: Sequence[tuple[str, str, pd.DataFrame]],
    notes: Sequence[str] = (),
    **framing: Unpack[Frame],
) -> go.Figure:
    """One panel per (label, set label, progress rows): stacked bars with "X/N" on top, each
    named under its years by its unit and set, widths by the number of years; `notes` printed
    under the panels. Panels with no rows are left out (the caller says which units have no
    data)."""
    lang, large = lang_of(framing), framing.get("large", False)
    size = sizes(large)
    shown = [(label, sets, frame) for label, sets, frame in panels if len(frame)]
    if not shown:
        return framed(go.Figure(), framing)
    widths = [max(1, len(frame)) + 0.6 for _, _, frame in shown]
    fig = make_subplots(
        rows=1,
        cols=len(shown),
        column_widths=widths,
        horizontal_spacing=min(0.08, 0.5 / len(shown)),
    )
    named: set[str] = set()
    for i, (label, sets, frame) in enumerate(shown, start=1):
        ordered = frame.sort_values("period").reset_index(drop=True)
        totals = add_progress_bars(fig, ordered, lang, size, col=i, named=named)
        top = max(totals, default=1)
        fig.update_xaxes(
            type="category",
            title={
                "text": f"<b>{plain(label)}</b><br>{plain(sets)}",
                "font": {"size": size["font"], "color": INK},
            },
            row=1,
            col=i,
        )
        fig.update_yaxes(
            range=[0, top * 1.18],
            dtick=max(1, top // 6 or 1),
            title={"text": t("chart.axis.criteria", lang)} if i == 1 else None,
            row=1,
            col=i,
        )
    if notes:  # under the panels' names (two lines each, under the years)
        fig.add_annotation(
            x=0,
            xref="paper",
            xanchor="left",
            y=0,
            yref="paper",
            yanchor="top",
            yshift=-size["font"] * 6,
            align="left",
            text="<br>".join(f"• {plain(note)}" for note in notes),
            showarrow=False,
            font={"size": size["font"] - 1, "color": MUTED if not large else INK},
        )
    fig.update_layout(
        barmode="stack",
        bargap=0.3,
        legend={"traceorder": "normal"},
        uniformtext={"minsize": size["font"] - 2, "mode": "hide"},
    )
    out = framed(fig, framing)
    # Room under the panels for their names and the notes.
    out.update_layout(margin={"b": size["font"] * (6 + 2 * len(notes)) + 20})
    return out
