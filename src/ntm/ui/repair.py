"""Dữ liệu's repair of the register of units (issue 13): suspected duplicates, merge (and undo),
rename.

Everyone sees the suspected duplicates (communes, or villages of the chosen commune, whose
names are one name once case, spacing, prefix and diacritics are set aside) and the merges
made. An admin merges two units split by spelling (every revision moves to the unit kept, the
other's name becomes its alias; asked twice), undoes a merge, or renames a unit (the old name
stays an alias). Every change is in the audit log under the admin's name.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ntm import formatting as fmt
from ntm.auth import Action, User, require
from ntm.ui import auth_ui, services, state
from ntm.ui.context import Context, md

PENDING = "merge_candidate"  # (level, source, into) waiting for confirmation
WHOLE = "__commune__"


# --- reads and writes ------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _duplicates(url: str) -> list[dict[str, object]]:
    return services.store().duplicates()


@st.cache_data(show_spinner=False)
def _merges(url: str) -> pd.DataFrame:
    return services.store().merges()


def duplicates(commune: str | None) -> list[dict[str, object]]:
    """Suspected duplicate communes, and duplicate villages of `commune`."""
    return [
        d for d in _duplicates(services.db_url()) if d["commune"] is None or d["commune"] == commune
    ]


def merges() -> pd.DataFrame:
    return _merges(services.db_url())


def merge(source: str, into: str, commune: str | None, user: User | None) -> int:
    """Merge two communes (commune=None) or two villages of `commune` (admin)."""
    who = require(user, Action.EDIT_COMMUNE)
    assert who is not None
    done = services.store().merge_units(source, into, commune, user=who.name)
    services.clear_caches()
    return done


def undo(audit_id: int, user: User | None) -> None:
    who = require(user, Action.EDIT_COMMUNE)
    assert who is not None
    services.store().undo_merge(int(audit_id), user=who.name)
    services.clear_caches()


def rename(commune: str, new: str, village: str | None, user: User | None) -> None:
    who = require(user, Action.EDIT_COMMUNE)
    assert who is not None
    services.store().rename_unit(commune, new, village, user=who.name)
    services.clear_caches()


# --- drawing ---------------------------------------------------------------------------------


def section(ctx: Context) -> None:
    st.subheader(ctx.tr("ui.repair.heading"))
    found = duplicates(ctx.commune)
    if found:
        st.warning(md(ctx.tr("ui.repair.duplicates", n=len(found))))
        st.dataframe(
            pd.DataFrame(
                {
                    ctx.tr("ui.col.commune"): [d["commune"] or "—" for d in found],
                    ctx.tr("ui.repair.col_names"): [", ".join(d["names"]) for d in found],  # type: ignore[arg-type]
                }
            ),
            hide_index=True,
        )
    else:
        st.caption(ctx.tr("ui.repair.no_duplicates"))
    if not auth_ui.may(Action.EDIT_COMMUNE):
        st.caption(ctx.tr("ui.repair.admin_only"))
        _history(ctx, allowed=False)
        return
    with st.expander(ctx.tr("ui.repair.merge_heading"), icon=":material/merge:"):
        _merge_form(ctx)
    with st.expander(ctx.tr("ui.repair.rename_heading"), icon=":material/edit:"):
        _rename_form(ctx)
    _history(ctx, allowed=True)


def _units(ctx: Context, level: str) -> list[str]:
    if level == "commune":
        return [p.name for p in services.communes()]
    return sorted(v.name for v in services.store().villages(ctx.commune or ""))


def _merge_form(ctx: Context) -> None:
    levels = ["village", "commune"] if ctx.commune else ["commune"]
    level = st.radio(
        ctx.tr("ui.repair.level"),
        levels,
        format_func=lambda x: ctx.tr(f"ui.repair.level_{x}", commune=ctx.commune or ""),
        horizontal=True,
        key="merge_level",
    )
    names = _units(ctx, str(level))
    if len(names) < 2:
        st.caption(ctx.tr("ui.repair.nothing_to_merge"))
        return
    left, right = st.columns(2)
    source = left.selectbox(ctx.tr("ui.repair.source"), names, key=f"merge_source_{level}")
    rest = [n for n in names if n != source]
    into = right.selectbox(ctx.tr("ui.repair.into"), rest, key=f"merge_into_{level}")
    if st.button(ctx.tr("ui.repair.merge"), key="merge"):
        state.put(PENDING, (level, source, into))
    pending = state.get(PENDING)
    if not pending or pending[0] != level:
        return
    st.warning(md(ctx.tr("ui.repair.merge_confirm", source=pending[1], into=pending[2])))
    yes, no = st.columns([1, 4])
    if yes.button(ctx.tr("ui.repair.merge_yes"), type="primary", key="merge_yes"):
        commune = ctx.commune if pending[0] == "village" else None
        try:
            merge(pending[1], pending[2], commune, auth_ui.current_user())
        except (ValueError, KeyError) as exc:
            st.error(md(str(exc)))
            return
        finally:
            state.put(PENDING, None)
        if commune is None and ctx.commune == pending[1]:
            state.put(state.COMMUNE, pending[2])
        state.put(state.FLASH, ctx.tr("ui.repair.merged", source=pending[1], into=pending[2]))
        st.rerun()
    if no.button(ctx.tr("ui.data.restore_no"), key="merge_no"):
        state.put(PENDING, None)
        st.rerun()


def _rename_form(ctx: Context) -> None:
    options = [WHOLE, *_units(ctx, "village")] if ctx.commune else []
    if not options:
        return
    unit = st.selectbox(
        ctx.tr("ui.repair.rename_unit"),
        options,
        format_func=lambda o: (
            ctx.tr("ui.repair.level_commune", commune=ctx.commune or "") if o == WHOLE else o
        ),
        key="rename_unit",
    )
    new = st.text_input(ctx.tr("ui.repair.rename_to"), max_chars=120, key="rename_to")
    if st.button(ctx.tr("ui.repair.rename"), key="rename") and new.strip():
        assert ctx.commune is not None
        village = None if unit == WHOLE else str(unit)
        try:
            rename(ctx.commune, new.strip(), village, auth_ui.current_user())
        except (ValueError, KeyError) as exc:
            st.error(md(str(exc)))
            return
        if village is None:
            state.put(state.COMMUNE, new.strip())
        old = ctx.commune if village is None else village
        state.put(state.FLASH, ctx.tr("ui.repair.renamed", old=old, new=new.strip()))
        st.rerun()


def _history(ctx: Context, allowed: bool) -> None:
    done = merges()
    if done.empty:
        return
    st.markdown(f"**{md(ctx.tr('ui.repair.history'))}**")
    st.dataframe(
        pd.DataFrame(
            {
                "#": done["audit_id"],
                ctx.tr("ui.col.when"): [fmt.date_time(x, ctx.lang) for x in done["at"]],
                ctx.tr("ui.col.user"): done["user"],
                ctx.tr("ui.repair.source"): done["source"],
                ctx.tr("ui.repair.into"): done["into"],
                ctx.tr("ui.repair.undone"): [
                    ctx.tr("ui.repair.undone_yes") if u else "" for u in done["undone"]
                ],
            }
        ),
        hide_index=True,
    )
    open_ = done[~done["undone"]]
    if not allowed or open_.empty:
        return
    labels = {
        int(r.audit_id): f"#{int(r.audit_id)} · {r.source} → {r.into}"
        for r in open_.itertuples(index=False)
    }
    pick = st.selectbox(
        ctx.tr("ui.repair.undo_pick"),
        list(labels),
        format_func=lambda i: labels.get(i, str(i)),
        key="undo_pick",
    )
    if st.button(ctx.tr("ui.repair.undo"), key="undo_merge"):
        try:
            undo(int(pick), auth_ui.current_user())
        except (ValueError, KeyError) as exc:
            st.error(md(str(exc)))
            return
        state.put(state.FLASH, ctx.tr("ui.repair.undone_done", merge=labels[int(pick)]))
        st.rerun()
