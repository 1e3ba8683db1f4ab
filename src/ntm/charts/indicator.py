"""One indicator: across villages in a year (a bar each, the threshold as a line), and over the
years (a line per unit, the threshold of each year dashed)."""

from __future__ import annotations

from typing import Unpack

import pandas as pd
import plotly.graph_objects as go

from ntm import formatting as fmt
from ntm.charts.style import (
    AS_CRITERION_STATUS,
    COLOURS,
    INK,
    MUTED,
    Frame,
    bar_marker,
    framed,
    lang_of,
    legend_entry,
    plain,
    sizes,
    status_name,
    status_text,
    threshold_label,
)
from ntm.i18n import t


def indicator_chart(
    frame: pd.DataFrame,
    *,
    threshold: float | None,
    direction: str,
    kind: str,
    unit: str = "",
    **framing: Unpack[Frame],
) -> go.Figure:
    """One indicator across villages (one year): a bar per village, the threshold as a line.

    `frame`: columns `label` (village or "Toàn xã"), `value`, `status` in the order to draw.
    Bars are coloured and patterned by status; the value is written on each bar; a missing
    value is written "Thiếu dữ liệu" at the base line.
    """
    lang, large = lang_of(framing), framing.get("large", False)
    labels = [plain(x) for x in frame["label"]]
    values = [None if fmt.is_missing(v) else float(v) for v in frame["value"]]
    statuses = [AS_CRITERION_STATUS.get(str(s), "unknown") for s in frame["status"]]
    boolean = kind == "boolean"
    size = sizes(large)
    fig = go.Figure()
    for status in ("met", "unmet", "unknown", "no_threshold"):
        xs, ys, texts = [], [], []
        for label, value, st in zip(labels, values, statuses, strict=True):
            if st != status or value is None:
                continue
            xs.append(label)
            ys.append(1.0 if boolean else value)
            texts.append(fmt.value(value, kind, unit, lang))
        if not xs:
            continue
        fig.add_bar(
            x=xs,
            y=ys,
            name=status_text(status, lang),
            marker=bar_marker(status),
            text=texts,
            textposition="outside" if not boolean else "inside",
            textfont={"size": size["font"]},
            cliponaxis=False,
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    missing = [label for label, value in zip(labels, values, strict=True) if value is None]
    if missing:
        fig.add_scatter(
            x=missing,
            y=[0] * len(missing),
            mode="markers+text",
            marker={"symbol": "x-thin-open", "size": 12, "color": MUTED, "line": {"width": 2}},
            text=[status_name("unknown", lang)] * len(missing),
            textposition="top center",
            textfont={"size": size["font"] - 2, "color": MUTED},
            name="? " + status_name("unknown", lang),
            hoverinfo="skip",
        )
    present = [v for v in values if v is not None]
    top = max([*present, threshold or 0, 1.0])
    if threshold is not None and not fmt.is_missing(threshold) and not boolean:
        # The line spans the plot; its legend entry names the rule (no label over the bars).
        line = {"color": INK, "dash": "dash", "width": 2.5}
        fig.add_hline(y=threshold, line=line)
        legend_entry(
            fig, threshold_label(threshold, direction, kind, unit, lang), mode="lines", line=line
        )
    fig.update_layout(barmode="overlay", bargap=0.3)
    fig.update_xaxes(
        type="category", categoryorder="array", categoryarray=labels, title=None, tickangle=0
    )
    if boolean:
        fig.update_yaxes(visible=False, range=[0, 1.25])
    else:
        upper = 105.0 if kind == "percent" and top <= 100 else top * 1.18
        fig.update_yaxes(
            title=unit or None,
            range=[0, max(upper, (threshold or 0) * 1.1)],
            ticksuffix="%" if kind == "percent" else "",
        )
    return framed(fig, framing)


def indicator_trend(
    data: pd.DataFrame,
    *,
    thresholds: pd.DataFrame | None,
    direction: str,
    kind: str,
    unit: str = "",
    highlight: str | None = None,
    **framing: Unpack[Frame],
) -> go.Figure:
    """One indicator over the years: a line per unit (villages and the commune), the threshold
    of each year as a dashed line.

    `data`: columns `period`, `label`, `value`, and optionally `flag` (True on rows of units to
    name, e.g. the villages not meeting the threshold). `highlight`: the label drawn thick and in
    blue (the commune as a whole). Flagged lines are dark and named at their end; the others are
    thin and grey ("other villages"). End names are pushed apart so they never overlap.
    `thresholds`: columns `period`, `threshold` (a threshold may change by year, e.g. income).
    """
    lang, large = lang_of(framing), framing.get("large", False)
    size = sizes(large)
    frame = data.assign(label=[plain(x) for x in data["label"]])
    highlight = plain(highlight) if highlight is not None else None
    fig = go.Figure()
    years = sorted({int(p) for p in frame["period"]})
    x_all = [str(y) for y in years]
    order = [lbl for lbl in dict.fromkeys(frame["label"]) if lbl != highlight]
    if highlight is not None and highlight in set(frame["label"]):
        order.append(highlight)  # drawn last, on top
    flagged = set(
        frame.loc[frame.get("flag", pd.Series(False, index=frame.index)).astype(bool), "label"]
    )
    ends: list[tuple[str, str, float, bool]] = []
    others_shown = False
    for label in order:
        rows = frame[frame["label"] == label].sort_values("period")
        strong = label == highlight
        ys = [None if fmt.is_missing(v) else float(v) for v in rows["value"]]
        named = strong or label in flagged
        fig.add_scatter(
            x=[str(int(p)) for p in rows["period"]],
            y=ys,
            mode="lines+markers",
            name=str(label) if named else t("chart.other_villages", lang),
            legendgroup=str(label) if named else "others",
            line={
                "color": COLOURS["met"] if strong else (INK if named else "#8c959f"),
                "width": 5 if strong else (2.5 if named else 1.5),
            },
            marker={"size": 11 if strong else 7, "symbol": "circle" if strong else "diamond"},
            text=[fmt.value(v, kind, unit, lang) for v in ys],
            hovertemplate=f"{label} %{{x}}: %{{text}}<extra></extra>",
            showlegend=strong or (not named and not others_shown),
        )
        others_shown = others_shown or not named
        last = next(
            (
                (x, y)
                for x, y in zip(reversed(list(rows["period"])), reversed(ys), strict=True)
                if y is not None
            ),
            None,
        )
        if last is not None and named:
            ends.append((str(int(last[0])), str(label), last[1], strong))
    # Names at the end of the highlighted and flagged lines, pushed apart so none overlap.
    values = [v for v in frame["value"] if not fmt.is_missing(v)]
    span = (max(values) - min(values)) if values else 1.0
    gap = max(span, 1e-9) * (0.07 if large else 0.055)
    placed: list[float] = []
    for x, label, y, strong in sorted(ends, key=lambda e: e[2]):
        pos = y if not placed else max(y, placed[-1] + gap)
        placed.append(pos)
        fig.add_scatter(
            x=[x],
            y=[pos],
            mode="text",
            text=[f"  <b>{label}</b>" if strong else f"  {label}"],
            textposition="middle right",
            textfont={"size": size["font"], "color": COLOURS["met"] if strong else INK},
            showlegend=False,
            hoverinfo="skip",
            cliponaxis=False,
        )
    if thresholds is not None and not thresholds.empty:
        th = thresholds.dropna(subset=["threshold"]).sort_values("period")
        if not th.empty and kind != "boolean":
            fig.add_scatter(
                x=[str(int(p)) for p in th["period"]],
                y=[float(v) for v in th["threshold"]],
                mode="lines",
                line={"color": COLOURS["unmet"], "dash": "dash", "width": 3, "shape": "hvh"},
                name=threshold_label(float(th["threshold"].iloc[-1]), direction, kind, unit, lang),
                hoverinfo="skip",
            )
    fig.update_xaxes(
        type="category", categoryorder="array", categoryarray=x_all, title=None, range=None
    )
    if kind == "boolean":
        fig.update_yaxes(
            tickvals=[0, 1],
            ticktext=[t("ui.value.no", lang), t("ui.value.yes", lang)],
            range=[-0.15, 1.15],
        )
    else:
        fig.update_yaxes(title=unit or None, ticksuffix="%" if kind == "percent" else "")
    fig = framed(fig, framing)
    fig.update_layout(margin={"r": 140 if large else 110})
    return fig
