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
    pick, labels = _pick(ctx, older, "ui.data.pick_revision", f"pick_revision_{unit}_{year}")
    if st.button(
        ctx.tr("ui.data.restore"), icon=":material/history:", key="restore"
    ) and auth_ui.require_action(Action.RESTORE_REVISION, ctx.lang):
        state.put(state.RESTORE, pick)
    candidate = state.get(state.RESTORE)
    if candidate not in labels:
        return
    text = ctx.tr("ui.data.restore_confirm", revision=labels[candidate], unit=unit, year=year)
    answer = _confirm(ctx, text, Action.RESTORE_REVISION, "restore")
    if answer is None:
        return
    if answer:
        ref = services.restore(int(candidate), auth_ui.current_user())
        state.put(state.FLASH, ctx.tr("ui.data.restored", number=ref.number))
    state.put(state.RESTORE, None)
    st.rerun()


def delete_section(ctx: Context, these: pd.DataFrame, unit: str, year: int) -> None:
    """Mark a revision deleted (admin), with a reason, after a confirmation. It stays readable
    and in the audit log; the latest revision not deleted becomes the current one."""
    alive = these[~these["deleted"]]
    if alive.empty:
        return
    with st.expander(ctx.tr("ui.data.delete_heading"), icon=":material/delete:"):
        pick, labels = _pick(ctx, alive, "ui.data.delete_pick", f"delete_pick_{unit}_{year}")
        reason = st.text_input(
            ctx.tr("ui.data.delete_reason"), max_chars=300, key=f"delete_reason_{unit}_{year}"
        )
        if st.button(ctx.tr("ui.data.delete"), key="delete") and auth_ui.require_action(
            Action.DELETE_REVISION, ctx.lang
        ):
            if not reason.strip():
                st.error(ctx.tr("ui.data.delete_reason_needed"))
            else:
                state.put(state.DELETE, (pick, reason.strip()))
        pending = state.get(state.DELETE)
        if not pending or pending[0] not in labels:
            return
        text = ctx.tr("ui.data.delete_confirm", revision=labels[pending[0]], unit=unit, year=year)
        answer = _confirm(ctx, text, Action.DELETE_REVISION, "delete")
        if answer is None:
            return
        if answer:
            services.delete_revision(pending[0], auth_ui.current_user(), pending[1])
            state.put(state.FLASH, ctx.tr("ui.data.deleted_done", revision=labels[pending[0]]))
        state.put(state.DELETE, None)
        st.rerun()


def _pick(ctx: Context, rows: pd.DataFrame, label_key: str, key: str) -> tuple[int, dict[int, str]]:
    """A revision among `rows` (by number and file), and every row's label by revision id."""
    labels = {
        int(r.revision_id): ctx.tr("ui.data.revision_label", number=r.number, file=r.file)
        for r in rows.itertuples(index=False)
    }
    pick = st.selectbox(
        ctx.tr(label_key), list(labels), format_func=lambda i: labels.get(i, str(i)), key=key
    )
    return int(pick), labels


def _confirm(ctx: Context, text: str, action: Action, name: str) -> bool | None:
    """Ask to confirm `text`: True on yes (once `action` is allowed), False on no, else None.
    The buttons are `{name}_yes` and `{name}_no`."""
    st.warning(md(text))
    yes, no = st.columns([1, 4])
    if yes.button(
        ctx.tr(f"ui.data.{name}_yes"), type="primary", key=f"{name}_yes"
    ) and auth_ui.require_action(action, ctx.lang):
        return True
    if no.button(ctx.tr("ui.data.restore_no"), key=f"{name}_no"):
        return False
    return None
