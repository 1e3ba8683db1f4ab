"""Cài đặt: the commune profile, and the criteria sets — list, download, import from Excel or
from the decision's annex, thresholds edited in place (each save a new revision, audited), the
change log. Each section is drawn by its module in ntm.ui.settings."""

import streamlit as st

from ntm.ui import widgets
from ntm.ui.settings import (
    FLASH,
    annex,
    change_log,
    criteria_import,
    criteria_sets,
    profile,
    thresholds,
)
from ntm.ui.widgets import md

ctx = widgets.page("ui.page.settings", needs_data=False)
if FLASH in st.session_state:
    st.success(md(st.session_state.pop(FLASH)), icon=":material/check_circle:")
st.subheader(ctx.tr("criteria_ui.profile"))
commune = profile.profile_form(ctx)
criteria_sets.section(ctx, commune)
criteria_import.import_sheet(ctx)
annex.section(ctx)
thresholds.edit_thresholds(ctx, commune)
change_log.change_log(ctx)
change_log.database(ctx)
