"""Cài đặt › the commune profile: name, administrative unit code, region (Decision 318) or
commune group (Decision 51/2025, with the groups' definitions and the evidence for the choice),
the criteria set judging it, the province village sets it
follows, and its village register. One form, one save (an admin's), refused with a sentence
when a village set reuses a commune code or the code is another commune's."""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from ntm.auth import Action, PermissionDenied
from ntm.ui import auth_ui, services
from ntm.ui.context import Context, md
from ntm.village_sets import village_sets

NEW = "__new__"  # the commune chooser's "a new commune"


def key_options(ctx: Context) -> tuple[dict[str, str], dict[str, str]]:
    """Regions (Decision 318) and commune groups (Decision 51/2025) the known sets define."""
    regions: dict[str, str] = {}
    groups: dict[str, str] = {}
    for crit in services.criteria_sets().values():
        target = regions if crit.keyed_by == "region" else groups
        for key in crit.keys:
            if key.id != "general":
                target.setdefault(key.id, key.name.get(ctx.lang))
    return regions, groups


def group_definitions(ctx: Context) -> list[tuple[str, str]]:
    """(group name, definition) of the commune groups (Decision 51/2025/QĐ-TTg), in the
    reader's language, from the sets keyed by group (each group once)."""
    found: dict[str, tuple[str, str]] = {}
    for crit in services.criteria_sets().values():
        if crit.keyed_by != "group":
            continue
        for key in crit.keys:
            if key.id != "general" and key.definition.get(ctx.lang) and key.id not in found:
                found[key.id] = (key.name.get(ctx.lang), key.definition.get(ctx.lang))
    return [found[k] for k in sorted(found)]


def profile_form(ctx: Context) -> str | None:
    """The commune profile (name, region or group, villages, criteria set); the commune chosen."""
    names = [p.name for p in services.communes()]
    choice = st.selectbox(
        ctx.tr("ui.settings.commune"),
        [*names, NEW],
        index=names.index(ctx.commune) if ctx.commune in names else 0,
        format_func=lambda n: ctx.tr("ui.settings.new_commune") if n == NEW else n,
        key="settings_commune",
    )
    current = services.profile(choice) if choice != NEW else None
    may_edit = auth_ui.may(Action.EDIT_COMMUNE)
    if not may_edit:
        st.info(
            auth_ui.refusal(auth_ui.current_user(), Action.EDIT_COMMUNE, ctx.lang),
            icon=":material/lock:",
        )
    suffix = "new" if current is None else choice  # each commune's form keeps its own values
    with st.form(f"profile_{suffix}"):
        fields = _fields(ctx, current, suffix)
        user = auth_ui.current_user()
        if user is not None:
            st.caption(md(ctx.tr("criteria_ui.user_from_login", name=user.name)))
        saved = st.form_submit_button(
            ctx.tr("ui.settings.save"),
            type="primary",
            disabled=not may_edit,
            key=f"settings_save_{suffix}",
        )
    if saved:
        _save(ctx, current, fields)
    return choice if choice != NEW else ctx.commune


