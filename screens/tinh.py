"""Tỉnh: the communes of a province for a year: at standard, criteria met, close to standard."""

from typing import Any

import streamlit as st

from ntm import charts
from ntm.ui import province_ui, services, widgets
from ntm.ui.widgets import md

ctx = widgets.page("ui.page.province", needs_data=False, commune_picker=False)
choice = province_ui.choose_province(ctx)
if choice is None or choice.ctx.year is None:
    st.stop()
ctx = choice.ctx
assert ctx.year is not None
pv = services.province_view(
    choice.province, ctx.year, ctx.lang, choice.group or None, choice.region or None
)
source, date, demo = services.province_chart_source(choice.province, ctx.lang)
name = charts.plain(choice.name)
size: dict[str, Any] = {"source": source, "date": date, "lang": ctx.lang, "large": ctx.present}
# What the view is drawn from: its charts are kept while the data caches hold (services.figure).
shown = ("province", choice.province, pv.year, choice.group, choice.region)


def distribution() -> None:
    title = ctx.tr("chart.title.province_distribution", year=pv.year, province=name)
    fig = services.figure(shown, charts.distribution_chart, pv.distribution, title=title, **size)
    widgets.chart(fig, key="province_distribution")


def trend() -> None:
    title = ctx.tr("chart.title.province_trend", province=name)
    height = 860 if ctx.present else None
    fig = services.figure(shown, charts.trend_chart, pv.trend, title=title, height=height, **size)
    widgets.chart(fig, key="province_trend")


def grids() -> None:
    for i, grid in enumerate(pv.grids):
        title = ctx.tr("chart.title.province_grid", year=pv.year, province=name)
        if len(pv.grids) > 1:
            title += " · " + charts.plain(pv.sets.get(grid.criteria_set, grid.criteria_set))
        fig = services.figure(
            (*shown, grid.criteria_set),
            charts.status_grid,
            grid.cells,
            rows=grid.rows,
            columns=grid.columns,
            column_names=grid.column_names,
            title=title,
            **size,
        )
        widgets.chart(fig, key=f"province_grid_{i}")


def badge() -> None:
    if demo:
        st.badge(ctx.tr("ui.demo_badge"), icon=":material/science:", color="orange")


if ctx.present:
    slide = province_ui.slide(choice)
    st.markdown(f"## {md(ctx.tr('ui.province.present_title', province=choice.name, year=pv.year))}")
    badge()
    if not pv.communes:
        st.info(md(ctx.tr("ui.province.no_communes", province=choice.name, year=pv.year)))
    elif slide == "province_summary":
        left, right = st.columns([1, 3], gap="large")
        with left:
            province_ui.metrics(ctx, pv)
        with right:
            distribution()
    elif slide == "province_trend":
        trend()
    elif slide == "province_grid":
        grids()
    else:
        province_ui.close_list(ctx, pv)
    st.stop()

st.caption(md(ctx.tr("ui.province.heading", province=choice.name, year=pv.year, date=date)))
badge()
if not pv.communes:
    st.info(md(ctx.tr("ui.province.no_communes", province=choice.name, year=pv.year)))
    province_ui.notices(ctx, pv)
    st.stop()
province_ui.metrics(ctx, pv)
province_ui.notices(ctx, pv)
left, right = st.columns(2)
with left:
    distribution()
with right:
    trend()
grids()
province_ui.close_list(ctx, pv)
province_ui.communes_table(ctx, pv)
province_ui.open_commune(ctx, pv)
province_ui.downloads(choice, pv)
