"""Tables and charts drawn the safe way: user text never read as Markdown or HTML, statuses as
a coloured badge with a symbol and the word, unverified thresholds tagged."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ntm import formatting as fmt
from ntm.ui.context import Context, md

BADGE = {
    "met": "blue",
    "unmet": "orange",
    "missing": "gray",
    "no_threshold": "gray",
    "unknown": "gray",
    "not_applicable": "gray",
    "info": "gray",
}


SYMBOL = {"met": "✓", "unmet": "✗", "missing": "?", "no_threshold": "?", "unknown": "?"}


def tagged_threshold(ctx: Context, text: str, verified: bool) -> str:
    """A threshold with the "chưa đối chiếu" tag when it is not verified against the source."""
    return text if verified else f"{text} · {ctx.tr('ui.unverified_tag')}"


def tagged_thresholds(ctx: Context, frame: pd.DataFrame) -> list[str]:
    """The `threshold` column of `frame`, each tagged where its `verified` is false."""
    return [
        tagged_threshold(ctx, th, v)
        for th, v in zip(frame["threshold"], frame["verified"], strict=True)
    ]


def status_badge(ctx: Context, status: str) -> str:
    """Markdown for a status: a coloured badge with a symbol and the status in words."""
    label = fmt.status_label(status, ctx.lang)
    symbol = SYMBOL.get(status, "")
    return f":{BADGE.get(status, 'gray')}-badge[{symbol} {md(label)}]".replace("[ ", "[")


def safe_table(frame: pd.DataFrame, *, markdown_columns: tuple[str, ...] = ()) -> None:
    """st.table renders Markdown in cells: every text cell is escaped except the columns named
    in `markdown_columns`, which hold Markdown this code wrote (status badges)."""
    data = pd.DataFrame(frame).copy()
    for col in data.columns:
        if col in markdown_columns:
            continue
        data[col] = [md(v) if isinstance(v, str) else v for v in data[col]]
    data.columns = [md(c) for c in data.columns]
    st.table(data, hide_index=True, border="horizontal")


def indicator_table(ctx: Context, table: pd.DataFrame) -> None:
    """Thôn: each measured value with threshold (tagged when unverified), status and gap."""
    frame = pd.DataFrame(table)
    leading = {ctx.tr("ui.col.indicator"): frame["code"], ctx.tr("ui.col.name"): frame["name"]}
    _status_table(ctx, frame, leading, frame["raw_status"])


def value_table(ctx: Context, table: pd.DataFrame) -> None:
    """Tiêu chí: each unit's value, threshold, status and gap for the chosen year."""
    frame = pd.DataFrame(table)
    _status_table(ctx, frame, {ctx.tr("ui.col.unit"): frame["label"]}, frame["status"])


def _status_table(
    ctx: Context, frame: pd.DataFrame, leading: dict[str, pd.Series], statuses: pd.Series
) -> None:
    """The `leading` columns, then value, threshold (tagged), status badge and gap."""
    status_col = ctx.tr("ui.col.status")
    out = pd.DataFrame(
        {
            **leading,
            ctx.tr("ui.col.value"): frame["value"],
            ctx.tr("ui.col.threshold"): tagged_thresholds(ctx, frame),
            status_col: [status_badge(ctx, s) for s in statuses],
            ctx.tr("ui.col.gap"): frame["gap"],
        }
    )
    safe_table(out, markdown_columns=(status_col,))


def unknown_table(ctx: Context, unknown: pd.DataFrame) -> pd.DataFrame:
    """Criteria that cannot be judged, and why (Tổng quan)."""
    return unknown.rename(
        columns={
            "criterion": ctx.tr("ui.col.criterion"),
            "name": ctx.tr("ui.col.name"),
            "reason": ctx.tr("ui.col.reason"),
        }
    )


def problems_table(ctx: Context, frame: pd.DataFrame) -> None:
    """Every problem with file, sheet and cell (st.dataframe shows text as text)."""
    data = pd.DataFrame(frame)
    st.dataframe(
        data.rename(
            columns={
                "file": ctx.tr("ui.col.file"),
                "sheet": ctx.tr("ui.col.sheet"),
                "cell": ctx.tr("ui.col.cell"),
                "level": ctx.tr("ui.col.level"),
                "message": ctx.tr("ui.col.message"),
                "code": ctx.tr("ui.col.code"),
            }
        ),
        hide_index=True,
        column_config={ctx.tr("ui.col.message"): st.column_config.TextColumn(width="large")},
    )


def chart(fig: object, key: str | None = None) -> None:
    """A plotly figure as built by ntm.charts (their own template, not streamlit's theme)."""
    st.plotly_chart(
        fig,
        theme=None,
        key=key,
        config={"displaylogo": False, "toImageButtonOptions": {"scale": 2}},
    )
