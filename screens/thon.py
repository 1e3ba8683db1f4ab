"""Thôn: one village — each indicator's value, threshold, status and gap; its history.

When the commune follows a province village set (Cài đặt), the village is also judged on it:
"Đạt chuẩn thôn NTM" is that set's verdict (all its criteria met).
"""

import streamlit as st

from ntm import charts
from ntm.ui import services, state, widgets
from ntm.ui.widgets import md

ctx = widgets.page("ui.page.village")
assert ctx.commune is not None and ctx.year is not None
names = services.villages_of(ctx.commune, ctx.year)
if not names:
    # A year on a set without indicators (2026-2030 as shipped): nothing judged, data kept.
    empty = services.set_without_indicators(ctx.commune, ctx.year)
    if empty is not None:
        title = md(empty.title.get(ctx.lang))
        st.info(ctx.tr("ui.village.none_judged", year=ctx.year, title=title))
    else:
        st.info(ctx.tr("ui.village.none", year=ctx.year))
    st.stop()
if not ctx.present:
    widgets.heading(ctx)
else:
    widgets.present_bar(ctx)
name = str(widgets.pick(ctx, state.VILLAGE, names, "ui.village.pick"))
view = services.village(ctx.commune, name, ctx.year, ctx.lang)
own = services.village_set_view(ctx.commune, name, ctx.year, ctx.lang)
if view is None and own is None:
    st.info(ctx.tr("ui.village.no_data", village=md(name), year=ctx.year))
    st.stop()


def yes_no(flag: bool) -> str:
    return ctx.tr("ui.value.yes") if flag else ctx.tr("ui.village.not_yet")


if own is None:
    assert view is not None
    a, b = st.columns(2)
    a.metric(
        ctx.tr("ui.village.criteria_met"),
        f"{view.criteria_met}/{view.criteria_total}",
        border=True,
    )
    b.metric(ctx.tr("ui.village.at_standard"), yes_no(view.at_standard), border=True)
else:
    crit = own.criteria_set
    a, b, c = st.columns(3)
    a.metric(
        # The province and title come from an imported sheet: escaped (labels render Markdown).
        ctx.tr("ui.village.set_criteria_met", province=md(crit.province))
        if crit.province
        else ctx.tr("ui.village.set_criteria_met_plain"),
        f"{own.criteria_met}/{own.criteria_total}",
        help=ctx.tr("ui.village.set_help", title=md(crit.title.get(ctx.lang))),
        border=True,
    )
    b.metric(ctx.tr("ui.village.set_at_standard"), yes_no(own.at_standard), border=True)
    c.metric(
        ctx.tr("ui.village.commune_criteria_met"),
        f"{view.criteria_met}/{view.criteria_total}" if view else "—",
        help=ctx.tr("ui.village.commune_criteria_help"),
        border=True,
    )
    if not crit.complete:
        # The sentence is Markdown this code wrote (bold title); what the set says is escaped.
        st.warning(
            ctx.tr(
                "ui.village.set_incomplete",
                title=md(crit.title.get(ctx.lang)),
                decision=md(crit.legal_basis.decision),
                missing=md(crit.missing_text(ctx.lang)),
                set_id=md(crit.id),
            ),
            icon=":material/warning:",
        )
    st.subheader(md(ctx.tr("ui.village.set_heading", title=crit.title.get(ctx.lang))))
    status_col = ctx.tr("ui.col.status")
    widgets.safe_table(
        own.criteria.rename(
            columns={
                "criterion": ctx.tr("ui.col.criterion"),
                "name": ctx.tr("ui.col.name"),
                "status": status_col,
            }
        ).assign(**{status_col: [widgets.status_badge(ctx, s) for s in own.criteria["status"]]}),
        markdown_columns=(status_col,),
    )
    if not own.table.empty:
        widgets.indicator_table(ctx, own.table)
if view is None:  # only the province village set's values: no commune-set indicators
    st.stop()
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
