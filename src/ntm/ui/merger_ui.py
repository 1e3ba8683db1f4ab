"""A commune formed by a merger on Tổng quan and Tiêu chí (issue 16), drawn from
`ntm.views.merger` through `services`: the progress as separate panels (each predecessor's
labelled series, then the commune's own, with the notes saying what changed), each
predecessor's headline for a year before the merger, and the crosswalk links of a criterion
marked "chưa xác minh" where the pair is not verified. Nothing is computed here."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ntm import charts
from ntm import formatting as fmt
from ntm.ui import services
from ntm.ui.context import Context, md
from ntm.ui.tables import chart


def history(ctx: Context, size: dict[str, Any], height: int | None = None) -> bool:
    """The merged commune's progress panels; False (nothing drawn) when it has no predecessor."""
    assert ctx.commune is not None
    found = services.history(ctx.commune, ctx.lang)
    if found is None:
        return False
    fig = charts.history_chart(
        [(p.label, p.set_label, p.progress) for p in found.panels],
        found.notes,
        title=ctx.tr("chart.title.progress", commune=charts.plain(ctx.commune)),
        height=height or 560,  # the panels' names and the notes sit under the bars
        **size,
    )
    chart(fig, key="history")
    for label in found.empty:
        st.caption(md(ctx.tr("merger.no_data", label=label)))
    return True


def before_merger(ctx: Context, size: dict[str, Any]) -> bool:
    """A year before the commune existed: each predecessor's headline that year, labelled, and
    the progress panels. False (nothing drawn) when no predecessor existed that year."""
    assert ctx.commune is not None and ctx.year is not None
    years = services.predecessor_years(ctx.commune, ctx.year, ctx.lang)
    if not years:
        return False
    found = services.history(ctx.commune, ctx.lang)
    formed = found.merged_on if found is not None else None
    if formed is not None and ctx.year >= formed.year:  # formed that year, no data of its own
        date = fmt.date(formed, ctx.lang)
        st.info(ctx.tr("merger.year_of", year=ctx.year, commune=ctx.commune, date=date))
    else:
        st.info(ctx.tr("merger.year_before", year=ctx.year, commune=ctx.commune))
    columns = st.columns(len(years))
    for column, item in zip(columns, years, strict=True):
        top = item.headline
        column.metric(
            ctx.tr("merger.criteria_met", label=item.label),
            f"{top.met}/{top.total}" if top is not None else "—",
            help=ctx.tr("merger.successor", successor=item.successor),
            border=True,
        )
    history(ctx, size, height=880 if ctx.present else None)
    return True


def links(ctx: Context, set_id: str, number: str) -> None:
    """Where the crosswalk follows criterion `number` of `set_id`, each pair marked verified or
    "chưa xác minh"; nothing when no crosswalk touches the set."""
    found = services.criterion_links(set_id, number, ctx.lang)
    if not found:
        return
    lines = []
    for link in found:
        standing = ctx.tr("merger.link.verified" if link.verified else "merger.link.unverified")
        # merger.link.to / merger.link.from / merger.link.maybe
        text = ctx.tr(
            f"merger.link.{link.direction}", set=link.set_title, number=link.number, name=link.name
        )
        mark = "" if link.verified else ":material/warning: "
        note = f" — {md(link.note)}" if link.note else ""
        lines.append(f"- {mark}{md(text)} · **{md(standing)}**{note}")
    st.markdown(f"**{md(ctx.tr('merger.link.title'))}**\n\n" + "\n".join(lines))
