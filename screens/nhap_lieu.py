"""Nhập liệu: download the pre-filled template; upload returns; preview every problem; confirm.

Nothing is stored before the confirmation, and never from a file with errors. The template is
open to every reader; uploading and confirming need a staff (or admin) login, and the upload is
recorded under that account. A batch over the configured number of files is refused unread.
Names are matched to the register of units: a file naming a village the register does not know
waits until staff say which village it is (or an admin adds it); a re-upload says what it
replaces and, when it would drop current values, asks "replace" or "update" (ntm.ui.upload_flow).
"""

import datetime as dt

import streamlit as st

from ntm.ui import auth_ui, services, state, upload_flow, widgets
from ntm.ui.auth_ui import Action
from ntm.ui.widgets import md

ctx = widgets.page("ui.page.upload", needs_data=False)

# 1. The template -----------------------------------------------------------------------------
st.subheader(ctx.tr("ui.upload.template"))
if ctx.commune:
    year = int(
        st.number_input(
            ctx.tr("ui.upload.template_year"),
            min_value=2000,
            max_value=2100,
            value=ctx.year or dt.date.today().year,
            step=1,
            key="template_year",
        )
    )
    try:
        data = services.template_bytes(ctx.commune, year)
    except services.NoCriteriaSetError as exc:
        st.warning(services.no_set_message(exc, ctx.lang))
    else:
        st.download_button(
            ctx.tr("ui.upload.template_download", commune=md(ctx.commune), year=year),
            data=data,
            file_name=services.template_name(ctx.commune, year),
            mime=services.XLSX_MIME,
            icon=":material/download:",
        )
else:
    st.info(ctx.tr("ui.upload.template_needs_commune"))

# 2. Upload and preview -----------------------------------------------------------------------
st.subheader(ctx.tr("ui.upload.send"))
if not auth_ui.require_action(Action.UPLOAD, ctx.lang):
    st.stop()
user = auth_ui.current_user()
assert user is not None
st.caption(ctx.tr("auth.upload.by", name=md(user.name)))
limits = services.upload_settings()
round_ = int(state.get(state.UPLOADER_ROUND) or 0)
files = st.file_uploader(
    ctx.tr("ui.upload.files"),
    type=["xlsx", "xlsm", "xls"],
    accept_multiple_files=True,
    key=f"{state.UPLOADER}_{round_}",
    help=ctx.tr("ui.upload.files_help"),
    max_upload_size=limits.upload_mb,
)
st.caption(
    ctx.tr("auth.upload.limits", files=limits.max_files_per_batch, mb=f"{limits.max_file_mb:g}")
)
if not files:
    for line in state.get(state.SAVED) or []:
        (st.success if line["ok"] else st.warning)(md(line["text"]))
elif services.too_many_files(len(files)):
    st.error(ctx.tr("auth.upload.too_many_files", n=len(files), limit=limits.max_files_per_batch))
else:
    state.put(state.SAVED, [])
    previews = [upload_flow.preview(f.name, f.getvalue()) for f in files]
    st.markdown(f"**{md(ctx.tr('ui.upload.preview'))}**")
    for preview in previews:
        upload_flow.draw_file(ctx, preview)
    problems = [p for preview in previews for p in preview.problems]
    if problems:
        st.markdown(f"**{md(ctx.tr('ui.upload.problems', n=len(problems)))}**")
        widgets.problems_table(ctx, services.problems_frame(problems, ctx.lang))
    mode = upload_flow.mode_choice(ctx, previews)
    n_ok = sum(p.ready for p in previews)
    if st.button(
        ctx.tr("ui.upload.confirm", n=n_ok),
        type="primary",
        disabled=n_ok == 0 or mode is None,
        icon=":material/save:",
        key="confirm_upload",
    ) and auth_ui.require_action(Action.CONFIRM_UPLOAD, ctx.lang):
        lines = []
        for preview in previews:
            if not preview.ready or mode is None:
                lines.append({"ok": False, "text": ctx.tr("ui.upload.skipped", file=preview.name)})
                continue
            outcome = upload_flow.save(preview, auth_ui.current_user(), mode)
            lines.append(widgets.outcome_line(ctx, outcome))
        state.put(state.SAVED, lines)
        state.put(state.UPLOADER_ROUND, round_ + 1)
        st.rerun()
