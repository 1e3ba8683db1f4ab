"""Tổng quan: the commune's headline for a year, progress, villages × criteria, what blocks."""

from typing import Any

import streamlit as st

from ntm import charts
from ntm import formatting as fmt
from ntm.ui import merger_ui, reading_ui, services, widgets
from ntm.ui.widgets import md

ctx = widgets.page("ui.page.overview")
assert ctx.commune is not None and ctx.year is not None
ov = services.overview(ctx.commune, ctx.year, ctx.lang)
source, date = services.chart_source(ctx.commune, ctx.lang)
size: dict[str, Any] = {"source": source, "date": date, "lang": ctx.lang, "large": ctx.present}


def headline() -> None:
    assert ov is not None
    since = ctx.tr("ui.overview.since", year=ov.previous_year) if ov.previous_year else None

    def delta(n: int | None) -> dict[str, Any]:
        shown = fmt.change(n, ctx.lang, since) if since and n is not None else None
        return widgets.metric_delta(shown)

    # Side by side on a page; stacked in the left column of a presentation slide.
    a, b, c = (st.container(), st.container(), st.container()) if ctx.present else st.columns(3)
    a.metric(
        ctx.tr("ui.overview.criteria_met"),
        f"{ov.criteria_met}/{ov.criteria_total}",
        **delta(ov.change),
        border=True,
    )
    b.metric(
        ctx.tr("ui.overview.villages_at_standard"),
        f"{ov.villages_at_standard}/{ov.villages_total}",
        **delta(ov.village_change),
        help=(
            ctx.tr(
                "ui.overview.villages_at_standard_help_set",
                title=md(ov.village_set.title.get(ctx.lang)),
                n=len(ov.village_set.criteria),
            )
            if ov.village_set
            else ctx.tr("ui.overview.villages_at_standard_help")
        ),
        border=True,
    )
    c.metric(
        ctx.tr("ui.overview.indicators_unmet"),
        str(ov.indicators_unmet),
        help=ctx.tr("ui.overview.indicators_unmet_help"),
        border=True,
    )
    widgets.headline_notes(ctx, ov)


def progress() -> None:
    assert ov is not None
    # A merged commune: its predecessors' series and its own, in separate panels.
    if merger_ui.history(ctx, size, height=880 if ctx.present else None):
        return
    fig = services.figure(
        ("overview", ov.commune, ov.year),
        charts.progress_chart,
        ov.progress,
        title=ctx.tr("chart.title.progress", commune=charts.plain(ov.commune)),
        height=880 if ctx.present else None,
        **size,
    )
    widgets.chart(fig, key="progress")


def grid() -> None:
    assert ov is not None
    fig = services.figure(
        ("overview", ov.commune, ov.year),
        charts.status_grid,
        ov.grid,
        rows=ov.grid_rows,
        columns=ov.grid_columns,
        column_names=ov.column_names,
        title=ctx.tr("chart.title.grid", commune=charts.plain(ov.commune), year=ov.year),
        **size,
    )
    widgets.chart(fig, key="grid")


def blockers() -> None:
    assert ov is not None
    st.subheader(ctx.tr("ui.overview.blockers", year=ov.year))
    if not ov.blockers:
        st.success(ctx.tr("ui.overview.no_blockers"))
    for blocker in ov.blockers:
        label = ctx.tr("ui.criterion_label", number=blocker.criterion)
        st.markdown(f"**{md(label)} · {md(blocker.name)}**")
        if ctx.present:
            for row in blocker.rows.itertuples(index=False):
                st.markdown("- " + md(widgets.blocker_sentence(ctx, row)))
            continue
        st.dataframe(
            widgets.blocker_table(ctx, blocker.rows),
            hide_index=True,
            column_config=widgets.blocker_columns(ctx),
        )
    if not ov.unknown.empty and not ctx.present:
        st.markdown(f"**{md(ctx.tr('ui.overview.unknown'))}**")
        st.dataframe(widgets.unknown_table(ctx, ov.unknown), hide_index=True)
    found = services.self_check(ov.commune, ov.year)
    reading_ui.self_check_list(ctx, found, title_key="reading.ui.selfcheck_overview")


if ov is None:
    widgets.heading(ctx)
    if not merger_ui.before_merger(ctx, size):  # a year before the commune was formed
        st.info(ctx.tr("ui.no_data_year", year=ctx.year))
    st.stop()
if ctx.present:
    # A 16:9 slide: the headline on the left, one chart (or the blockers) on the right; the
    # villages × criteria grid needs the whole width for its 19 columns.
    slide = widgets.present_bar(ctx, ["progress", "grid", "blockers"]) or "progress"
    if slide == "grid":
        widgets.demo_badge(ctx)
        grid()
    else:
        left, right = st.columns([1, 3], gap="large")
        with left:
            widgets.present_title(ctx)
            headline()
        with right:
            if slide == "progress":
                progress()
            else:
                blockers()
else:
    widgets.heading(ctx)
    headline()
    progress()
    grid()
    blockers()
