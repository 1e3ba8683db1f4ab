"""What every chart shares: the status colours, fill patterns and symbols, the template, the
sizes of the page and of the presentation mode, and the frame (title, source, date) that makes a
screenshot say what it shows. Pure: no streamlit."""

from __future__ import annotations

from typing import Any, Required, TypedDict

import plotly.graph_objects as go
import plotly.io as pio

from ntm import formatting as fmt
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


def bar_marker(status: str) -> dict[str, Any]:
    """A bar of a status: its colour, an outline and a light fill pattern (the bar's text stays
    readable on it)."""
    return {
        "color": COLOURS[status],
        "line": {"color": INK, "width": 0.8},
        "pattern": {
            "shape": PATTERNS.get(status, ""),
            "fgcolor": INK,
            "fgopacity": 0.3,
            "size": 14,
            "solidity": 0.12,
        },
    }


def status_name(status: str, lang: str) -> str:
    """ "Đạt", "Chưa đạt", "Thiếu dữ liệu" … (a criterion-level status)."""
    return t(f"chart.status.{status}", lang)


def legend_entry(fig: go.Figure, name: str, **style: Any) -> None:
    """A legend entry with nothing drawn (for what the figure shows otherwise: a heatmap's
    colours, a line across the plot)."""
    fig.add_scatter(x=[None], y=[None], name=name, **style)


def threshold_label(threshold: float, direction: str, kind: str, unit: str, lang: str) -> str:
    """ "Ngưỡng: ≥ 85%" (the rule as the legend names it)."""
    return t("chart.threshold", lang, rule=fmt.threshold(threshold, direction, kind, unit, lang))


def _template() -> go.layout.Template:
    base = go.layout.Template(pio.templates["plotly_white"])
    base.layout.font = {"family": FONT, "color": INK, "size": 14}
    base.layout.colorway = [COLOURS["met"], COLOURS["unmet"], "#56B4E9", "#009E73", "#CC79A7"]
    base.layout.paper_bgcolor = "white"
    base.layout.plot_bgcolor = "white"
    return base


TEMPLATE = _template()


def sizes(large: bool) -> dict[str, int]:
    if large:
        return {"font": 22, "title": 36, "subtitle": 20, "cell": 17, "height": 860, "width": 0}
    return {"font": 14, "title": 20, "subtitle": 13, "cell": 12, "height": 480, "width": 0}


class Frame(TypedDict, total=False):
    """What every builder takes besides its data (keywords): the title, source and date printed
    on the figure, its language, `large` for the presentation mode, and a height in pixels."""

    title: Required[str]
    source: Required[str]
    date: Required[str]
    lang: str
    large: bool
    height: int | None


def lang_of(framing: Frame) -> str:
    return framing.get("lang", DEFAULT_LANG)


def framed(fig: go.Figure, framing: Frame, default_height: int | None = None) -> go.Figure:
    """Title, source and date inside the figure; template, fonts, separators, size (the
    `framing` height, else `default_height`, else the page's or the projector's)."""
    title, source, date = framing["title"], framing["source"], framing["date"]
    lang, large = lang_of(framing), framing.get("large", False)
    height = framing.get("height") or default_height
    size = sizes(large)
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
    label = status_name(status, lang)
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
