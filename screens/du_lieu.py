"""Dữ liệu: uploads with who/when and the original file; revisions, restored after confirmation.

The register's repairs (merging units split by spelling, renaming) are in ntm.ui.repair; restoring
and deleting revisions in ntm.ui.revision_actions. Reading is open; the original files and who
uploaded them need a login (or NTM_OPEN_RECORDS); restoring or deleting a revision needs an admin
login.
"""

import streamlit as st

from ntm.ui import repair, revision_actions, services, state, widgets
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
these, unit, year = revision_actions.pick_unit(ctx, revisions)
if these.empty:
    st.info(ctx.tr("ui.data.no_revisions_unit", unit=md(unit), year=year))
    st.stop()
st.dataframe(widgets.revisions_table(ctx, these, names=records), hide_index=True)
revision_actions.restore_section(ctx, these, unit, year)
revision_actions.delete_section(ctx, these, unit, year)
