"""Plotly figure builders: pure functions of frames, used by the app and by exports.

Rules every figure follows (issue 3):
- It prints its own title, data source and "Số liệu đến ngày …" (title and subtitle), so a
  screenshot or an exported image still says what it shows and where it comes from.
- Statuses are shown by colour *and* by something that survives greyscale printing and
  colour-blind viewers: the status written in words or a symbol (✓ Đạt, ✗ Chưa đạt, ? Thiếu dữ
  liệu) and a fill pattern on bars. Colours: blue = met, orange = not met, light grey = unknown
  (blue/orange is the safe pair for red-green colour blindness; their greyscale values differ).
- An explicit template (`TEMPLATE`), never plotly's or streamlit's default: `import streamlit`
  swaps plotly's default template, which would change exported images.
- Numbers follow the language: decimal comma and dot thousands in Vietnamese.
- `large=True` is the presentation mode: large type and a 16:9 figure for a projector.

The builders never decide a status: they draw what `ntm.attainment` decided.

Across a change of criteria set (2025 → 2026) the progress chart can show the break
(`crosswalk_columns` prepares its optional columns): a dashed line between the years judged on
different sets, each side named by its decision and number of criteria, and, where a crosswalk
(criteria/crosswalks/*.yaml) maps criteria across the break, the share of those *comparable*
criteria met; the criteria without a mapping are listed as "không so sánh được" (and the
whole break is labelled so when there is no crosswalk at all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from ntm import formatting as fmt
from ntm.criteria import CriteriaSet
from ntm.crosswalk import Crosswalk, crosswalk_between
from ntm.i18n import DEFAULT_LANG, t

FONT = "Noto Sans, DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#1f2328"
MUTED = "#57606a"

# Status → colour, fill pattern, symbol. Blue/orange: distinguishable with every common colour
# vision deficiency; greyscale luminance ≈ 80 (blue), 160 (orange), 215 (grey), 255 (white).
# "no_threshold" (Chưa có ngưỡng: the set gives no value, e.g. 318 criteria 10 and 11) is kept
# apart from "unknown" (Thiếu dữ liệu): the first is the criteria set's to fix, the second the
# staff's; it is lighter than "unknown" and always written out in the cell.
COLOURS = {
    "met": "#0B5CAD",
    "unmet": "#E69F00",
    "unknown": "#D4D4D4",
    "no_threshold": "#F2F2F2",
    "not_applicable": "#FFFFFF",
}
PATTERNS = {"met": "", "unmet": "/", "unknown": ".", "no_threshold": "x"}
SYMBOLS = {"met": "✓", "unmet": "✗", "unknown": "?", "no_threshold": "–", "not_applicable": ""}
# Indicator statuses drawn as the criterion-level ones.
AS_CRITERION_STATUS = {
    "met": "met",
    "unmet": "unmet",
    "missing": "unknown",
    "no_threshold": "no_threshold",
    "unknown": "unknown",
    "not_applicable": "not_applicable",
    "info": "not_applicable",
}
GRID_ORDER = ("met", "unmet", "unknown", "no_threshold", "not_applicable")


def _pattern(status: str) -> dict[str, Any]:
    """A light fill pattern (the bar's text stays readable on it)."""
    return {
        "shape": PATTERNS.get(status, ""),
        "fgcolor": INK,
        "fgopacity": 0.3,
        "size": 14,
        "solidity": 0.12,
    }


def _template() -> go.layout.Template:
    base = go.layout.Template(pio.templates["plotly_white"])
    base.layout.font = {"family": FONT, "color": INK, "size": 14}
    base.layout.colorway = [COLOURS["met"], COLOURS["unmet"], "#56B4E9", "#009E73", "#CC79A7"]
    base.layout.paper_bgcolor = "white"
    base.layout.plot_bgcolor = "white"
    return base


TEMPLATE = _template()


def _sizes(large: bool) -> dict[str, int]:
    if large:
        return {"font": 22, "title": 36, "subtitle": 20, "cell": 17, "height": 860, "width": 0}
    return {"font": 14, "title": 20, "subtitle": 13, "cell": 12, "height": 480, "width": 0}


def _frame(
    fig: go.Figure,
    *,
    title: str,
    source: str,
    date: str,
    lang: str,
    large: bool,
    height: int | None = None,
) -> go.Figure:
    """Title, source and date inside the figure; template, fonts, separators, size."""
    size = _sizes(large)
    subtitle = " · ".join(
        part
        for part in (
            t("chart.source", lang, source=source) if source else "",
            t("chart.as_of", lang, date=date) if date else "",
        )
        if part
    )
    fig.update_layout(
        template=TEMPLATE,
        separators=",." if lang == "vi" else ".,",
        font={"family": FONT, "size": size["font"], "color": INK},
        title={
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
            "yref": "container",
            "font": {"size": size["title"]},
            "subtitle": {"text": subtitle, "font": {"size": size["subtitle"], "color": MUTED}},
        },
        margin={"l": 20, "r": 30, "t": 175 if large else 120, "b": 40},
        height=height or size["height"],
        legend={
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 1.01,
            "yanchor": "bottom",
            "font": {"size": size["font"]},
        },
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def plain(text: object) -> str:
    """User text (a village name) made inert for plotly, which reads <b>, <a href> … in labels."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def status_text(status: str, lang: str = DEFAULT_LANG, wrap: bool = False) -> str:
    """ "✓ Đạt", "✗ Chưa đạt", "? Thiếu dữ liệu"; `wrap`: on two lines for a narrow cell."""
    status = AS_CRITERION_STATUS.get(status, status)
    if status == "not_applicable":
        return ""
    label = t(f"chart.status.{status}", lang)
    symbol = SYMBOLS[status]
    if wrap and status == "no_threshold":
        # "Chưa có ngưỡng" does not fit a grid cell; the mark, the hover and the legend say it
        # (and it is the set's to fix, listed under "Chưa đánh giá được" on the page).
        return symbol
    if not wrap or len(label) <= 4:
        return f"{symbol} {label}"
    if len(label) <= 9 or " " not in label:
        return f"{symbol}<br>{label}"
    words = label.split(" ")
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(label) / 2))
    return f"{symbol} {' '.join(words[:cut])}<br>{' '.join(words[cut:])}"


# --- progress by year ------------------------------------------------------------------------


def progress_chart(
    units: pd.DataFrame,
    *,
    title: str,
    source: str,
    date: str,
    lang: str = DEFAULT_LANG,
    large: bool = False,
    height: int | None = None,
) -> go.Figure:
    """Criteria met / not met / unknown per year, stacked to the total, with "X/N" on top.

    `units`: one row per period with criteria_met, criteria_unmet, criteria_unknown,
    criteria_total (a commune's or a village's rows of `Assessment.units`).

    Optional columns (the crosswalk-aware option; absent, the chart is as before):
    - `criteria_no_threshold`: criteria unknown only because the set gives no threshold,
      drawn apart from `criteria_unknown` as "Chưa có ngưỡng";
    - `criteria_set`, `set_label`, `comparable_met`, `comparable_total`, `not_comparable`:
      see `crosswalk_columns`; a change of `criteria_set` between two years draws the break.
    """
    frame = units.sort_values("period").reset_index(drop=True)
    years = [str(int(p)) for p in frame["period"]]
    size = _sizes(large)
    fig = go.Figure()
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
            name=t(f"chart.status.{status}", lang),
            marker={
                "color": COLOURS.get(status, NO_THRESHOLD_COLOUR),
                "line": {"color": INK, "width": 0.8},
                "pattern": _pattern(status),
            },
            text=[str(c) if c else "" for c in counts],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            textfont={"size": size["font"]},
            hovertemplate="%{x}: %{y} " + t("chart.criteria_word", lang) + "<extra></extra>",
        )
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
    )
    top = max(totals, default=1)
    fig.update_layout(
        barmode="stack",
        bargap=0.35,
        legend={"traceorder": "normal"},
        uniformtext={"minsize": size["font"] - 2, "mode": "hide"},
    )
    fig.update_xaxes(type="category", title=None)
    breaks = _draw_set_breaks(fig, frame, lang, size)
    # The count axis only (not the share axis a crosswalk adds on the right).
    fig.layout.yaxis.update(
        title={"text": t("chart.axis.criteria", lang)},
        range=[0, top * (1.45 if breaks else 1.15)],
        dtick=max(1, top // 6 or 1),
    )
    return _frame(fig, title=title, source=source, date=date, lang=lang, large=large, height=height)


# --- across a change of criteria set (the crosswalk-aware option) -----------------------------

NO_THRESHOLD = "no_threshold"
NO_THRESHOLD_COLUMN = "criteria_no_threshold"
NO_THRESHOLD_COLOUR = COLOURS[NO_THRESHOLD]


def crosswalk_columns(
    units: pd.DataFrame,
    criteria: pd.DataFrame,
    sets: Mapping[str, CriteriaSet],
    lang: str = DEFAULT_LANG,
    walks: Any = crosswalk_between,
) -> pd.DataFrame:
    """`units` (one row per period with `criteria_set`) with the columns `progress_chart` reads
    to show a change of criteria set; unchanged when every period uses the same set.

    `criteria`: the same unit's criterion rows (`period`, `criterion`, `status`). Added:
    `set_label` (decision · number of criteria); where a crosswalk `walks(old, new)` maps the
    sets of two successive years: `comparable_total` (the set's criteria that have a mapping),
    `comparable_met` (of those, met that year) and `not_comparable` (the others, "5, 6, 8");
    NaN / "" where there is no crosswalk. Nothing is judged through the crosswalk: it only
    says which criteria continue as which.
    """
    frame = units.sort_values("period").reset_index(drop=True)
    if "criteria_set" not in frame or frame["criteria_set"].nunique() < 2:
        return frame
    ids = [str(s) for s in frame["criteria_set"]]
    mapped: dict[str, set[str]] = {}
    for before, after in pairwise(ids):
        if before == after:
            continue
        walk: Crosswalk | None = walks(before, after)
        if walk is None:
            continue
        mapped.setdefault(before, set()).update(p.source for p in walk.criteria_pairs)
        mapped.setdefault(after, set()).update(p.target for p in walk.criteria_pairs)
    # The unit's criteria each year (a village has only those with village indicators).
    present: dict[int, set[str]] = {}
    met_by_period: dict[int, set[str]] = {}
    for period, number, status in zip(
        criteria["period"], criteria["criterion"], criteria["status"], strict=True
    ):
        present.setdefault(int(period), set()).add(str(number))
        if str(status) == "met":
            met_by_period.setdefault(int(period), set()).add(str(number))
    labels, totals, mets, others = [], [], [], []
    for period, set_id in zip(frame["period"], ids, strict=True):
        crit = sets.get(set_id)
        numbers = [c.number for c in crit.criteria] if crit is not None else []
        if present.get(int(period)):
            numbers = [n for n in numbers if n in present[int(period)]]
        labels.append(
            t(
                "chart.crosswalk.set_label",
                lang,
                decision=crit.legal_basis.decision if crit is not None else set_id,
                n=len(numbers),
            )
        )
        if set_id not in mapped:
            totals.append(float("nan"))
            mets.append(float("nan"))
            others.append("")
            continue
        comparable = [n for n in numbers if n in mapped[set_id]]
        totals.append(float(len(comparable)))
        mets.append(float(len(met_by_period.get(int(period), set()) & set(comparable))))
        others.append(", ".join(n for n in numbers if n not in mapped[set_id]))
    return frame.assign(
        set_label=labels, comparable_met=mets, comparable_total=totals, not_comparable=others
    )


def _runs(ids: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last) index of each run of equal ids."""
    runs: list[tuple[int, int]] = []
    for i, set_id in enumerate(ids):
        if runs and ids[runs[-1][0]] == set_id:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _draw_set_breaks(fig: go.Figure, frame: pd.DataFrame, lang: str, size: dict[str, int]) -> bool:
    """The break between years judged on different sets (see `crosswalk_columns`)."""
    if "criteria_set" not in frame or frame["criteria_set"].nunique() < 2:
        return False
    ids = [str(s) for s in frame["criteria_set"]]
    runs = _runs(ids)
    has = {c: c in frame for c in ("set_label", "comparable_total", "not_comparable")}
    small = {"size": size["font"] - 1, "color": MUTED}
    # Numbers on a category axis are category positions: 1.5 lies between the 2nd and 3rd year.
    for first, last in runs:
        label = str(frame["set_label"].iloc[first]) if has["set_label"] else ids[first]
        others = str(frame["not_comparable"].iloc[first]) if has["not_comparable"] else ""
        if others:
            label += "<br>" + t("chart.crosswalk.not_comparable_list", lang, numbers=others)
        fig.add_annotation(
            x=(first + last) / 2,
            xref="x",
            y=1.0,
            yref="paper",
            yanchor="top",
            text=label,
            showarrow=False,
            font=small,
        )
    comparable = (
        frame["comparable_total"].notna()
        if has["comparable_total"]
        else pd.Series(False, index=frame.index)
    )
    for (_, end), (start, _) in pairwise(runs):
        x = (end + start) / 2
        fig.add_shape(
            type="line",
            x0=x,
            x1=x,
            xref="x",
            y0=0,
            y1=1,
            yref="paper",
            line={"color": INK, "dash": "dash", "width": 2},
        )
        linked = bool(comparable.iloc[end]) and bool(comparable.iloc[start])
        fig.add_annotation(
            x=x,
            xref="x",
            y=0.62,
            yref="paper",
            text=t("chart.crosswalk.break" if linked else "chart.crosswalk.not_comparable", lang),
            showarrow=False,
            textangle=-90,
            bgcolor="white",
            font={"size": size["font"] - 1, "color": INK},
        )
    if comparable.any():
        share = [
            100.0 * float(m) / float(n) if ok and float(n) > 0 else None
            for m, n, ok in zip(
                frame["comparable_met"], frame["comparable_total"], comparable, strict=True
            )
        ]
        fig.add_scatter(
            x=[str(int(p)) for p in frame["period"]],
            y=share,
            yaxis="y2",
            mode="lines+markers+text",
            name=t("chart.crosswalk.comparable", lang),
            line={"color": INK, "width": 2.5},
            marker={"symbol": "diamond", "size": 10, "color": INK},
            text=[
                f"{int(m)}/{int(n)}" if ok else ""
                for m, n, ok in zip(
                    frame["comparable_met"].fillna(0),
                    frame["comparable_total"].fillna(0),
                    comparable,
                    strict=True,
                )
            ],
            textposition="middle right",
            textfont={"size": size["font"] - 2, "color": INK},
            connectgaps=False,
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
        fig.update_layout(
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "range": [0, 145],
                "tickvals": [0, 25, 50, 75, 100],
                "ticktext": [f"{v}%" for v in (0, 25, 50, 75, 100)],
                "showgrid": False,
                "title": None,
            }
        )
    return True


def village_history(
    units: pd.DataFrame,
    *,
    title: str,
    source: str,
    date: str,
    lang: str = DEFAULT_LANG,
    large: bool = False,
    height: int | None = None,
) -> go.Figure:
    """One village's criteria met per year (the same picture as the commune's progress)."""
    return progress_chart(
        units, title=title, source=source, date=date, lang=lang, large=large, height=height
    )


# --- villages × criteria ---------------------------------------------------------------------


def status_grid(
    cells: pd.DataFrame,
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    column_names: Mapping[str, str] | None = None,
    title: str,
    source: str,
    date: str,
    lang: str = DEFAULT_LANG,
    large: bool = False,
    height: int | None = None,
) -> go.Figure:
    """A heatmap of statuses, the status written in every cell.

    `cells`: columns `row`, `column`, `status` (met / unmet / unknown, or an indicator status);
    a (row, column) without a cell is "not applicable" (e.g. a criterion judged only for the
    commune as a whole) and stays white. `rows` and `columns` give the order (rows top down).
    """
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
            label = t(f"chart.status.{status}", lang)
            hover_row.append(f"{row}<br>{names.get(col, col)}<br><b>{label}</b>")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    n = len(GRID_ORDER) - 1
    scale: list[list[Any]] = []
    for i, status in enumerate(GRID_ORDER):
        scale += [[i / (n + 1), COLOURS[status]], [(i + 1) / (n + 1), COLOURS[status]]]
    size = _sizes(large)
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
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=status_text(status, lang) or t("chart.status.not_applicable", lang),
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
    fig = _frame(
        fig,
        title=title,
        source=source,
        date=date,
        lang=lang,
        large=large,
        height=height or max(rows_height, 320),
    )
    # The legend goes under the grid (the criterion numbers sit on top).
    fig.update_layout(legend={"y": -0.02, "yanchor": "top"}, margin={"b": 70 if large else 50})
    return fig


# --- one indicator across villages and years -------------------------------------------------


def _threshold_label(threshold: float, direction: str, kind: str, unit: str, lang: str) -> str:
    return t("chart.threshold", lang, rule=fmt.threshold(threshold, direction, kind, unit, lang))


def indicator_chart(
    frame: pd.DataFrame,
    *,
    threshold: float | None,
    direction: str,
    kind: str,
    unit: str = "",
    title: str,
    source: str,
    date: str,
    lang: str = DEFAULT_LANG,
    large: bool = False,
    height: int | None = None,
) -> go.Figure:
    """One indicator across villages (one year): a bar per village, the threshold as a line.

    `frame`: columns `label` (village or "Toàn xã"), `value`, `status` in the order to draw.
    Bars are coloured and patterned by status; the value is written on each bar; a missing
    value is written "Thiếu dữ liệu" at the base line.
    """
    labels = [plain(x) for x in frame["label"]]
    values = [None if fmt.is_missing(v) else float(v) for v in frame["value"]]
    statuses = [AS_CRITERION_STATUS.get(str(s), "unknown") for s in frame["status"]]
    boolean = kind == "boolean"
    size = _sizes(large)
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
            marker={
                "color": COLOURS[status],
                "line": {"color": INK, "width": 0.8},
                "pattern": _pattern(status),
            },
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
            text=[t("chart.status.unknown", lang)] * len(missing),
            textposition="top center",
            textfont={"size": size["font"] - 2, "color": MUTED},
            name="? " + t("chart.status.unknown", lang),
            hoverinfo="skip",
        )
    present = [v for v in values if v is not None]
    top = max([*present, threshold or 0, 1.0])
    if threshold is not None and not fmt.is_missing(threshold) and not boolean:
        # The line spans the plot; its legend entry names the rule (no label over the bars).
        fig.add_hline(y=threshold, line={"color": INK, "dash": "dash", "width": 2.5})
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="lines",
            line={"color": INK, "dash": "dash", "width": 2.5},
            name=_threshold_label(threshold, direction, kind, unit, lang),
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
    return _frame(fig, title=title, source=source, date=date, lang=lang, large=large, height=height)


def indicator_trend(
    data: pd.DataFrame,
    *,
    thresholds: pd.DataFrame | None,
    direction: str,
    kind: str,
    unit: str = "",
    highlight: str | None = None,
    title: str,
    source: str,
    date: str,
    lang: str = DEFAULT_LANG,
    large: bool = False,
    height: int | None = None,
) -> go.Figure:
    """One indicator over the years: a line per unit (villages and the commune), the threshold
    of each year as a dashed line.

    `data`: columns `period`, `label`, `value`, and optionally `flag` (True on rows of units to
    name, e.g. the villages not meeting the threshold). `highlight`: the label drawn thick and in
    blue (the commune as a whole). Flagged lines are dark and named at their end; the others are
    thin and grey ("other villages"). End names are pushed apart so they never overlap.
    `thresholds`: columns `period`, `threshold` (a threshold may change by year, e.g. income).
    """
    size = _sizes(large)
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
                name=_threshold_label(float(th["threshold"].iloc[-1]), direction, kind, unit, lang),
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
    fig = _frame(fig, title=title, source=source, date=date, lang=lang, large=large, height=height)
    fig.update_layout(margin={"r": 140 if large else 110})
    return fig
