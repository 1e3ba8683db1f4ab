"""Cài đặt › "Nạp phụ lục của quyết định": upload the annex, review the draft, correct, approve.

Drawn by `section(ctx)` (one line in screens/cai_dat.py). The review table shows every threshold
the parser read beside the text printed in the document and where it was printed; cells a
person must read are highlighted (and say so in words: colour is not the only sign). A person
types their reading in the last column ("≥ 70%", "Đạt", "cần bổ sung"); approving is possible
once no cell is flagged.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ntm.annex import ANNEX, file_kind
from ntm.annex.draft import NotReady, counts
from ntm.auth import Action, PermissionDenied
from ntm.errors import CriteriaError
from ntm.ui import annex_service as svc
from ntm.ui import auth_ui, services
from ntm.ui.context import Context, md
from ntm.ui.settings.criteria_import import id_and_base
from ntm.ui.tables import problems_table

ROUND = "annex_upload_round"  # bumping it empties the uploader
FLASH = "annex_flash"
FLAGGED_COLOUR = "background-color: #fde2c4; font-weight: 600"


def section(ctx: Context) -> None:
    st.subheader(ctx.tr("annex_ui.title"))
    if FLASH in st.session_state:
        st.success(md(st.session_state.pop(FLASH)), icon=":material/check_circle:")
    if not auth_ui.require_action(Action.IMPORT_CRITERIA, ctx.lang):
        return
    st.caption(ctx.tr("annex_ui.help"))
    _upload(ctx)
    open_drafts = svc.open_drafts()
    if not open_drafts:
        st.caption(ctx.tr("annex_ui.none"))
        return
    info = st.selectbox(
        ctx.tr("annex_ui.pick"),
        open_drafts,
        index=len(open_drafts) - 1,
        format_func=lambda i: ctx.tr(
            "annex_ui.option", set_id=i.set_id, file=i.filename, user=i.user, id=i.id
        ),
        key="annex_pick",
    )
    _review(ctx, info.id)


def _upload(ctx: Context) -> None:
    round_ = int(st.session_state.get(ROUND, 0))
    upload = st.file_uploader(
        ctx.tr("annex_ui.file"), type=["docx", "pdf", "xlsx"], key=f"annex_upload_{round_}"
    )
    set_id, based_on = id_and_base(ctx, "annex_ui", "annex_ui.auto", "annex")
    if upload is None:
        return
    data = upload.getvalue()
    if file_kind(upload.name, data) != ANNEX:
        st.info(ctx.tr("annex_ui.is_sheet"))
        return
    if not st.button(ctx.tr("annex_ui.read"), type="primary", key="annex_read"):
        return
    try:
        result = svc.import_annex(upload.name, data, set_id, based_on, auth_ui.current_user())
    except PermissionDenied:
        st.warning(auth_ui.refusal(auth_ui.current_user(), Action.IMPORT_CRITERIA, ctx.lang))
        return
    if result.draft_id is None:
        st.error(ctx.tr("annex_ui.unread", n=len(result.problems)))
        problems_table(ctx, services.problems_frame(result.problems, ctx.lang))
        return
    st.session_state[FLASH] = ctx.tr("annex_ui.stored", id=result.draft_id)
    st.session_state[ROUND] = round_ + 1
    st.rerun()


def _labels(ctx: Context) -> dict[str, str]:
    return {c: ctx.tr(f"annex_ui.col.{c}") for c in svc.COLUMNS}


def _review(ctx: Context, draft_id: int) -> None:
    draft = svc.get(draft_id)
    tally = counts(draft)
    doc = draft.source
    st.markdown(
        md(
            ctx.tr(
                "annex_ui.summary",
                file=doc.filename,
                sha=doc.sha256[:16],
                based_on=draft.based_on,
                set_id=draft.set_id,
                **tally,
            )
        )
    )
    for row in draft.skipped:
        st.warning(md(ctx.tr("annex_ui.skipped", where=row.where.ref, text=row.text)))
    frame = svc.cells_frame(draft, ctx.lang)
    flagged_word = svc.status_text("flagged", ctx.lang)
    only = st.toggle(ctx.tr("annex_ui.only_flagged"), key=f"annex_only_{draft_id}")
    if only:
        frame = frame[frame["status"] == flagged_word]
    labels = _labels(ctx)
    styled = frame.style.apply(
        lambda row: [FLAGGED_COLOUR if row["status"] == flagged_word else ""] * len(row), axis=1
    )
    may_edit = auth_ui.may(Action.EDIT_CRITERIA)
    config: dict[str, Any] = {c: st.column_config.TextColumn(labels[c]) for c in svc.COLUMNS}
    if not may_edit:
        st.dataframe(styled, hide_index=True, column_config=config)
        st.info(auth_ui.refusal(auth_ui.current_user(), Action.EDIT_CRITERIA, ctx.lang))
        return
    edited = st.data_editor(
        styled,
        hide_index=True,
        num_rows="fixed",
        disabled=[c for c in svc.COLUMNS if c != "correction"],
        column_config=config,
        key=f"annex_cells_{draft_id}_{tally['corrected']}_{only}",
    )
    typed = _typed(frame, pd.DataFrame(edited))
    left, right = st.columns(2)
    if left.button(ctx.tr("annex_ui.save", n=len(typed)), disabled=not typed, key="annex_save"):
        refused = svc.correct(draft_id, typed, auth_ui.current_user())
        for item in refused:
            reason = ctx.tr(f"annex_ui.reason.{item.reason}")
            st.error(md(ctx.tr("annex_ui.refused", typed=item.typed, reason=reason)))
        if not refused:
            st.session_state[FLASH] = ctx.tr("annex_ui.saved", n=len(typed))
            st.rerun()
    waiting = tally["flagged"]
    if right.button(
        ctx.tr("annex_ui.approve"), type="primary", disabled=waiting > 0, key="annex_approve"
    ):
        _approve(ctx, draft_id)
    if waiting:
        st.caption(ctx.tr("annex_ui.waiting", n=waiting))


def _typed(shown: pd.DataFrame, edited: pd.DataFrame) -> dict[int, str]:
    """Cell index → what the person typed, for the rows whose correction changed."""
    out = {}
    for index, before, after in zip(
        shown.index, shown["correction"], edited["correction"], strict=True
    ):
        text = "" if after is None or pd.isna(after) else str(after).strip()
        if text and text != before:
            out[int(index)] = text
    return out


def _approve(ctx: Context, draft_id: int) -> None:
    try:
        revision = svc.approve(draft_id, auth_ui.current_user())
    except PermissionDenied:
        st.warning(auth_ui.refusal(auth_ui.current_user(), Action.EDIT_CRITERIA, ctx.lang))
        return
    except NotReady as exc:
        st.error(md(ctx.tr("annex_ui.waiting", n=len(exc.cells))))
        return
    except CriteriaError as exc:
        st.error(md(ctx.tr("criteria_ui.edit.invalid", detail=str(exc))))
        return
    draft = svc.get(draft_id)
    st.session_state[FLASH] = ctx.tr("annex_ui.approved", set_id=draft.set_id, revision=revision)
    st.rerun()