def _fields(ctx: Context, current: services.CommuneProfile | None, suffix: str) -> dict[str, Any]:
    """The form's fields, filled from `current`; what they hold when the form is sent."""
    regions, groups = key_options(ctx)
    sets = services.criteria_sets()
    name = st.text_input(
        ctx.tr("ui.settings.name"),
        value=current.name if current else "",
        disabled=current is not None,
        max_chars=120,
        key=f"settings_name_{suffix}",
    )
    code = st.text_input(
        ctx.tr("ui.settings.code"),
        value=(current.code or "") if current else "",
        max_chars=20,
        help=ctx.tr("ui.settings.code_help"),
        key=f"settings_code_{suffix}",
    )
    if current is not None and current.aliases:
        st.caption(md(ctx.tr("ui.settings.aliases", names=", ".join(current.aliases))))
    left, right = st.columns(2)
    with left:
        region = _key_choice(ctx, "region", regions, current.region if current else None, suffix)
    with right:
        group = _key_choice(ctx, "group", groups, current.group if current else None, suffix)
    # The group decides the 2026-2030 thresholds and is never guessed: its definitions beside
    # the choice, and what the choice rests on (e.g. the decision classifying the commune).
    definitions = group_definitions(ctx)
    if definitions:
        lines = [f"**{md(name)}**: {md(text)}" for name, text in definitions]
        st.caption("  \n".join([ctx.tr("ui.settings.group_definitions"), *lines]))
    evidence = st.text_area(
        ctx.tr("ui.settings.group_evidence"),
        value=(current.group_evidence or "") if current else "",
        max_chars=1000,
        height=80,
        help=ctx.tr("ui.settings.group_evidence_help"),
        key=f"settings_group_evidence_{suffix}",
    )
    # The set judging the commune is a commune-level one; a province's village sets are chosen
    # below (several: one per period, each judging the years it covers).
    set_ids = [None, *sorted(i for i, s in sets.items() if s.level == "commune")]
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
    village_ids = [s.id for s in village_sets(sets.values())]
    chosen_village_sets = st.multiselect(
        ctx.tr("ui.settings.village_sets"),
        village_ids,
        default=[i for i in (current.village_sets if current else []) if i in village_ids],
        format_func=lambda i: f"{sets[i].title.get(ctx.lang)} ({i})",
        help=ctx.tr("ui.settings.village_sets_help"),
        placeholder=ctx.tr("ui.settings.village_sets_none"),
        key=f"settings_village_sets_{suffix}",
    )
    villages = st.text_area(
        ctx.tr("ui.settings.villages"),
        value="\n".join(current.villages) if current else "",
        help=ctx.tr("ui.settings.villages_help"),
        height=200,
        key=f"settings_villages_{suffix}",
    )
    listed = [v.strip() for v in (villages or "").splitlines() if v.strip()]
    return {
        "name": name,
        "code": code.strip() or None,
        "region": region,
        "group": group,
        "group_evidence": evidence.strip() or None,
        "criteria_set": criteria_set,
        "village_sets": list(chosen_village_sets),
        "villages": list(dict.fromkeys(listed)),
    }


def _key_choice(
    ctx: Context, kind: str, options: dict[str, str], chosen: str | None, suffix: str
) -> str | None:
    """The region or the commune group (`kind`), or none."""
    ids = [None, *options]
    return st.selectbox(
        ctx.tr(f"ui.settings.{kind}"),
        ids,
        index=ids.index(chosen) if chosen in options else 0,
        format_func=lambda k: ctx.tr("ui.settings.none") if k is None else options.get(k, k),
        key=f"settings_{kind}_{suffix}",
    )


def _save(ctx: Context, current: services.CommuneProfile | None, fields: dict[str, Any]) -> None:
    """Save the profile as sent, or say why not (no name, a village set's clash, the code)."""
    new_name = (current.name if current else fields["name"] or "").strip()
    if not new_name:
        st.error(ctx.tr("ui.settings.name_required"))
        return
    base = current or services.CommuneProfile(name=new_name)
    changed = dataclasses.replace(base, **{k: v for k, v in fields.items() if k != "name"})
    clashes = services.village_set_clashes(changed)
    for clash in clashes:
        # The sentence's Markdown is ours; the ids and codes are escaped.
        safe = {k: md(v) for k, v in clash.items()}
        st.error(ctx.tr("ui.settings.village_set_clash", **safe))
    if clashes:
        return
    try:
        services.save_profile(changed, auth_ui.current_user())
    except ValueError as exc:  # the code is another commune's
        st.error(md(str(exc)))
    except PermissionDenied:
        st.warning(auth_ui.refusal(auth_ui.current_user(), Action.EDIT_COMMUNE, ctx.lang))
    else:
        st.success(md(ctx.tr("ui.settings.saved", commune=new_name)))
