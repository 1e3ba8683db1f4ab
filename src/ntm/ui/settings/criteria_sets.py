"""Cài đặt › the criteria sets: what an incomplete set in force lacks (and how to fix it), the
sets shipped and stored (the one in use marked), and a set's sheet to download."""

from __future__ import annotations

import streamlit as st

from ntm.ui import criteria_service as cs
from ntm.ui import services
from ntm.ui.context import Context, md


def section(ctx: Context, commune: str | None) -> None:
    st.subheader(ctx.tr("ui.settings.sets"))
    incomplete_notice(ctx, commune)
    st.caption(ctx.tr("criteria_ui.sets_help"))
    st.dataframe(cs.sets_table(ctx.lang), hide_index=True)
    download(ctx)


def incomplete_notice(ctx: Context, commune: str | None) -> None:
    """Say plainly when the set in force is incomplete, and how to fix it."""
    for item in cs.incomplete_in_force(commune):
        crit = item.crit
        keyed_by = ctx.tr(f"criteria_ui.keyed_by.{crit.keyed_by}")
        decision = crit.legal_basis.decision
        st.warning(
            md(
                ctx.tr(
                    "criteria_ui.incomplete.title",
                    years=", ".join(str(y) for y in item.years),
                    title=crit.title.get(ctx.lang),
                    decision=decision,
                )
            )
            + "\n\n"
            + md(
                ctx.tr(
                    "criteria_ui.incomplete.body",
                    n=crit.indicator_count(),
                    expected=crit.expected_indicators or "?",
                    missing=crit.missing_text(ctx.lang),
                )
            )
            + "\n\n"
            + md(
                ctx.tr(
                    "criteria_ui.incomplete.fix",
                    set_id=crit.id,
                    keyed_by=keyed_by,
                    decision=decision,
                )
            ),
            icon=":material/warning:",
        )


def download(ctx: Context) -> None:
    """A set (any revision) as the Excel sheet people verify or correct."""
    st.markdown(f"**{md(ctx.tr('criteria_ui.download'))}**")
    options = cs.versions()
    in_use = services.criteria_sets()
    default = next(
        (i for i, (s, r) in enumerate(options) if s in in_use and in_use[s].revision == r), 0
    )
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    set_id, revision = left.selectbox(
        ctx.tr("criteria_ui.download.pick"),
        options,
        index=default,
        format_func=lambda o: ctx.tr(
            "criteria_ui.download.option",
            set_id=o[0],
            origin=cs.origin(o[1], ctx.lang),
            revision=o[1],
        ),
        key="criteria_download_pick",
    )
    right.download_button(
        ctx.tr("criteria_ui.download.button"),
        data=cs.sheet_bytes(set_id, revision),
        file_name=cs.sheet_name(set_id, revision),
        mime=services.XLSX_MIME,
        icon=":material/download:",
        key="criteria_download",
    )
