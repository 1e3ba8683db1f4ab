"""Dữ liệu: uploads with who/when and the original file; revisions, restored after confirmation.

The register's repairs (merging units split by spelling, renaming) are in ntm.ui.repair.
Reading is open; the original files and who uploaded them need a login (or NTM_OPEN_RECORDS);
restoring or deleting a revision needs an admin login (asked on the click and again on the
confirmation), and the change is recorded under that account. A deleted revision stays
readable; deleting needs a reason, which the audit log keeps.
"""

import streamlit as st

from ntm.auth import Action
from ntm.ui import auth_ui, repair, services, state, widgets
from ntm.ui.widgets import md

ctx = widgets.page("ui.page.data", needs_data=False)

# Uploads -------------------------------------------------------------------------------------
st.subheader(ctx.tr("ui.data.uploads"))
uploads = services.uploads(ctx.commune)
if uploads.empty:
    st.info(ctx.tr("ui.data.no_uploads"))
    st.stop()
records = widgets.records_shown()  # original files and uploader names: a login
st.dataframe(widgets.uploads_table(ctx, uploads, names=records), hide_index=True)
chosen = widgets.pick_upload(ctx, uploads, names=records)
widgets.original_download(ctx, int(chosen))
problems = services.upload_problems(int(chosen))
if problems:
    widgets.problems_table(ctx, services.problems_frame(problems, ctx.lang))
repair.section(ctx)  # the register: suspected duplicates, merge / undo, rename (admin)

# Revisions -----------------------------------------------------------------------------------
st.subheader(ctx.tr("ui.data.revisions"))
flash = state.get(state.FLASH)
if flash:
    st.success(md(flash))
    state.put(state.FLASH, None)
revisions = services.revisions(ctx.commune)
if revisions.empty:
    st.info(ctx.tr("ui.data.no_revisions"))
    st.stop()
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
if these.empty:
    st.info(ctx.tr("ui.data.no_revisions_unit", unit=md(unit), year=year))
    st.stop()
st.dataframe(widgets.revisions_table(ctx, these, names=records), hide_index=True)


def restore_section() -> None:
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


def delete_section() -> None:
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


restore_section()
delete_section()
