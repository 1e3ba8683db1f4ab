"""Dữ liệu › the revisions of one unit and year: which to look at, restoring an earlier one and
deleting one. Both need an admin login (asked on the click and again on the confirmation), and
the change is recorded under that account. A deleted revision stays readable; deleting needs a
reason, which the audit log keeps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ntm.auth import Action
from ntm.ui import auth_ui, services, state
from ntm.ui.context import Context, md


def pick_unit(ctx: Context, revisions: pd.DataFrame) -> tuple[pd.DataFrame, str, int]:
    """The unit (the whole commune or a village) and year chosen, and their revisions."""
    whole = services.whole_commune(ctx.lang)
    units = [whole, *services.villages_of(ctx.commune)] if ctx.commune else [whole]
    years = sorted({int(p) for p in revisions["period"]}, reverse=True)
    left, right = st.columns(2)
    unit = left.selectbox(ctx.tr("ui.col.unit"), units, key="rev_unit")
    year = right.selectbox(
        ctx.tr("ui.col.year"),
        years,
        index=years.index(ctx.year) if ctx.year in years else 0,
        key="rev_year",
    )
    these = revisions[
        (revisions["period"] == year)
        & (revisions["village"].isna() if unit == whole else revisions["village"] == unit)
    ]
    return these, str(unit), int(year)


def restore_section(ctx: Context, these: pd.DataFrame, unit: str, year: int) -> None:
    """An earlier revision copied into a new current one (admin), after a confirmation."""
    older = these[~these["current"] & ~these["deleted"]]
    if older.empty:
        st.caption(ctx.tr("ui.data.only_current"))
        return
    rev_labels = {
        int(r.revision_id): ctx.tr("ui.data.revision_label", number=r.number, file=r.file)
        for r in older.itertuples(index=False)
    }
    pick = st.selectbox(
        ctx.tr("ui.data.pick_revision"),
        list(rev_labels),
        format_func=lambda i: rev_labels.get(i, str(i)),
        key=f"pick_revision_{unit}_{year}",
    )
    if st.button(
        ctx.tr("ui.data.restore"), icon=":material/history:", key="restore"
    ) and auth_ui.require_action(Action.RESTORE_REVISION, ctx.lang):
        state.put(state.RESTORE, int(pick))
    candidate = state.get(state.RESTORE)
    if candidate not in rev_labels:
        return
    text = ctx.tr("ui.data.restore_confirm", revision=rev_labels[candidate], unit=unit, year=year)
    st.warning(md(text))
    yes, no = st.columns([1, 4])
    if yes.button(
        ctx.tr("ui.data.restore_yes"), type="primary", key="restore_yes"
    ) and auth_ui.require_action(Action.RESTORE_REVISION, ctx.lang):
        ref = services.restore(int(candidate), auth_ui.current_user())
        state.put(state.RESTORE, None)
        state.put(state.FLASH, ctx.tr("ui.data.restored", number=ref.number))
        st.rerun()
    if no.button(ctx.tr("ui.data.restore_no"), key="restore_no"):
        state.put(state.RESTORE, None)
        st.rerun()


def delete_section(ctx: Context, these: pd.DataFrame, unit: str, year: int) -> None:
    """Mark a revision deleted (admin), with a reason, after a confirmation. It stays readable
    and in the audit log; the latest revision not deleted becomes the current one."""
    alive = these[~these["deleted"]]
    if alive.empty:
        return
    with st.expander(ctx.tr("ui.data.delete_heading"), icon=":material/delete:"):
        labels = {
            int(r.revision_id): ctx.tr("ui.data.revision_label", number=r.number, file=r.file)
            for r in alive.itertuples(index=False)
        }
        pick = st.selectbox(
            ctx.tr("ui.data.delete_pick"),
            list(labels),
            format_func=lambda i: labels.get(i, str(i)),
            key=f"delete_pick_{unit}_{year}",
        )
        reason = st.text_input(
            ctx.tr("ui.data.delete_reason"), max_chars=300, key=f"delete_reason_{unit}_{year}"
        )
        if st.button(ctx.tr("ui.data.delete"), key="delete") and auth_ui.require_action(
            Action.DELETE_REVISION, ctx.lang
        ):
            if not reason.strip():
                st.error(ctx.tr("ui.data.delete_reason_needed"))
            else:
                state.put(state.DELETE, (int(pick), reason.strip()))
        pending = state.get(state.DELETE)
        if not pending or pending[0] not in labels:
            return
        text = ctx.tr("ui.data.delete_confirm", revision=labels[pending[0]], unit=unit, year=year)
        st.warning(md(text))
        yes, no = st.columns([1, 4])
        if yes.button(
            ctx.tr("ui.data.delete_yes"), type="primary", key="delete_yes"
        ) and auth_ui.require_action(Action.DELETE_REVISION, ctx.lang):
            services.delete_revision(pending[0], auth_ui.current_user(), pending[1])
            state.put(state.DELETE, None)
            state.put(state.FLASH, ctx.tr("ui.data.deleted_done", revision=labels[pending[0]]))
            st.rerun()
        if no.button(ctx.tr("ui.data.restore_no"), key="delete_no"):
            state.put(state.DELETE, None)
            st.rerun()
