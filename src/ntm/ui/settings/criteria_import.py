"""Cài đặt › a criteria sheet imported from Excel: read and previewed, then saved as a new set
or a new revision (an admin's) after a confirmation."""

from __future__ import annotations

import streamlit as st

from ntm.auth import Action, PermissionDenied
from ntm.ui import auth_ui, services
from ntm.ui import criteria_service as cs
from ntm.ui.context import Context, md
from ntm.ui.settings import FLASH
from ntm.ui.tables import problems_table

UPLOAD_ROUND = "criteria_upload_round"  # bumping it empties the criteria uploader


def import_sheet(ctx: Context) -> None:
    st.subheader(ctx.tr("criteria_ui.import"))
    if not auth_ui.require_action(Action.IMPORT_CRITERIA, ctx.lang):
        return
    st.caption(ctx.tr("criteria_ui.import.help"))
    round_ = int(st.session_state.get(UPLOAD_ROUND, 0))
    upload = st.file_uploader(
        ctx.tr("criteria_ui.import.file"),
        type=["xlsx"],
        key=f"criteria_upload_{round_}",
        max_upload_size=services.upload_settings().upload_mb,
    )
    new_id, based_on = id_and_base(
        ctx, "criteria_ui.import", "criteria_ui.import.none", "criteria_import"
    )
    if upload is None:
        return
    preview = cs.read_import(upload.name, upload.getvalue(), new_id, based_on)
    if preview.crit is None:
        st.error(ctx.tr("criteria_ui.import.errors", n=len(preview.problems)))
        problems_table(ctx, services.problems_frame(preview.problems, ctx.lang))
        return
    crit = preview.crit
    complete = ctx.tr(f"criteria_ui.import.{'complete' if crit.complete else 'incomplete'}")
    st.info(
        md(
            ctx.tr(
                "criteria_ui.import.ready",
                set_id=crit.id,
                criteria=len(crit.criteria),
                indicators=crit.indicator_count(),
                unverified=crit.unverified_count(),
                complete=complete,
            )
        )
        + " "
        + md(
            ctx.tr("criteria_ui.import.will_be_new", set_id=crit.id)
            if preview.next_revision == 1 and crit.id not in services.criteria_sets()
            else ctx.tr(
                "criteria_ui.import.will_be_revision",
                set_id=crit.id,
                revision=preview.next_revision,
            )
        )
    )
    if st.button(ctx.tr("criteria_ui.import.confirm"), type="primary", key="criteria_import_save"):
        try:
            revision = cs.save_import(crit, auth_ui.current_user(), based_on)
        except PermissionDenied:
            st.warning(auth_ui.refusal(auth_ui.current_user(), Action.IMPORT_CRITERIA, ctx.lang))
            return
        key = (
            "criteria_ui.import.saved"
            if revision == preview.next_revision
            else ("criteria_ui.import.unchanged")
        )
        st.session_state[FLASH] = ctx.tr(key, set_id=crit.id, revision=revision)
        st.session_state[UPLOAD_ROUND] = round_ + 1
        st.rerun()


def id_and_base(ctx: Context, texts: str, none_key: str, name: str) -> tuple[str, str | None]:
    """Side by side: the id the new set is saved under, and the set it is based on (or none).
    `texts`: the catalogue prefix of the labels; the widgets are `{name}_id`, `{name}_base`."""
    left, right = st.columns(2)
    set_id = left.text_input(
        ctx.tr(f"{texts}.id"), help=ctx.tr(f"{texts}.id_help"), max_chars=80, key=f"{name}_id"
    )
    bases = [None, *sorted(services.criteria_sets())]
    based_on = right.selectbox(
        ctx.tr(f"{texts}.based_on"),
        bases,
        format_func=lambda i: ctx.tr(none_key) if i is None else i,
        key=f"{name}_base",
    )
    return set_id, based_on
