"""Nhập liệu's preview against the register of units and the current revisions (issue 13).

Each uploaded file is read (`services.read_upload`), then its names are matched to the register
(`Store.resolve`, with what staff already chose for it) and its units compared with their
current revisions (`Store.plans`). The page shows, per file:

- the values it carries per unit, the revision each unit's upload replaces and the current
  values the file does not repeat;
- the names it spells otherwise (warnings) and the units it would create (notices);
- for each name the register does not know (the file is **held**): the nearest known names
  to choose from ("this is Nà Dì": saved as an alias when the file is stored) and, for an
  admin, "a new village".

When a unit would lose current values, staff choose "replace the whole unit" or "update only
the values in this file" before the confirm button is enabled (a new revision either way).
Choices live in the session (`state.NAME_CHOICES`, by the file's sha256) until the files are
stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from ntm.auth import Action, User, require
from ntm.errors import Problem
from ntm.resolve import Choices, Held, Resolution
from ntm.storage import HELD, REPLACE, UPDATE, ImportOutcome, UnitPlan
from ntm.ui import auth_ui, reading_ui, services, state
from ntm.ui.context import Context, md
from ntm.ui.tables import safe_table
from ntm.values import ReadResult

NEW_VILLAGE = "\x00new"  # the "a new village" option of a held name
MODES = (REPLACE, UPDATE)


@dataclass
class FilePreview:
    name: str
    data: bytes
    key: str  # the file's sha256 (session choices are kept by it)
    result: ReadResult  # as read
    resolution: Resolution | None = None  # names matched (None: the file has errors)
    plans: list[UnitPlan] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        extra = self.resolution.problems if self.resolution is not None else []
        return [*self.result.problems, *extra]

    @property
    def held(self) -> list[Held]:
        return self.resolution.held if self.resolution is not None else []

    @property
    def has_errors(self) -> bool:
        """Errors of the file itself (a held name is not one: staff can settle it here)."""
        return not self.result.ok or (not self.held and any(p.is_error for p in self.problems))

    @property
    def ready(self) -> bool:
        return not self.has_errors and not self.held

    @property
    def losing(self) -> list[UnitPlan]:
        return [p for p in self.plans if p.not_repeated]


def _all_choices() -> dict[str, dict[str, Any]]:
    found = state.get(state.NAME_CHOICES)
    return found if isinstance(found, dict) else {}


def choices_for(key: str) -> Choices:
    stored = _all_choices().get(key, {})
    return Choices(dict(stored.get("names", {})), set(stored.get("new", [])))


def choose(key: str, spelling: str, name: str) -> None:
    """Record what a held name is: a registered unit's name, or `NEW_VILLAGE`."""
    everything = _all_choices()
    mine = everything.setdefault(key, {"names": {}, "new": []})
    if name == NEW_VILLAGE:
        mine["new"] = sorted({*mine["new"], spelling})
    else:
        mine["names"][spelling] = name
    state.put(state.NAME_CHOICES, everything)


def preview(name: str, data: bytes) -> FilePreview:
    result = services.read_upload(name, data)
    key = hashlib.sha256(data).hexdigest()
    out = FilePreview(name, data, key, result)
    if not result.ok:
        return out
    db = services.store()
    out.resolution = db.resolve(result, choices_for(key))
    if not out.held:
        out.plans = db.plans(out.resolution.result)
    return out


def summary(p: FilePreview, ctx: Context) -> pd.DataFrame:
    """Per unit: its values, the revision the file replaces, current values not repeated."""
    shown = p.resolution.result if p.resolution is not None else p.result
    base = services.values_summary(shown, ctx.lang)
    if base.empty:
        return base
    whole = services.whole_commune(ctx.lang)
    plans = {(u.commune, u.village or whole, u.period): u for u in p.plans}
    replaces, missing = [], []
    for row in base.itertuples(index=False):
        plan = plans.get((row.commune, row.unit, int(row.period)))
        replaces.append(
            ctx.tr("ui.register.new_unit")
            if plan is None or plan.replaces is None
            else ctx.tr("ui.register.replaces", number=plan.replaces, file=plan.replaces_file)
        )
        missing.append(", ".join(plan.not_repeated) if plan and plan.not_repeated else "—")
    return base.assign(replaces=replaces, not_repeated=missing)


