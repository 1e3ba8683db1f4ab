"""Drafts of criteria sets read from a decision's annex (table `criteria_drafts`; ntm.annex).

    drafts = Drafts(store)
    draft_id = drafts.save(draft, data, user="quan.tri")      # state "draft"
    drafts.correct(draft_id, index, "≥ 70%", user="quan.tri")
    revision = drafts.approve(draft_id, base_set, user="quan.tri")

Rules:
- A draft keeps the original document (bytes, sha256) beside what was read from it. Importing
  the same set id again replaces the open draft (the old one becomes `superseded`, kept).
- Nothing judges with a draft: it is not a criteria set until `approve`, which refuses while
  any cell is flagged (ntm.annex.draft.NotReady), then in ONE transaction stores the set as the
  next revision of its id (every threshold verified against the document: its name and sha256
  are the source) and marks the draft approved with who and when.
- Every change is in the audit log: created, corrected (cell, printed text, before, after),
  superseded, approved (sha256, revision).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.annex.draft import AnnexDraft, Approval, approve, correct
from ntm.criteria import CriteriaSet
from ntm.storage import schema as S
from ntm.storage.common import now as _now
from ntm.storage.common import utc
from ntm.storage.store import Store

DRAFT, APPROVED, SUPERSEDED = "draft", "approved", "superseded"
ENTITY = "criteria_draft"


@dataclass(frozen=True)
class DraftInfo:
    id: int
    set_id: str
    based_on: str
    state: str
    filename: str
    sha256: str
    user: str
    created_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    criteria_revision: int | None


class Drafts:
    """The drafts of one store (its engine, transactions and audit log)."""

    def __init__(self, store: Store):
        self.store = store

    def _info(self, row: Any) -> DraftInfo:
        return DraftInfo(
            id=int(row.id),
            set_id=row.set_id,
            based_on=row.based_on,
            state=row.state,
            filename=row.filename,
            sha256=row.sha256,
            user=row.user_name,
            created_at=utc(row.created_at) or _now(),
            approved_by=row.approved_by,
            approved_at=utc(row.approved_at),
            criteria_revision=row.criteria_revision,
        )

    def save(self, draft: AnnexDraft, content: bytes, user: str) -> int:
        """Store a new draft (the open draft of the same set id is superseded); its id."""
        d = S.criteria_drafts.c

        def work(conn: Connection) -> int:
            old = conn.execute(
                sa.select(d.id).where(d.set_id == draft.set_id, d.state == DRAFT)
            ).all()
            now = _now()
            for (old_id,) in old:
                conn.execute(
                    sa.update(S.criteria_drafts)
                    .where(d.id == old_id)
                    .values(state=SUPERSEDED, updated_at=now)
                )
                self.store._audit(conn, user, f"{ENTITY}.superseded", ENTITY, old_id, {})
            inserted = conn.execute(
                sa.insert(S.criteria_drafts).values(
                    set_id=draft.set_id,
                    based_on=draft.based_on,
                    state=DRAFT,
                    filename=draft.source.filename,
                    sha256=draft.source.sha256,
                    size=draft.source.size,
                    content=content,
                    document=draft.model_dump(mode="json"),
                    user_name=user,
                    created_at=now,
                    updated_at=now,
                )
            )
            new_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
            details = {
                "set_id": draft.set_id,
                "filename": draft.source.filename,
                "sha256": draft.source.sha256,
                "cells": len(draft.cells),
                "flagged": sum(1 for c in draft.cells if c.status == "flagged"),
            }
            self.store._audit(conn, user, f"{ENTITY}.created", ENTITY, new_id, details)
            return int(new_id)

        return self.store._write(work)

    def list(self, state: str | None = DRAFT) -> list[DraftInfo]:
        """Drafts in `state` (None: all), oldest first."""
        d = S.criteria_drafts.c
        query = sa.select(*(S.criteria_drafts.c[n] for n in _INFO_COLUMNS)).order_by(d.id)
        if state is not None:
            query = query.where(d.state == state)
        rows = self.store._read(lambda conn: conn.execute(query).all())
        return [self._info(r) for r in rows]

    def open_for(self, set_id: str) -> DraftInfo | None:
        """The open draft of `set_id`, if any."""
        return next((i for i in self.list(DRAFT) if i.set_id == set_id), None)

    def info(self, draft_id: int) -> DraftInfo:
        d = S.criteria_drafts.c
        query = sa.select(*(S.criteria_drafts.c[n] for n in _INFO_COLUMNS)).where(d.id == draft_id)
        row = self.store._read(lambda conn: conn.execute(query).first())
        if row is None:
            raise KeyError(f"no criteria draft {draft_id}")
        return self._info(row)

    def get(self, draft_id: int) -> AnnexDraft:
        d = S.criteria_drafts.c
        query = sa.select(d.document).where(d.id == draft_id)
        document = self.store._read(lambda conn: conn.execute(query).scalar_one_or_none())
        if document is None:
            raise KeyError(f"no criteria draft {draft_id}")
        return AnnexDraft.model_validate(document)

    def original(self, draft_id: int) -> tuple[str, bytes]:
        d = S.criteria_drafts.c
        query = sa.select(d.filename, d.content).where(d.id == draft_id)
        row = self.store._read(lambda conn: conn.execute(query).first())
        if row is None:
            raise KeyError(f"no criteria draft {draft_id}")
        return str(row.filename), bytes(row.content)

    def _open_row(self, conn: Connection, draft_id: int) -> AnnexDraft:
        d = S.criteria_drafts.c
        row = conn.execute(sa.select(d.state, d.document).where(d.id == draft_id)).first()
        if row is None:
            raise KeyError(f"no criteria draft {draft_id}")
        if row.state != DRAFT:
            raise DraftClosed(draft_id, row.state)
        return AnnexDraft.model_validate(row.document)

    def correct(self, draft_id: int, index: int, text: str, user: str) -> AnnexDraft:
        """A person's reading of cell `index` (ntm.annex.draft.correct); CorrectionError."""

        def work(conn: Connection) -> AnnexDraft:
            draft = self._open_row(conn, draft_id)
            before = draft.cells[index]
            fixed = correct(draft, index, text, user)
            after = fixed.cells[index]
            conn.execute(
                sa.update(S.criteria_drafts)
                .where(S.criteria_drafts.c.id == draft_id)
                .values(document=fixed.model_dump(mode="json"), updated_at=_now())
            )
            details = {
                "code": after.code,
                "column": after.column,
                "printed": after.text,
                "where": after.where.ref,
                "before": {"status": before.status, "value": before.value},
                "after": {"status": after.status, "value": after.value, "typed": text},
            }
            self.store._audit(conn, user, f"{ENTITY}.corrected", ENTITY, draft_id, details)
            return fixed

        return self.store._write(work)

    def approve(self, draft_id: int, base: CriteriaSet, user: str) -> int:
        """Store the draft as the next revision of its set id and close it; the revision.
        NotReady while a cell is flagged; DraftClosed when it is no longer open."""

        def work(conn: Connection) -> int:
            draft = self._open_row(conn, draft_id)
            now = _now()
            crit = approve(draft, base, Approval(user=user, at=now))
            revision = self.store.insert_criteria_set(conn, crit, user, draft.based_on)
            conn.execute(
                sa.update(S.criteria_drafts)
                .where(S.criteria_drafts.c.id == draft_id)
                .values(
                    state=APPROVED,
                    approved_by=user,
                    approved_at=now,
                    criteria_revision=revision,
                    updated_at=now,
                )
            )
            details = {
                "set_id": draft.set_id,
                "revision": revision,
                "filename": draft.source.filename,
                "sha256": draft.source.sha256,
            }
            self.store._audit(conn, user, f"{ENTITY}.approved", ENTITY, draft_id, details)
            return revision

        return self.store._write(work)


class DraftClosed(Exception):
    """The draft was approved or superseded meanwhile."""

    def __init__(self, draft_id: int, state: str):
        self.draft_id, self.state = draft_id, state
        super().__init__(f"criteria draft {draft_id} is {state}, not open")


_INFO_COLUMNS = (
    "id",
    "set_id",
    "based_on",
    "state",
    "filename",
    "sha256",
    "user_name",
    "created_at",
    "approved_by",
    "approved_at",
    "criteria_revision",
)
