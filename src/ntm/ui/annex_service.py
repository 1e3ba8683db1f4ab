"""The annex draft on Cài đặt: read a decision's annex into a draft, correct cells, approve.

Conventions of `ntm.ui.criteria_service`: writes take the logged-in `ntm.auth.User` and check it
with `ntm.auth.require` (reading an annex into a draft needs `IMPORT_CRITERIA`; correcting and
approving need `EDIT_CRITERIA`, admins); every write clears the caches, so the set an approval
stores judges at once. A draft itself never judges (ntm.storage.drafts).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ntm.annex import read_annex
from ntm.annex.draft import AnnexDraft, CorrectionError, build_set
from ntm.annex.thresholds import describe
from ntm.auth import Action, User, require
from ntm.errors import CriteriaError, Problem, has_errors
from ntm.i18n import t
from ntm.storage.drafts import DraftInfo, Drafts
from ntm.ui import services
from ntm.village_sets import clash_problems

PENDING_ID = "__chua-dat-ma__"  # read before the id is known: the base set's id is used
# Columns of the review table; only "correction" is editable.
COLUMNS = ("code", "indicator", "column", "printed", "where", "status", "read_as", "correction")


def drafts() -> Drafts:
    return Drafts(services.store())


def open_drafts() -> list[DraftInfo]:
    return drafts().list()


def get(draft_id: int) -> AnnexDraft:
    return drafts().get(draft_id)


@dataclass
class ImportResult:
    draft_id: int | None  # None when the file could not be read as an annex
    problems: list[Problem]


def import_annex(
    name: str, data: bytes, set_id: str, based_on: str | None, user: User | None
) -> ImportResult:
    """Read an uploaded annex and store it as a draft (PermissionDenied unless allowed)."""
    who = require(user, Action.IMPORT_CRITERIA)
    assert who is not None
    sets = services.criteria_sets()
    draft, problems = read_annex(
        data,
        name,
        set_id=set_id.strip() or PENDING_ID,
        candidates=sets.values(),
        based_on=sets.get(based_on) if based_on else None,
    )
    if draft is None or has_errors(problems):
        return ImportResult(None, problems)
    if draft.set_id == PENDING_ID:
        draft = draft.model_copy(update={"set_id": draft.based_on})
    draft_id = drafts().save(draft, bytes(data), who.name)
    services.clear_caches()
    return ImportResult(draft_id, problems)


def status_text(status: str, lang: str) -> str:
    return t(f"annex_ui.status.{status}", lang)


def cells_frame(draft: AnnexDraft, lang: str) -> pd.DataFrame:
    """One row per threshold cell, indexed by its position in the draft: the printed text beside
    what was read from it (or why a person must read it)."""
    names = {i.code: i.name for i in draft.indicators}
    rows = []
    for cell in draft.cells:
        if cell.status == "flagged":
            read_as = t(f"annex_ui.reason.{cell.reason}", lang)
        else:
            read_as = describe(cell.reading())
            if cell.value is None and cell.applies:
                read_as = t("annex_ui.to_supply", lang)
        rows.append(
            {
                "code": cell.code,
                "indicator": names.get(cell.code, ""),
                "column": cell.column or t("annex_ui.general", lang),
                "printed": cell.text,
                "where": cell.where.ref,
                "status": status_text(cell.status, lang),
                "read_as": read_as,
                "correction": cell.correction,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


@dataclass
class Refused:
    index: int
    typed: str
    reason: str


def correct(draft_id: int, typed: dict[int, str], user: User | None) -> list[Refused]:
    """Apply a person's readings (cell index → text as they read it); the ones refused."""
    who = require(user, Action.EDIT_CRITERIA)
    assert who is not None
    store = drafts()
    refused = []
    for index, text in sorted(typed.items()):
        try:
            store.correct(draft_id, index, text, who.name)
        except CorrectionError as exc:
            refused.append(Refused(index, text, exc.reason))
    services.clear_caches()
    return refused


def approve(draft_id: int, user: User | None) -> int:
    """Approve the draft (admin): the set's new revision. NotReady while cells are flagged;
    CriteriaError when the set breaks the schema or clashes with a village set."""
    who = require(user, Action.EDIT_CRITERIA)
    assert who is not None
    store = drafts()
    draft = store.get(draft_id)
    sets = services.criteria_sets()
    base = sets[draft.based_on]
    preview = build_set(draft, base)
    clashes = clash_problems(
        preview, [s for s in sets.values() if s.id != draft.set_id], draft.source.filename
    )
    if clashes:
        raise CriteriaError(draft.set_id, [(p.cell, p.message()) for p in clashes])
    revision = store.approve(draft_id, base, who.name)
    services.clear_caches()
    return int(revision)
