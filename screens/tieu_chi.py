"""Tiêu chí: one criterion / indicator across villages and years, threshold drawn as a line."""

from typing import Any

import streamlit as st

from ntm import charts
from ntm.ui import merger_ui, services, state, widgets
from ntm.ui.widgets import md

ctx = widgets.page("ui.page.criterion")
assert ctx.commune is not None and ctx.year is not None
if ctx.present:
    widgets.present_bar(ctx)
else:
    widgets.heading(ctx)
choices = services.indicator_choices(ctx.commune, ctx.year, ctx.lang)
if not choices:
    st.info(ctx.tr("ui.criterion.none", year=ctx.year))
    st.stop()
criteria = {c.criterion: c.criterion_name for c in choices}
left, right = st.columns([1, 2])
with left:
    number = widgets.pick(
        ctx,
        state.CRITERION,
        list(criteria),
        "ui.criterion.pick",
        format_func=lambda n: f"{ctx.tr('ui.criterion_label', number=n)} · {criteria.get(n, '')}",
    )
codes = [c for c in choices if c.criterion == number]
labels = {c.code: c.label for c in codes}
with right:
    code = widgets.pick(
        ctx,
        state.INDICATOR,
        [c.code for c in codes],
        "ui.criterion.pick_indicator",
        format_func=lambda k: labels.get(k, str(k)),
    )
view = services.indicator(ctx.commune, str(code), ctx.year, ctx.lang)
# A year before a merger: each predecessor's own values, labelled (never added up).
before = [] if view else services.predecessor_indicators(ctx.commune, str(code), ctx.year, ctx.lang)
if view is None and not before:
    st.info(ctx.tr("ui.criterion.no_data", code=code, year=ctx.year))
    st.stop()
source, date = services.chart_source(ctx.commune, ctx.lang)


def draw(view: services.IndicatorView, unit: str, key: str) -> None:
    """One unit's indicator: by village this year, over the years, and the table."""
    common: dict[str, Any] = {
        "direction": view.direction,
        "kind": view.kind,
        "unit": view.unit,
        "source": source,
        "date": date,
        "lang": ctx.lang,
        "large": ctx.present,
    }
    plain = charts.plain(unit)
    if len(view.by_village) > 1:
        widgets.chart(
            charts.indicator_chart(
                view.by_village,
                threshold=view.threshold,
                title=ctx.tr(
                    "chart.title.indicator_villages", code=view.code, year=ctx.year, commune=plain
                ),
                **{**common, "kind": view.village_kind},
            ),
            key=f"by_village{key}",
        )
    widgets.chart(
        charts.indicator_trend(
            view.by_year,
            thresholds=view.thresholds,
            highlight=services.whole_commune(ctx.lang),
            title=ctx.tr("chart.title.indicator_years", code=view.code, commune=plain),
            **common,
        ),
        key=f"by_year{key}",
    )
    if not ctx.present:
        widgets.value_table(ctx, view.table)


first = view or before[0][1]
st.markdown(
    f"**{md(ctx.tr('ui.criterion_label', number=first.criterion))} · {md(first.criterion_name)}**"
    f" — {md(first.code)} {md(first.name)}"
)
if not first.verified:
    st.caption(":material/warning: " + md(ctx.tr("ui.criterion.unverified")))
merger_ui.links(ctx, first.criteria_set, first.criterion)
if view is not None:
    draw(view, ctx.commune, "")
for i, (label, shown) in enumerate(before):
    st.subheader(label)
    draw(shown, label, f"_{i}")
