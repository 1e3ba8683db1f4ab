"""Cài đặt › thresholds edited in place: a set and a region or group, its thresholds in a
table (editable for an admin), the pending changes, and a save that makes a new revision
(refused when someone saved one meanwhile)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ntm.auth import Action, PermissionDenied
from ntm.criteria_edit import EDITABLE
from ntm.errors import CriteriaError, NoCriteriaSetError
from ntm.ui import auth_ui, services
from ntm.ui import criteria_service as cs
from ntm.ui.context import Context, md
from ntm.ui.settings import FLASH


def editor_columns(ctx: Context) -> dict[str, Any]:
    text = st.column_config.TextColumn
    return {
        "criterion": text(ctx.tr("criteria_ui.col.criterion"), width="small"),
        "code": text(ctx.tr("criteria_ui.col.code"), width="small"),
        "name": text(ctx.tr("criteria_ui.col.name"), width="large"),
        "unit": text(ctx.tr("criteria_ui.col.unit"), width="small"),
        "kind": text(ctx.tr("criteria_ui.col.kind"), width="small"),
        "direction": text(ctx.tr("criteria_ui.col.direction"), width="small"),
        "threshold": st.column_config.NumberColumn(ctx.tr("criteria_ui.col.threshold")),
        "verified": st.column_config.CheckboxColumn(ctx.tr("criteria_ui.col.verified")),
        "source": text(ctx.tr("criteria_ui.col.source"), width="medium"),
    }


def edit_thresholds(ctx: Context, commune: str | None) -> None:
    st.subheader(ctx.tr("criteria_ui.edit"))
    ids = cs.editable_sets()
    if not ids:
        st.info(ctx.tr("criteria_ui.edit.no_indicators"))
        return
    in_force = None
    if commune and ctx.year:
        try:
            in_force = services.criteria_for(commune, ctx.year).id
        except NoCriteriaSetError:  # no set covers the year: the first editable set
            in_force = None
    left, right = st.columns(2)
    set_id = left.selectbox(
        ctx.tr("criteria_ui.edit.set"),
        ids,
        index=ids.index(in_force) if in_force in ids else 0,
        key="criteria_edit_set",
    )
    crit = cs.get_set(set_id)
    names = {k.id: k.name.get(ctx.lang) for k in crit.keys}
    own = services.commune_key(commune, crit) if commune else None
    keys = crit.key_ids()
    default = cs.default_key(crit, commune)
    key = right.selectbox(
        ctx.tr("criteria_ui.edit.key"),
        keys,
        index=keys.index(default),
        format_func=lambda k: (
            ctx.tr("criteria_ui.edit.key_of_commune", name=names.get(k, k), commune=commune)
            if k == own
            else names.get(k, k)
        ),
        key=f"criteria_edit_key_{set_id}",
    )
    st.caption(
        md(
            ctx.tr(
                "criteria_ui.edit.revision_note",
                set_id=crit.id,
                origin=cs.origin(crit.revision, ctx.lang),
                revision=crit.revision,
            )
        )
        + " "
        + md(
            ctx.tr(
                "criteria_ui.edit.help", keyed_by=ctx.tr(f"criteria_ui.keyed_by.{crit.keyed_by}")
            )
        )
    )
    table = cs.threshold_table(set_id, str(key))
    if not auth_ui.require_action(Action.EDIT_CRITERIA, ctx.lang):
        st.dataframe(table, hide_index=True, column_config=editor_columns(ctx))
        return
    edited = st.data_editor(
        table,
        hide_index=True,
        num_rows="fixed",
        disabled=[c for c in table.columns if c not in EDITABLE],
        column_config=editor_columns(ctx),
        key=f"thr_{set_id}_{key}_{crit.revision}",
    )
    changes = cs.pending_changes(set_id, str(key), pd.DataFrame(edited))
    if changes:
        st.markdown(f"**{md(ctx.tr('criteria_ui.edit.pending', n=len(changes)))}**")
        st.dataframe(cs.changes_frame(changes, set_id, ctx.lang), hide_index=True)
    if not st.button(ctx.tr("criteria_ui.edit.save"), type="primary", key="criteria_edit_save"):
        return
    try:
        result = cs.save_thresholds(
            set_id, str(key), pd.DataFrame(edited), auth_ui.current_user(), crit.revision
        )
    except PermissionDenied:
        st.warning(auth_ui.refusal(auth_ui.current_user(), Action.EDIT_CRITERIA, ctx.lang))
        return
    except (CriteriaError, cs.StaleRevision) as exc:
        st.error(md(ctx.tr("criteria_ui.edit.invalid", detail=str(exc))))
        return
    if result is None:
        st.info(ctx.tr("criteria_ui.edit.nothing"))
        return
    st.session_state[FLASH] = ctx.tr(
        "criteria_ui.edit.saved", n=len(result.changes), set_id=set_id, revision=result.revision
    )
    st.rerun()
