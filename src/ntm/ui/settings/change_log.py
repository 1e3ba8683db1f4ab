"""Cài đặt › the criteria change log, and the database's details: both need a login (or
NTM_OPEN_RECORDS), since they name people and places."""

from __future__ import annotations

import streamlit as st

from ntm.ui import auth_ui, services
from ntm.ui import criteria_service as cs
from ntm.ui.context import Context, md
from ntm.ui.records import records_notice, records_shown


def change_log(ctx: Context) -> None:
    st.subheader(ctx.tr("criteria_ui.audit"))
    if not records_shown():  # the audit log names people: a login
        records_notice(ctx)
        return
    log = cs.audit_table(ctx.lang, auth_ui.current_user())
    if log.empty:
        st.caption(ctx.tr("criteria_ui.audit.none"))
    else:
        st.dataframe(log, hide_index=True)


def database(ctx: Context) -> None:
    """The database the app uses (its password hidden), for readers who may see records."""
    if records_shown():
        url = services.safe_db_url(auth_ui.current_user())
        st.caption(md(ctx.tr("ui.settings.database", url=url)))
