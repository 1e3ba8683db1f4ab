"""How a return was read, shown beside it in the preview (issue 12): the units understood, what
each column was taken to hold, values used and not, and the self-assessment cross-check.

The facts come from the reader (`ReadResult.summary`) and `ntm.selfcheck`; this module only
lays them out, so that a person sees at a glance that the reader understood their file.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from ntm.selfcheck import Disagreement, check_result
from ntm.ui import services
from ntm.ui.context import Context, md
from ntm.ui.tables import safe_table
from ntm.values import ReadResult


def self_check(result: ReadResult) -> list[Disagreement]:
    """The rows of a read return whose self-assessment disagrees with the computed verdict."""
    return check_result(result, services.criteria_sets())


def understood(ctx: Context, result: ReadResult) -> str:
    """One line: commune, year, village(s), region or group, set, values used of read."""
    s = result.summary
    if s is None or s.commune is None:
        return ""
    parts = [ctx.tr("reading.ui.commune", commune=md(s.commune))]
    if s.period is not None:
        parts.append(ctx.tr("reading.ui.period", period=s.period))
    if s.villages:
        shown = ", ".join(md(v) for v in s.villages[:6]) + (" …" if len(s.villages) > 6 else "")
        parts.append(ctx.tr("reading.ui.villages", n=len(s.villages), names=shown))
    if s.region or s.group:
        key = "reading.ui.region" if s.region else "reading.ui.group"
        parts.append(ctx.tr(key, key_id=md(s.region or s.group)))
    if s.criteria_set:
        parts.append(ctx.tr("reading.ui.criteria_set", criteria_set=md(s.criteria_set)))
    parts.append(ctx.tr("reading.ui.values", used=s.values_used, read=s.values_read))
    return ctx.tr("reading.ui.understood") + " " + " · ".join(parts)


def sheets_frame(ctx: Context, result: ReadResult) -> pd.DataFrame:
    s = result.summary
    rows = []
    for sheet in s.sheets if s is not None else []:
        columns = "; ".join(
            f"{letter}: {sheet.column_label(letter, ctx.lang)}" for letter in sheet.columns
        )
        rows.append(
            {
                ctx.tr("ui.col.sheet"): sheet.sheet,
                ctx.tr("reading.ui.col.layout"): ctx.tr(f"reading.layout.{sheet.layout}"),
                ctx.tr("ui.col.unit"): sheet.unit or services.whole_commune(ctx.lang)
                if sheet.layout != "wide"
                else "",
                ctx.tr("reading.ui.col.header"): "–".join(
                    dict.fromkeys(str(r) for r in sheet.header_rows)
                ),
                ctx.tr("reading.ui.col.columns"): columns,
                ctx.tr("ui.col.values"): f"{sheet.values_used}/{sheet.values_read}",
            }
        )
    return pd.DataFrame(rows)


def reading_panel(ctx: Context, result: ReadResult) -> None:
    """The line saying what was understood, and the details in an expander."""
    line = understood(ctx, result)
    if not line:
        return
    st.caption(line)
    s = result.summary
    assert s is not None
    with st.expander(ctx.tr("reading.ui.details")):
        safe_table(sheets_frame(ctx, result))
        for note in s.notes:
            st.caption(md(note.text(ctx.lang)))


def self_check_list(ctx: Context, found: Sequence[Disagreement], *, title_key: str) -> None:
    """Every disagreement as a line: where, which indicator, the sentence."""
    if not found:
        return
    st.warning(ctx.tr(title_key, n=len(found)), icon=":material/fact_check:")
    lines = []
    for d in found:
        unit = d.village or services.whole_commune(ctx.lang)
        lines.append(
            f"- **{md(d.code)}** · {md(unit)} · {md(d.message(ctx.lang))} ({md(d.where())})"
        )
    st.markdown("\n".join(lines))
