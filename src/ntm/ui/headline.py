"""What Tổng quan says around its numbers: a change on a metric (in the charts' colours), the
notes under the headline, and what blocks each unmet criterion (table, columns, and the
sentence of the presentation mode)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ntm import formatting as fmt
from ntm import views
from ntm.ui.context import Context, md
from ntm.ui.tables import tagged_threshold, tagged_thresholds

# The colours of a change on st.metric: the charts' and the exports' pair (blue for better,
# orange for worse), which reads for colour-blind viewers, unlike Streamlit's green and red.
CHANGE_COLOURS = {True: "blue", False: "orange"}


def metric_delta(change: fmt.Change | None) -> dict[str, Any]:
    """st.metric's delta arguments for a change (None: no earlier year). The arrow and colour
    are given, not left to Streamlit, which takes any text not starting with "-" for a rise."""
    if change is None:
        return {"delta": None}
    if change.better is None:
        return {"delta": change.text, "delta_color": "off", "delta_arrow": "off"}
    return {
        "delta": change.text,
        "delta_color": CHANGE_COLOURS[change.better],
        "delta_arrow": change.direction,
    }


def headline_notes(ctx: Context, ov: Any) -> None:
    """Under Tổng quan's headline: unverified thresholds, and what village aggregates count
    (the commune's village register, or the villages that reported: issue 13)."""
    # The profile lacks what the year needs (a commune group for 2026-2030, a set that no
    # longer exists): said first, in a sentence the clerk can act on (issue 16).
    for problem in views.notices(ov.problems, ov.year):
        st.warning(md(problem.message(ctx.lang)), icon=":material/warning:")
    if ov.thresholds_unverified:
        key = "ui.overview.unverified_short" if ctx.present else "ui.overview.unverified"
        text = ctx.tr(key, n=ov.thresholds_unverified, total=ov.thresholds_used)
        st.caption(":material/warning: " + md(text))
    if ctx.present:
        return
    if ov.registered is None:
        st.caption(":material/info: " + md(ctx.tr("ui.overview.aggregate_reported")))
    else:
        st.caption(md(ctx.tr("ui.overview.aggregate_register", n=len(ov.registered))))


def blocker_table(ctx: Context, rows: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return pd.DataFrame(
        {
            ctx.tr("ui.col.indicator"): frame["code"],
            ctx.tr("ui.col.name"): frame["name"],
            ctx.tr("ui.col.value"): frame["value"],
            ctx.tr("ui.col.threshold"): tagged_thresholds(ctx, frame),
            ctx.tr("ui.col.gap"): frame["gap"],
            ctx.tr("ui.col.villages_behind"): frame["villages"],
        }
    )


def blocker_columns(ctx: Context) -> dict[str, Any]:
    return {
        ctx.tr("ui.col.indicator"): st.column_config.TextColumn(width="small"),
        ctx.tr("ui.col.name"): st.column_config.TextColumn(width="large"),
        ctx.tr("ui.col.villages_behind"): st.column_config.TextColumn(width="large"),
    }


def blocker_sentence(ctx: Context, row: Any) -> str:
    """One unmet indicator in a sentence (presentation mode); empty parts are left out."""
    text = ctx.tr(
        "ui.overview.sentence",
        code=row.code,
        name=row.name,
        value=row.value,
        threshold=tagged_threshold(ctx, row.threshold, row.verified),
    )
    if row.gap != fmt.MISSING:
        text += ctx.tr("ui.overview.sentence_gap", gap=row.gap)
    if row.villages != fmt.MISSING:
        text += ctx.tr("ui.overview.sentence_villages", villages=row.villages)
    return text
