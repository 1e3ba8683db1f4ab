"""Villages × criteria: a heatmap of statuses with the status written in every cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Unpack

import pandas as pd
import plotly.graph_objects as go

from ntm.charts.style import (
    AS_CRITERION_STATUS,
    COLOURS,
    GRID_ORDER,
    MUTED,
    Frame,
    framed,
    lang_of,
    legend_entry,
    plain,
    sizes,
    status_name,
    status_text,
)
from ntm.i18n import t


def status_grid(
    cells: pd.DataFrame,
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    column_names: Mapping[str, str] | None = None,
    **framing: Unpack[Frame],
) -> go.Figure:
    """A heatmap of statuses, the status written in every cell.

    `cells`: columns `row`, `column`, `status` (met / unmet / unknown, or an indicator status);
    a (row, column) without a cell is "not applicable" (e.g. a criterion judged only for the
    commune as a whole) and stays white. `rows` and `columns` give the order (rows top down).
    """
    lang, large = lang_of(framing), framing.get("large", False)
    names = dict(column_names or {})
    lookup = {
        (plain(r), str(c)): AS_CRITERION_STATUS.get(str(s), "unknown")
        for r, c, s in zip(cells["row"], cells["column"], cells["status"], strict=True)
    }
    z: list[list[int]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    y_labels = [plain(r) for r in rows]
    for row in y_labels:
        z_row, text_row, hover_row = [], [], []
        for col in columns:
            status = lookup.get((str(row), str(col)), "not_applicable")
            z_row.append(GRID_ORDER.index(status))
            text_row.append(status_text(status, lang, wrap=True))
            label = status_name(status, lang)
            hover_row.append(f"{row}<br>{names.get(col, col)}<br><b>{label}</b>")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    n = len(GRID_ORDER) - 1
    scale: list[list[Any]] = []
    for i, status in enumerate(GRID_ORDER):
        scale += [[i / (n + 1), COLOURS[status]], [(i + 1) / (n + 1), COLOURS[status]]]
    size = sizes(large)
    x_labels = [t("chart.criterion_short", lang, number=c) for c in columns]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x_labels,
            y=y_labels,
            zmin=-0.5,
            zmax=n + 0.5,
            colorscale=scale,
            showscale=False,
            xgap=2,
            ygap=2,
            text=text,
            texttemplate="%{text}",
            textfont={"size": size["cell"]},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    # Legend: one square per status (the heatmap itself has no legend entries); "Chưa có
    # ngưỡng" only where some cell has it.
    present = set(lookup.values())
    for status in GRID_ORDER:
        if status == "no_threshold" and status not in present:
            continue
        legend_entry(
            fig,
            status_text(status, lang) or status_name("not_applicable", lang),
            mode="markers",
            marker={
                "symbol": "square",
                "size": size["font"],
                "color": COLOURS[status],
                "line": {"color": MUTED, "width": 1},
            },
            hoverinfo="skip",
        )
    fig.update_xaxes(side="top", tickfont={"size": size["font"]}, showgrid=False, title=None)
    fig.update_yaxes(
        autorange="reversed", tickfont={"size": size["font"]}, showgrid=False, title=None
    )
    rows_height = (56 if large else 38) * len(rows) + (260 if large else 190)
    fig = framed(fig, framing, default_height=max(rows_height, 320))
    # The legend goes under the grid (the criterion numbers sit on top).
    fig.update_layout(legend={"y": -0.02, "yanchor": "top"}, margin={"b": 70 if large else 50})
    return fig
