"""Cài đặt: the commune profile, and the criteria sets — list, download, import from Excel,
thresholds edited in place (each save a new revision, audited), the change log."""

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from ntm.auth import Action, PermissionDenied
from ntm.criteria_edit import EDITABLE
from ntm.errors import CriteriaError, NoCriteriaSetError
from ntm.ui import annex_section, auth_ui, services, widgets
from ntm.ui import criteria_service as cs
from ntm.ui.widgets import Context, md
from ntm.village_sets import village_sets

FLASH = "criteria_flash"  # a success message to show once after a save and rerun
UPLOAD_ROUND = "criteria_upload_round"  # bumping it empties the criteria uploader
NEW = "__new__"
XLSX = services.XLSX_MIME


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
    suffix = "new" if current is None else choice  # each commune's form keeps its own values
    regions, groups = widgets.key_options(ctx)
    sets = services.criteria_sets()
    # The set judging the commune is a commune-level one; a province's village sets are chosen
    # below (several: one per period, each judging the years it covers).
    set_ids = [None, *sorted(i for i, s in sets.items() if s.level == "commune")]
    village_ids = [s.id for s in village_sets(sets.values())]
    user = auth_ui.current_user()
    may_edit = auth_ui.may(Action.EDIT_COMMUNE)
    if not may_edit:
        st.info(auth_ui.refusal(user, Action.EDIT_COMMUNE, ctx.lang), icon=":material/lock:")
    with st.form(f"profile_{suffix}"):
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
        region_ids = [None, *regions]
        region = left.selectbox(
            ctx.tr("ui.settings.region"),
            region_ids,
            index=region_ids.index(current.region) if current and current.region in regions else 0,
            format_func=lambda k: ctx.tr("ui.settings.none") if k is None else regions.get(k, k),
            key=f"settings_region_{suffix}",
        )
        group_ids = [None, *groups]
        group = right.selectbox(
            ctx.tr("ui.settings.group"),
            group_ids,
            index=group_ids.index(current.group) if current and current.group in groups else 0,
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
        if user is not None:
            st.caption(md(ctx.tr("criteria_ui.user_from_login", name=user.name)))
        saved = st.form_submit_button(
            ctx.tr("ui.settings.save"),
            type="primary",
            disabled=not may_edit,
            key=f"settings_save_{suffix}",
        )
    if saved:
        new_name = (current.name if current else name or "").strip()
        if not new_name:
            st.error(ctx.tr("ui.settings.name_required"))
        else:
            listed = [v.strip() for v in (villages or "").splitlines() if v.strip()]
            base = current or services.CommuneProfile(name=new_name)
            changed = dataclasses.replace(
                base,
                code=code.strip() or None,
                region=region,
                group=group,
                criteria_set=criteria_set,
                village_sets=list(chosen_village_sets),
                villages=list(dict.fromkeys(listed)),
            )
            clashes = services.village_set_clashes(changed)
            if clashes:
                for clash in clashes:
                    # The sentence's Markdown is ours; the ids and codes are escaped.
                    safe = {k: md(v) for k, v in clash.items()}
                    st.error(ctx.tr("ui.settings.village_set_clash", **safe))
            else:
                try:
                    services.save_profile(changed, auth_ui.current_user())
                except ValueError as exc:  # the code is another commune's
                    st.error(md(str(exc)))
                except PermissionDenied:
                    st.warning(
                        auth_ui.refusal(auth_ui.current_user(), Action.EDIT_COMMUNE, ctx.lang)
                    )
                else:
                    st.success(md(ctx.tr("ui.settings.saved", commune=new_name)))
    return choice if choice != NEW else ctx.commune


def incomplete_notice(ctx: Context, commune: str | None) -> None:
    """Say plainly when the set in force is incomplete, and how to fix it."""
    for item in cs.incomplete_in_force(commune):
        crit = item.crit
        keyed_by = ctx.tr(f"criteria_ui.keyed_by.{crit.keyed_by}")
        decision = crit.legal_basis.decision
        st.warning(
            md(
                ctx.tr(
                    "criteria_ui.incomplete.title",
                    years=", ".join(str(y) for y in item.years),
                    title=crit.title.get(ctx.lang),
                    decision=decision,
                )
            )
            + "\n\n"
            + md(
                ctx.tr(
                    "criteria_ui.incomplete.body",
                    n=crit.indicator_count(),
                    expected=crit.expected_indicators or "?",
                    missing=crit.missing_text(ctx.lang),
                )
            )
            + "\n\n"
            + md(
                ctx.tr(
                    "criteria_ui.incomplete.fix",
                    set_id=crit.id,
                    keyed_by=keyed_by,
                    decision=decision,
                )
            ),
            icon=":material/warning:",
        )


def download(ctx: Context) -> None:
    st.markdown(f"**{md(ctx.tr('criteria_ui.download'))}**")
    options = cs.versions()
    in_use = services.criteria_sets()
    default = next(
        (i for i, (s, r) in enumerate(options) if s in in_use and in_use[s].revision == r), 0
    )
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    set_id, revision = left.selectbox(
        ctx.tr("criteria_ui.download.pick"),
        options,
        index=default,
        format_func=lambda o: ctx.tr(
            "criteria_ui.download.option",
            set_id=o[0],
            origin=cs.origin(o[1], ctx.lang),
            revision=o[1],
        ),
        key="criteria_download_pick",
    )
    right.download_button(
        ctx.tr("criteria_ui.download.button"),
        data=cs.sheet_bytes(set_id, revision),
        file_name=cs.sheet_name(set_id, revision),
        mime=XLSX,
        icon=":material/download:",
        key="criteria_download",
    )


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
    left, right = st.columns(2)
    new_id = left.text_input(
        ctx.tr("criteria_ui.import.id"),
        help=ctx.tr("criteria_ui.import.id_help"),
        max_chars=80,
        key="criteria_import_id",
    )
    bases = [None, *sorted(services.criteria_sets())]
    based_on = right.selectbox(
        ctx.tr("criteria_ui.import.based_on"),
        bases,
        format_func=lambda i: ctx.tr("criteria_ui.import.none") if i is None else i,
        key="criteria_import_base",
    )
    if upload is None:
        return
    preview = cs.read_import(upload.name, upload.getvalue(), new_id, based_on)
    if preview.crit is None:
        st.error(ctx.tr("criteria_ui.import.errors", n=len(preview.problems)))
        widgets.problems_table(ctx, services.problems_frame(preview.problems, ctx.lang))
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


def change_log(ctx: Context) -> None:
    st.subheader(ctx.tr("criteria_ui.audit"))
    if not widgets.records_shown():  # the audit log names people: a login
        widgets.records_notice(ctx)
        return
    log = cs.audit_table(ctx.lang, auth_ui.current_user())
    if log.empty:
        st.caption(ctx.tr("criteria_ui.audit.none"))
    else:
        st.dataframe(log, hide_index=True)


ctx = widgets.page("ui.page.settings", needs_data=False)
if FLASH in st.session_state:
    st.success(md(st.session_state.pop(FLASH)), icon=":material/check_circle:")
st.subheader(ctx.tr("criteria_ui.profile"))
commune = profile_form(ctx)
st.subheader(ctx.tr("ui.settings.sets"))
incomplete_notice(ctx, commune)
st.caption(ctx.tr("criteria_ui.sets_help"))
st.dataframe(cs.sets_table(ctx.lang), hide_index=True)
download(ctx)
import_sheet(ctx)
annex_section.section(ctx)
edit_thresholds(ctx, commune)
change_log(ctx)
if widgets.records_shown():
    url = services.safe_db_url(auth_ui.current_user())
    st.caption(md(ctx.tr("ui.settings.database", url=url)))
