"""Thôn: one village — each indicator's value, threshold, status and gap; its history."""

import streamlit as st

from ntm import charts
from ntm.ui import services, state, widgets
from ntm.ui.widgets import md

ctx = widgets.page("ui.page.village")
assert ctx.commune is not None and ctx.year is not None
names = services.villages_of(ctx.commune, ctx.year)
if not names:
    st.info(ctx.tr("ui.village.none", year=ctx.year))
    st.stop()
if not ctx.present:
    widgets.heading(ctx)
else:
    widgets.present_bar(ctx)
name = str(widgets.pick(ctx, state.VILLAGE, names, "ui.village.pick"))
view = services.village(ctx.commune, name, ctx.year, ctx.lang)
if view is None:
    st.info(ctx.tr("ui.village.no_data", village=md(name), year=ctx.year))
    st.stop()

a, b = st.columns(2)
a.metric(
    ctx.tr("ui.village.criteria_met"), f"{view.criteria_met}/{view.criteria_total}", border=True
)
b.metric(
    ctx.tr("ui.village.at_standard"),
    ctx.tr("ui.value.yes") if view.at_standard else ctx.tr("ui.village.not_yet"),
    border=True,
)
st.subheader(md(ctx.tr("ui.village.indicators", village=name, year=ctx.year)))
widgets.indicator_table(ctx, view.table)
source, date = services.chart_source(ctx.commune, ctx.lang)
fig = charts.village_history(
    view.history,
    title=ctx.tr("chart.title.village_history", village=charts.plain(name)),
    source=source,
    date=date,
    lang=ctx.lang,
    large=ctx.present,
)
widgets.chart(fig, key="village_history")
