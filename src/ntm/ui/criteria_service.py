"""Criteria management for the Cài đặt page: list, download, import, edit thresholds, audit.

Conventions of `ntm.ui.services` (the bridge between pages and core):

- Reads are cached with `st.cache_data`, keyed by the database URL; every write here clears the
  caches (`services.clear_caches`), so the next run, and every assessment (which is judged on
  the stored sets, `services.assessment`), sees the new revision at once.
- Writes take the logged-in `ntm.auth.User` (`ntm.ui.auth_ui.current_user()`) and check it with
  `ntm.auth.require` before touching the database: importing needs `IMPORT_CRITERIA`, editing
  `EDIT_CRITERIA` (admins). The page's own gate only draws the refusal.
- A set is addressed by (id, revision): revision 0 is the shipped file in criteria/, n the
  n-th revision stored in the database; `None` is the one in use (the latest stored revision,
  else the shipped file). Nothing is ever changed in place: an import or an edit is a new
  revision (for a shipped set, the first stored revision of the same id), written by
  `Store.save_criteria_set` with its audit row (who, when, and for a revision the changed
  paths before/after). The change log shown here compares each revision with the one before
  it (revision 1 of a shipped id with the shipped file), threshold by threshold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ntm import formatting as fmt
from ntm.auth import Action, User, require
from ntm.criteria import GENERAL_KEY, CriteriaSet, ThresholdRule, set_for_year, shipped_sets
from ntm.criteria_edit import ThresholdChange, apply_changes, changes_between, thresholds_frame
from ntm.criteria_sheet import export_bytes, read_sheet
from ntm.errors import CriteriaError, NoCriteriaSetError, NtmError, Problem
from ntm.i18n import t
from ntm.returns import Limits
from ntm.ui import services
from ntm.village_sets import clash_problems

FILE, DATABASE = "file", "database"
MAX_CHANGE_LINES = 6


class StaleRevision(NtmError):
    """The set was saved by someone else after the table being edited was drawn."""

    def __init__(self, set_id: str, seen: int, latest: int):
        self.set_id, self.seen, self.latest = set_id, seen, latest
        super().__init__(f"{set_id}: edited revision {seen}, latest is {latest}")


# --- reading sets ----------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _revisions(url: str) -> pd.DataFrame:
    return services.store().criteria_set_revisions()


def revisions() -> pd.DataFrame:
    """Every stored revision: set_id, revision, based_on, user, created_at (oldest first)."""
    return _revisions(services.db_url())


@st.cache_data(show_spinner=False)
def _stored(url: str, set_id: str, revision: int) -> CriteriaSet:
    return services.store().criteria_set(set_id, revision)


def get_set(set_id: str, revision: int | None = None) -> CriteriaSet:
    """Set `set_id` at `revision` (0: the shipped file; None: the one in use). KeyError."""
    if revision is None:
        return services.criteria_sets()[set_id]
    if revision == 0:
        return shipped_sets()[set_id]
    return _stored(services.db_url(), set_id, int(revision))


def latest_revision(set_id: str) -> int:
    """The latest stored revision of `set_id`, 0 when only the shipped file (or nothing) exists."""
    revs = revisions()
    mine = revs[revs["set_id"] == set_id]["revision"]
    return int(mine.max()) if not mine.empty else 0


def versions() -> list[tuple[str, int]]:
    """Every (set id, revision) that can be downloaded: shipped files, then stored revisions."""
    out = [(set_id, 0) for set_id in sorted(shipped_sets())]
    revs = revisions()
    out += [(str(s), int(r)) for s, r in zip(revs["set_id"], revs["revision"], strict=True)]
    return out


def origin(revision: int, lang: str) -> str:
    return t(f"criteria_ui.origin.{FILE if revision == 0 else DATABASE}", lang)


def _yes_no(value: bool, lang: str) -> str:
    return t("criteria_ui.yes" if value else "criteria_ui.no", lang)


def sets_table(lang: str) -> pd.DataFrame:
    """One row per shipped set and per stored set (its latest revision), the one in use marked:
    revision, complete or not and what is missing, indicators, unverified thresholds."""
    in_use = services.criteria_sets()
    rows: list[CriteriaSet] = list(shipped_sets().values())
    rows += [s for s in in_use.values() if s.revision > 0]
    rows.sort(key=lambda s: (s.id, s.revision))
    out = []
    for crit in rows:
        count = crit.indicator_count()
        expected = crit.expected_indicators
        out.append(
            {
                t("criteria_ui.col.id", lang): crit.id,
                t("ui.col.name", lang): crit.title.get(lang),
                t("criteria_ui.col.origin", lang): origin(crit.revision, lang),
                t("criteria_ui.col.revision", lang): crit.revision,
                t("ui.col.years", lang): f"{crit.years.first}–{crit.years.last}",
                t("criteria_ui.col.keyed_by", lang): t(
                    f"criteria_ui.keyed_by.{crit.keyed_by}", lang
                ),
                t("ui.col.criteria", lang): len(crit.criteria),
                t("criteria_ui.col.indicators", lang): (
                    t("criteria_ui.indicators_of", lang, n=count, expected=expected)
                    if expected and expected != count
                    else str(count)
                ),
                t("criteria_ui.col.unverified", lang): crit.unverified_count(),
                t("criteria_ui.col.complete", lang): _yes_no(crit.complete, lang),
                t("criteria_ui.col.missing", lang): crit.missing_text(lang) or "—",
                t("criteria_ui.col.in_use", lang): _yes_no(
                    in_use[crit.id].revision == crit.revision, lang
                ),
            }
        )
    return pd.DataFrame(out)


# --- download --------------------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def _sheet(url: str, set_id: str, revision: int) -> bytes:
    return export_bytes(get_set(set_id, revision))


def sheet_bytes(set_id: str, revision: int) -> bytes:
    """The criteria sheet (ntm.criteria_sheet layout) of one set revision."""
    return _sheet(services.db_url(), set_id, int(revision))


def sheet_name(set_id: str, revision: int) -> str:
    return f"bo-tieu-chi-{set_id}-r{int(revision)}.xlsx"


# --- import ----------------------------------------------------------------------------------


@dataclass
class ImportPreview:
    crit: CriteriaSet | None  # None when the sheet has any error
    problems: list[Problem]
    next_revision: int  # the revision confirming would create (1: a new stored set)


@st.cache_data(show_spinner=False, max_entries=16)
def _read(
    name: str, data: bytes, set_id: str | None, based_on: str | None, limits: tuple[Any, ...]
) -> tuple[CriteriaSet | None, list[Problem]]:
    base = services.criteria_sets().get(based_on) if based_on else None
    crit, problems = read_sheet(
        data, name, set_id=set_id or None, based_on=base, limits=Limits(*limits)
    )
    if crit is not None:
        problems = clash_problems(crit, services.criteria_sets().values(), name)
    return (crit if not problems else None), problems


def read_import(
    name: str, data: bytes, set_id: str | None = None, based_on: str | None = None
) -> ImportPreview:
    """Read an uploaded criteria sheet (nothing is stored): the set, or every problem. The
    upload limits of returns apply (ntm.config)."""
    limits = dataclasses.astuple(services.upload_settings().limits())
    crit, problems = _read(name, bytes(data), (set_id or "").strip() or None, based_on, limits)
    next_rev = latest_revision(crit.id) + 1 if crit is not None else 0
    return ImportPreview(crit, problems, next_rev)


def save_import(crit: CriteriaSet, user: User | None, based_on: str | None = None) -> int:
    """Store an imported set as its next revision (admin); PermissionDenied otherwise.

    Returns the revision; an import identical to the latest revision creates nothing."""
    who = require(user, Action.IMPORT_CRITERIA)
    assert who is not None
    revision = services.store().save_criteria_set(crit, user=who.name, based_on=based_on)
    services.clear_caches()
    return revision


# --- editing thresholds ----------------------------------------------------------------------


def editable_sets() -> list[str]:
    """Ids of the sets in use that have at least one judged value (something to edit)."""
    return [
        set_id
        for set_id, crit in sorted(services.criteria_sets().items())
        if any(not p.informational for _, ind in crit.indicators() for p in ind.measured)
    ]


def default_key(crit: CriteriaSet, commune: str | None) -> str:
    """The commune's region/group when it has one in this set, else the set's first key."""
    ids = crit.key_ids()
    own = services.commune_key(commune, crit) if commune else None
    if own in ids:
        return str(own)
    specific = [k for k in ids if k != GENERAL_KEY]
    return (specific or ids or [GENERAL_KEY])[0]


def threshold_table(set_id: str, key: str) -> pd.DataFrame:
    """`ntm.criteria_edit.thresholds_frame` of the set in use, for st.data_editor."""
    return thresholds_frame(get_set(set_id), key)


def pending_changes(set_id: str, key: str, edited: pd.DataFrame) -> list[ThresholdChange]:
    return changes_between(get_set(set_id), key, edited)


@dataclass
class EditResult:
    set_id: str
    revision: int
    changes: list[ThresholdChange]


def save_thresholds(
    set_id: str,
    key: str,
    edited: pd.DataFrame,
    user: User | None,
    base_revision: int | None = None,
) -> EditResult | None:
    """Save the edited table as the next revision of the set (admin); None if nothing changed.

    PermissionDenied unless `user` may edit criteria; StaleRevision when `base_revision` (the
    revision the table was drawn from) is no longer the latest; CriteriaError when the edited
    set breaks the schema. The audit row names `user`."""
    who = require(user, Action.EDIT_CRITERIA)
    assert who is not None
    store = services.store()
    try:
        crit = store.criteria_set(set_id)  # fresh from the database, not a cached copy
    except KeyError:
        crit = shipped_sets()[set_id]
    if base_revision is not None and crit.revision != base_revision:
        raise StaleRevision(set_id, base_revision, crit.revision)
    changes = changes_between(crit, key, edited)
    if not changes:
        return None
    try:
        new = apply_changes(crit, changes)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise CriteriaError(set_id, [("(edit)", str(exc))]) from None
    problems = new.problems()
    if problems:
        raise CriteriaError(set_id, problems)
    revision = store.save_criteria_set(new, user=who.name, based_on=crit.id)
    services.clear_caches()
    return EditResult(set_id, revision, changes)


def value_text(value: float | bool | None, kind: str, lang: str) -> str:
    if value is None:
        return t("criteria_ui.empty", lang)
    if kind == "boolean" or isinstance(value, bool):
        return t("ui.value.yes" if bool(value) else "ui.value.no", lang)
    return fmt.number(value, lang, 2)


def changes_frame(changes: list[ThresholdChange], set_id: str, lang: str) -> pd.DataFrame:
    """The unsaved changes of the editor, one row each: code, before, after, verified, source."""
    kinds = {code: part.kind for code, (_, part) in get_set(set_id).measured_codes().items()}
    return pd.DataFrame(
        {
            t("criteria_ui.col.code", lang): [c.code for c in changes],
            t("criteria_ui.col.before", lang): [
                value_text(c.before, kinds.get(c.code, ""), lang) for c in changes
            ],
            t("criteria_ui.col.after", lang): [
                value_text(c.after, kinds.get(c.code, ""), lang) for c in changes
            ],
            t("criteria_ui.col.verified", lang): [_yes_no(c.verified, lang) for c in changes],
            t("criteria_ui.col.source", lang): [c.source for c in changes],
        }
    )


# --- the change log --------------------------------------------------------------------------

RuleKey = tuple[str, str, int | None, float | None]


def _rules(crit: CriteriaSet) -> tuple[dict[RuleKey, ThresholdRule], dict[str, str]]:
    rules: dict[RuleKey, ThresholdRule] = {}
    kinds: dict[str, str] = {}
    for _, ind in crit.indicators():
        for part in ind.measured:
            kinds[part.code] = part.kind
            for r in part.thresholds:
                rules[(part.code, r.key or GENERAL_KEY, r.year, r.when_denominator_at_most)] = r
    return rules, kinds


def _rule_text(rule: ThresholdRule | None, kind: str, lang: str) -> str:
    if rule is None:
        return t("criteria_ui.empty", lang)
    if not rule.applies:
        return t("criteria_ui.audit.not_applicable", lang)
    return value_text(rule.value, kind, lang)


def describe_changes(before: CriteriaSet | None, after: CriteriaSet, lang: str) -> list[str]:
    """What changed from `before` to `after`, threshold by threshold ("4.2 · tdmnpb: 98 → 95")."""
    if before is None:
        return [t("criteria_ui.audit.new_set", lang, n=after.indicator_count())]
    old, _ = _rules(before)
    new, kinds = _rules(after)
    lines: list[str] = []
    if before.indicator_count() != after.indicator_count():
        lines.append(
            t(
                "criteria_ui.audit.indicators",
                lang,
                before=before.indicator_count(),
                after=after.indicator_count(),
            )
        )
    if before.complete != after.complete:
        lines.append(
            t(
                "criteria_ui.audit.complete",
                lang,
                before=_yes_no(before.complete, lang),
                after=_yes_no(after.complete, lang),
            )
        )
    for rule_key in sorted(set(old) | set(new), key=lambda k: tuple(str(x) for x in k)):
        was, now = old.get(rule_key), new.get(rule_key)
        if was == now:
            continue
        code, key, year, _ = rule_key
        applied = was or old.get((code, GENERAL_KEY, year, rule_key[3]))
        kind = kinds.get(code, "number")
        label = f"{code} · {key}" + (f" · {year}" if year is not None else "")
        text = f"{label}: {_rule_text(applied, kind, lang)} → {_rule_text(now, kind, lang)}"
        if now is not None and now.verified and not (was is not None and was.verified):
            text += f" ({t('criteria_ui.audit.verified', lang)})"
        lines.append(text)
    return lines or [t("criteria_ui.audit.no_change", lang)]


def _before(set_id: str, revision: int) -> CriteriaSet | None:
    if revision > 1:
        try:
            return get_set(set_id, revision - 1)
        except KeyError:
            return None
    return shipped_sets().get(set_id)


@st.cache_data(show_spinner=False)
def _audit(url: str, lang: str, limit: int) -> pd.DataFrame:
    rows = services.store().audit(limit, entity="criteria_set")
    out = []
    for row in rows.itertuples(index=False):
        details: dict[str, Any] = dict(row.details or {})
        revision = int(details.get("revision") or 0)
        set_id = str(row.entity_id)
        try:
            after = get_set(set_id, revision)
            lines = describe_changes(_before(set_id, revision), after, lang)
        except KeyError:
            lines = []
        shown = lines[:MAX_CHANGE_LINES]
        if len(lines) > MAX_CHANGE_LINES:
            shown.append(t("criteria_ui.audit.more", lang, n=len(lines) - MAX_CHANGE_LINES))
        action = str(row.action).rsplit(".", 1)[-1]
        out.append(
            {
                t("criteria_ui.audit.when", lang): fmt.date_time(row.at, lang),
                t("criteria_ui.audit.who", lang): str(row.user),
                t("criteria_ui.audit.what", lang): (
                    t(f"criteria_ui.audit.action.{action}", lang)
                    if action in ("created", "revised")
                    else str(row.action)
                ),
                t("criteria_ui.col.id", lang): set_id,
                t("criteria_ui.col.revision", lang): revision,
                t("criteria_ui.audit.changes", lang): "; ".join(shown),
            }
        )
    return pd.DataFrame(out)


def audit_table(lang: str, user: User | None, limit: int = 20) -> pd.DataFrame:
    """The latest criteria audit rows (newest first): when, who, what, set, revision, changes.
    For a logged-in reader, or anyone when NTM_OPEN_RECORDS is set; PermissionDenied otherwise."""
    require(user, Action.VIEW_RECORDS)
    return _audit(services.db_url(), lang, int(limit))


# --- the set in force ------------------------------------------------------------------------


@dataclass
class Incomplete:
    crit: CriteriaSet
    years: list[int]


def incomplete_in_force(commune: str | None, today: dt.date | None = None) -> list[Incomplete]:
    """The sets in force that are incomplete, for the commune's years with data and this year
    (e.g. 2026-2030 without its 47 indicators, or a province village set without its own)."""
    years = set(services.periods(commune)) if commune else set()
    years.add((today or dt.date.today()).year)
    found: dict[str, Incomplete] = {}
    for year in sorted(years):
        try:
            crit = (
                services.criteria_for(commune, year)
                if commune
                else set_for_year(year, "commune", list(services.criteria_sets().values()))
            )
        except NoCriteriaSetError:
            continue
        # The province village set the commune follows is in force too (ntm.village_sets).
        village_set = services.village_set_in_force(commune, year) if commune else None
        for in_force in (crit, village_set):
            if in_force is not None and not in_force.complete:
                found.setdefault(in_force.id, Incomplete(in_force, [])).years.append(year)
    return list(found.values())
