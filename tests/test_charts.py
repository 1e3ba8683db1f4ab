"""The figure builders of `ntm.charts`, tested directly (plotly charts are opaque to AppTest).

Every figure prints its title, source and date, uses the project's own template (exports render
these figures with kaleido from a process where streamlit may have changed plotly's default),
writes numbers the Vietnamese way, and shows statuses by something more than colour.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from ntm import charts

KW: dict[str, Any] = {"source": "báo cáo Excel của Dương Quang", "date": "28/11/2026"}

PROGRESS = pd.DataFrame(
    {
        "period": [2021, 2022, 2023],
        "criteria_met": [3, 8, 15],
        "criteria_unmet": [14, 9, 2],
        "criteria_unknown": [2, 2, 2],
        "criteria_total": [19, 19, 19],
    }
)
GRID = pd.DataFrame(
    {
        "row": ["Toàn xã", "Toàn xã", "Nà Cưởm", "Bản Pẻn"],
        "column": ["1", "2", "2", "2"],
        "status": ["met", "unmet", "unmet", "unknown"],
    }
)
BY_VILLAGE = pd.DataFrame(
    {
        "label": ["Toàn xã", "Bản Pẻn", "Nà Cưởm", "Phặc Tràng"],
        "value": [72.0, 75.5, 64.5, None],
        "status": ["met", "met", "unmet", "missing"],
    }
)
BY_YEAR = pd.DataFrame(
    {
        "period": [2021, 2022, 2021, 2022, 2021, 2022],
        "label": ["Toàn xã", "Toàn xã", "Nà Cưởm", "Nà Cưởm", "Bản Pẻn", "Bản Pẻn"],
        "value": [50.0, 72.0, 30.0, 64.5, 60.0, 75.5],
        "flag": [False, False, True, True, False, False],
    }
)
THRESHOLDS = pd.DataFrame({"period": [2021, 2022], "threshold": [70.0, 70.0]})


def _all_figures(lang: str = "vi", large: bool = False) -> dict[str, go.Figure]:
    common: dict[str, Any] = {**KW, "lang": lang, "large": large}
    return {
        "progress": charts.progress_chart(PROGRESS, title="Tiến độ — Dương Quang", **common),
        "village_history": charts.village_history(PROGRESS, title="Nà Cưởm", **common),
        "grid": charts.status_grid(
            GRID,
            rows=["Toàn xã", "Bản Pẻn", "Nà Cưởm"],
            columns=["1", "2", "3"],
            column_names={"1": "Quy hoạch", "2": "Giao thông", "3": "Thủy lợi"},
            title="Mức đạt 2025",
            **common,
        ),
        "indicator": charts.indicator_chart(
            BY_VILLAGE,
            threshold=70.0,
            direction=">=",
            kind="percent",
            unit="%",
            title="Chỉ tiêu 2.2",
            **common,
        ),
        "trend": charts.indicator_trend(
            BY_YEAR,
            thresholds=THRESHOLDS,
            direction=">=",
            kind="percent",
            unit="%",
            highlight="Toàn xã",
            title="Chỉ tiêu 2.2 qua các năm",
            **common,
        ),
    }


FIGURES = list(_all_figures())


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_prints_title_source_and_date(name: str) -> None:
    fig = _all_figures()[name]
    assert fig.layout.title.text
    subtitle = fig.layout.title.subtitle.text
    assert "Nguồn: báo cáo Excel của Dương Quang" in subtitle
    assert "Số liệu đến ngày 28/11/2026" in subtitle
    en = _all_figures("en")[name].layout.title.subtitle.text
    assert "Source:" in en and "Data as of 28/11/2026" in en


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_has_the_project_template_and_language_separators(name: str) -> None:
    """An explicit template (not plotly's or streamlit's default) and a decimal comma in vi."""
    fig = _all_figures()[name]
    assert fig.layout.template.layout.font.family == charts.FONT
    assert fig.layout.template.layout.paper_bgcolor == "white"
    assert fig.layout.separators == ",."
    assert _all_figures("en")[name].layout.separators == ".,"


@pytest.mark.parametrize("name", FIGURES)
def test_presentation_mode_has_larger_type_and_a_taller_figure(name: str) -> None:
    normal, large = _all_figures()[name], _all_figures(large=True)[name]
    assert large.layout.font.size > normal.layout.font.size
    assert large.layout.title.font.size > normal.layout.title.font.size
    assert large.layout.height > normal.layout.height


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_status_colours_differ_in_greyscale_and_are_not_red_green() -> None:
    levels = sorted(_luminance(charts.COLOURS[s]) for s in ("met", "unmet", "unknown"))
    assert levels[1] - levels[0] > 40 and levels[2] - levels[1] > 40
    for colour in charts.COLOURS.values():
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert not (g > 150 and r < 100 and b < 100), "no pure green"
        assert not (r > 180 and g < 80 and b < 80), "no pure red"
    assert len({charts.PATTERNS[s] for s in ("met", "unmet", "unknown")}) == 3


def test_progress_chart_stacks_met_unmet_unknown_and_writes_x_of_n() -> None:
    fig = charts.progress_chart(PROGRESS, title="t", **KW)
    bars = [tr for tr in fig.data if tr.type == "bar"]
    assert [b.name for b in bars] == ["Đạt", "Chưa đạt", "Thiếu dữ liệu"]
    assert list(bars[0].y) == [3, 8, 15]
    assert list(bars[0].x) == ["2021", "2022", "2023"]
    assert [b.marker.pattern.shape for b in bars] == ["", "/", "."]
    labels = [tr for tr in fig.data if tr.type == "scatter" and tr.mode == "text"]
    assert list(labels[0].text) == ["<b>3/19</b>", "<b>8/19</b>", "<b>15/19</b>"]
    assert fig.layout.barmode == "stack"


def test_status_grid_writes_the_status_in_every_cell() -> None:
    fig = _all_figures()["grid"]
    heat = fig.data[0]
    assert list(heat.y) == ["Toàn xã", "Bản Pẻn", "Nà Cưởm"]
    assert list(heat.x) == ["TC 1", "TC 2", "TC 3"]
    text = [list(row) for row in heat.text]
    assert text[0][0] == "✓ Đạt"
    assert text[0][1] == "✗<br>Chưa đạt"
    assert text[1][1] == "? Thiếu<br>dữ liệu"
    assert text[1][0] == "" and text[0][2] == ""  # not judged for a village / no value at all
    z = [list(row) for row in heat.z]
    order = list(charts.GRID_ORDER)
    assert z[0][:2] == [order.index("met"), order.index("unmet")]
    assert z[1][0] == order.index("not_applicable")
    legend = [tr.name for tr in fig.data[1:]]
    assert legend == ["✓ Đạt", "✗ Chưa đạt", "? Thiếu dữ liệu", "Không áp dụng"]
    assert "Giao thông" in heat.customdata[0][1]


@pytest.mark.parametrize(
    ("status", "cell", "colour"),
    [
        ("missing", "? Thiếu<br>dữ liệu", "#D4D4D4"),
        ("unknown", "? Thiếu<br>dữ liệu", "#D4D4D4"),
        ("no_threshold", "–", "#F2F2F2"),  # the legend and the hover say it
    ],
)
def test_status_grid_tells_a_missing_threshold_from_missing_data(
    status: str, cell: str, colour: str
) -> None:
    """318 criteria 10 and 11 have no threshold: the grid says so, not "Thiếu dữ liệu"."""
    cells = pd.DataFrame({"row": ["Toàn xã"], "column": ["10"], "status": [status]})
    fig = charts.status_grid(cells, rows=["Toàn xã"], columns=["10"], title="t", **KW)
    heat = fig.data[0]
    assert heat.text[0][0] == cell
    scale = {round(float(x), 3): c for x, c in heat.colorscale}
    position = charts.GRID_ORDER.index(charts.AS_CRITERION_STATUS[status])
    assert scale[round(position / len(charts.GRID_ORDER), 3)] == colour
    legend = [tr.name for tr in fig.data[1:]]
    assert ("– Chưa có ngưỡng" in legend) == (status == "no_threshold")


def test_status_grid_in_english() -> None:
    fig = charts.status_grid(GRID, rows=["Toàn xã"], columns=["1", "2"], title="t", lang="en", **KW)
    assert [list(r) for r in fig.data[0].text] == [["✓ Met", "✗<br>Not met"]]
    assert list(fig.data[0].x) == ["C1", "C2"]


def test_user_text_is_not_read_as_markup_by_plotly() -> None:
    cells = pd.DataFrame({"row": ["<b>Thôn</b>"], "column": ["1"], "status": ["met"]})
    fig = charts.status_grid(cells, rows=["<b>Thôn</b>"], columns=["1"], title="t", **KW)
    assert list(fig.data[0].y) == ["&lt;b&gt;Thôn&lt;/b&gt;"]
    assert fig.data[0].text[0][0] == "✓ Đạt"  # the cell still matches its escaped row


def test_indicator_chart_draws_the_threshold_as_a_line_and_bars_by_status() -> None:
    fig = _all_figures()["indicator"]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1 and lines[0].y0 == 70.0 == lines[0].y1 and lines[0].line.dash == "dash"
    names = [tr.name for tr in fig.data]
    assert "Ngưỡng ≥ 70%" in names
    bars = {tr.name: tr for tr in fig.data if tr.type == "bar"}
    assert list(bars["✓ Đạt"].x) == ["Toàn xã", "Bản Pẻn"]
    assert list(bars["✗ Chưa đạt"].x) == ["Nà Cưởm"]
    assert list(bars["✗ Chưa đạt"].text) == ["64,5%"]  # decimal comma
    missing = [tr for tr in fig.data if tr.type == "scatter" and tr.mode == "markers+text"]
    assert list(missing[0].x) == ["Phặc Tràng"]
    assert list(fig.layout.xaxis.categoryarray) == ["Toàn xã", "Bản Pẻn", "Nà Cưởm", "Phặc Tràng"]


def test_indicator_chart_yes_no_has_no_threshold_line() -> None:
    frame = pd.DataFrame({"label": ["A", "B"], "value": [1.0, 0.0], "status": ["met", "unmet"]})
    fig = charts.indicator_chart(
        frame, threshold=1.0, direction="==", kind="boolean", title="t", **KW
    )
    assert not [s for s in fig.layout.shapes if s.type == "line"]
    texts = [t for tr in fig.data if tr.type == "bar" for t in tr.text]
    assert texts == ["Có", "Không"]


def test_indicator_trend_highlights_the_commune_names_flagged_villages_and_the_threshold() -> None:
    fig = _all_figures()["trend"]
    lines = {tr.name: tr for tr in fig.data if tr.mode == "lines+markers"}
    assert lines["Toàn xã"].line.width > lines["Nà Cưởm"].line.width
    assert "Các thôn khác" in lines  # Bản Pẻn: not flagged, grey, unnamed
    ends = [tr.text[0].strip() for tr in fig.data if tr.mode == "text"]
    assert sorted(ends) == ["<b>Toàn xã</b>", "Nà Cưởm"]
    threshold = [tr for tr in fig.data if tr.mode == "lines"]
    assert threshold[0].name == "Ngưỡng ≥ 70%" and list(threshold[0].y) == [70.0, 70.0]


def test_indicator_trend_pushes_end_names_apart() -> None:
    frame = pd.DataFrame(
        {
            "period": [2021, 2022] * 3,
            "label": ["A", "A", "B", "B", "C", "C"],
            "value": [10.0, 50.0, 10.0, 50.1, 0.0, 100.0],
            "flag": [True, True, True, True, False, False],
        }
    )
    fig = charts.indicator_trend(
        frame, thresholds=None, direction=">=", kind="percent", title="t", **KW
    )
    ys = sorted(tr.y[0] for tr in fig.data if tr.mode == "text")
    assert ys[1] - ys[0] >= 100 * 0.05


def test_builders_do_not_import_streamlit() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(charts.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(str(m).startswith("streamlit") for m in imported)
