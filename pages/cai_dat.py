"""Cài đặt: the commune profile (name, region or group, villages, criteria set in force)."""

import dataclasses

import streamlit as st

from ntm.ui import services, widgets
from ntm.ui.widgets import md

ctx = widgets.page("ui.page.settings", needs_data=False)
NEW = "__new__"
names = [p.name for p in services.communes()]
choice = st.selectbox(
    ctx.tr("ui.settings.commune"),
    [*names, NEW],
    index=names.index(ctx.commune) if ctx.commune in names else 0,
    format_func=lambda n: ctx.tr("ui.settings.new_commune") if n == NEW else n,
    key="settings_commune",
)
current = services.profile(choice) if choice != NEW else None
suffix = "new" if current is None else choice  # each commune's form keeps its own values
regions, groups = widgets.key_options(ctx)
sets = services.criteria_sets()
set_ids = [None, *sorted(sets)]

with st.form(f"profile_{suffix}"):
    name = st.text_input(
        ctx.tr("ui.settings.name"),
        value=current.name if current else "",
        disabled=current is not None,
        max_chars=120,
        key=f"settings_name_{suffix}",
    )
    left, right = st.columns(2)
    region = left.selectbox(
        ctx.tr("ui.settings.region"),
        [None, *regions],
        index=(
            [None, *regions].index(current.region) if current and current.region in regions else 0
        ),
        format_func=lambda k: ctx.tr("ui.settings.none") if k is None else regions.get(k, k),
        key=f"settings_region_{suffix}",
    )
    group = right.selectbox(
        ctx.tr("ui.settings.group"),
        [None, *groups],
        index=([None, *groups].index(current.group) if current and current.group in groups else 0),
        format_func=lambda k: ctx.tr("ui.settings.none") if k is None else groups.get(k, k),
        key=f"settings_group_{suffix}",
    )
    criteria_set = st.selectbox(
        ctx.tr("ui.settings.criteria_set"),
        set_ids,
        index=set_ids.index(current.criteria_set)
        if current and current.criteria_set in sets
        else 0,
        format_func=lambda i: (
            ctx.tr("ui.settings.set_by_year")
            if i is None
            else f"{sets[i].title.get(ctx.lang)} ({i})"
        ),
        key=f"settings_set_{suffix}",
    )
    villages = st.text_area(
        ctx.tr("ui.settings.villages"),
        value="\n".join(current.villages) if current else "",
        help=ctx.tr("ui.settings.villages_help"),
        height=200,
        key=f"settings_villages_{suffix}",
    )
    user = st.text_input(
        ctx.tr("ui.user"), placeholder=ctx.tr("ui.user_placeholder"), key=f"settings_user_{suffix}"
    )
    saved = st.form_submit_button(
        ctx.tr("ui.settings.save"), type="primary", key=f"settings_save_{suffix}"
    )
if saved:
    new_name = (current.name if current else name or "").strip()
    if not new_name:
        st.error(ctx.tr("ui.settings.name_required"))
    else:
        listed = [v.strip() for v in (villages or "").splitlines() if v.strip()]
        base = current or services.CommuneProfile(name=new_name)
        services.save_profile(
            dataclasses.replace(
                base,
                region=region,
                group=group,
                criteria_set=criteria_set,
                villages=list(dict.fromkeys(listed)),
            ),
            user,
        )
        st.success(md(ctx.tr("ui.settings.saved", commune=new_name)))

st.subheader(ctx.tr("ui.settings.sets"))
widgets.safe_table(widgets.sets_table(ctx, sets.values()))
st.caption(md(ctx.tr("ui.settings.database", url=services.safe_db_url())))