def summary_table(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            ctx.tr("ui.col.commune"): frame["commune"],
            ctx.tr("ui.col.unit"): frame["unit"],
            ctx.tr("ui.col.year"): [str(int(y)) for y in frame["period"]],
            ctx.tr("ui.col.values"): [str(int(n)) for n in frame["values"]],
            ctx.tr("ui.register.col_replaces"): frame["replaces"],
            ctx.tr("ui.register.col_not_repeated"): frame["not_repeated"],
        }
    )


def draw_file(ctx: Context, p: FilePreview) -> None:
    """One file of the preview: status line, notices, units, held names."""
    errors = sum(x.is_error for x in p.problems)
    warnings = sum(not x.is_error for x in p.problems)
    if p.has_errors:
        st.error(md(ctx.tr("ui.upload.file_errors", file=p.name, errors=errors)))
    elif p.held:
        st.warning(md(ctx.tr("ui.register.file_held", file=p.name, n=len(p.held))))
    else:
        st.success(md(ctx.tr("ui.upload.file_ok", file=p.name, warnings=warnings)))
    if p.resolution is not None and not p.has_errors:
        for notice in p.resolution.notices:
            st.info(md(notice.message(ctx.lang)), icon=":material/info:")
    frame = summary(p, ctx)
    if not frame.empty:
        safe_table(summary_table(ctx, frame))
    reading_ui.reading_panel(ctx, p.result)
    found = reading_ui.self_check(p.result)
    reading_ui.self_check_list(ctx, found, title_key="reading.ui.selfcheck_preview")
    for i, held in enumerate(p.held):
        _held_chooser(ctx, p, i, held)


def _held_chooser(ctx: Context, p: FilePreview, i: int, held: Held) -> None:
    """Which registered unit a held name is, or (admin) a new village."""
    village = bool(held.commune)
    options = list(held.candidates)
    if village:
        others = next(c for c in services.store().register().communes if c.name == held.commune)
        options += sorted(v.name for v in others.villages if v.name not in options)
        if auth_ui.may(Action.EDIT_COMMUNE):
            options.append(NEW_VILLAGE)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    pick = left.selectbox(
        ctx.tr("ui.register.held_pick", name=held.spelling, commune=held.commune)
        if village
        else ctx.tr("ui.register.held_pick_commune", name=held.spelling),
        options,
        format_func=lambda o: ctx.tr("ui.register.new_village") if o == NEW_VILLAGE else o,
        key=f"held_{p.key[:16]}_{i}",
    )
    if right.button(ctx.tr("ui.register.held_use"), key=f"held_use_{p.key[:16]}_{i}"):
        if pick == NEW_VILLAGE and not auth_ui.require_action(Action.EDIT_COMMUNE, ctx.lang):
            return
        choose(p.key, held.spelling, str(pick))
        st.rerun()
    if not village or NEW_VILLAGE in options:
        return
    st.caption(md(ctx.tr("ui.register.new_village_admin")))


def mode_choice(ctx: Context, previews: list[FilePreview]) -> str | None:
    """`replace` or `update` when some unit would lose current values (None until staff
    choose); `replace` when none would (the two are the same then)."""
    losing = [u for p in previews if p.ready for u in p.losing]
    if not losing:
        return REPLACE
    lines = [
        ctx.tr(
            "ui.register.losing",
            unit=u.village or services.whole_commune(ctx.lang),
            year=u.period,
            number=u.replaces,
            n=len(u.not_repeated),
            codes=", ".join(u.not_repeated),
        )
        for u in losing
    ]
    st.warning(md("\n".join(f"- {line}" for line in lines)))
    picked = st.radio(
        ctx.tr("ui.register.mode"),
        list(MODES),
        index=None,
        format_func=lambda m: ctx.tr(f"ui.register.mode_{m}"),
        key="upload_mode",
    )
    return str(picked) if picked else None


def save(p: FilePreview, user: User | None, mode: str) -> ImportOutcome:
    """Store a ready file with the names chosen for it (a new village needs an admin)."""
    choices = choices_for(p.key)
    if choices.new_villages:
        require(user, Action.EDIT_COMMUNE)
    outcome = services.save_upload(p.name, p.data, p.result, user, choices=choices, mode=mode)
    if outcome.status != HELD:
        everything = _all_choices()
        everything.pop(p.key, None)
        state.put(state.NAME_CHOICES, everything)
    return outcome
