"""Criteria sets users imported or edited (DESIGN §5: shipped sets are files in criteria/,
the others live in the database with their revisions), and the reading context they make:
how a return is read against this database."""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.criteria import CriteriaSet
from ntm.register import Entry
from ntm.storage import schema as S
from ntm.storage.audit import AuditMixin, diff, write_audit
from ntm.storage.common import now, utc_column
from ntm.storage.models import ANONYMOUS, ReadingContext


class CriteriaSetsMixin(AuditMixin):
    """Stored criteria sets and their revisions (Cài đặt, `ntm criteria import`)."""

    _context: ReadingContext | None = None

    def save_criteria_set(
        self, doc: CriteriaSet, user: str = ANONYMOUS, based_on: str | None = None
    ) -> int:
        """Store a user-imported or edited set as its next revision; returns the revision.

        Saving a document identical to the latest revision creates nothing and returns it.
        """
        return self._write(lambda conn: self.insert_criteria_set(conn, doc, user, based_on))

    def insert_criteria_set(
        self, conn: Connection, doc: CriteriaSet, user: str, based_on: str | None
    ) -> int:
        """`save_criteria_set` inside the caller's write transaction (ntm.storage.drafts)."""
        document = doc.model_dump(mode="json", exclude={"revision"})
        cs = S.criteria_sets.c
        latest = conn.execute(
            sa.select(cs.revision, cs.document)
            .where(cs.set_id == doc.id)
            .order_by(cs.revision.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.document == document:
            return int(latest.revision)
        revision = 1 if latest is None else int(latest.revision) + 1
        conn.execute(
            sa.insert(S.criteria_sets).values(
                set_id=doc.id,
                revision=revision,
                document=document,
                based_on=based_on,
                user_name=user,
                created_at=now(),
            )
        )
        details: dict[str, Any] = {"revision": revision, "based_on": based_on}
        if latest is not None:
            changes = diff(latest.document, document)
            details["changes"] = changes[:500]
            details["change_count"] = len(changes)
        action = "criteria_set.created" if latest is None else "criteria_set.revised"
        write_audit(conn, user, action, "criteria_set", doc.id, details)
        return revision

    def criteria_set(self, set_id: str, revision: int | None = None) -> CriteriaSet:
        """A stored set (latest revision unless given). KeyError if there is none."""
        cs = S.criteria_sets.c
        query = sa.select(cs.document, cs.revision).where(cs.set_id == set_id)
        if revision is not None:
            query = query.where(cs.revision == int(revision))
        query = query.order_by(cs.revision.desc()).limit(1)
        row = self._read(lambda conn: conn.execute(query).first())
        if row is None:
            raise KeyError(
                f"no stored criteria set {set_id!r}" + (f" revision {revision}" if revision else "")
            )
        return CriteriaSet.model_validate({**row.document, "revision": int(row.revision)})

    def criteria_sets(self) -> list[CriteriaSet]:
        """The latest revision of every stored set, by id."""
        cs = S.criteria_sets.c
        latest = (
            sa.select(cs.set_id, sa.func.max(cs.revision).label("revision"))
            .group_by(cs.set_id)
            .subquery()
        )
        query = (
            sa.select(cs.document, cs.revision)
            .join(latest, sa.and_(cs.set_id == latest.c.set_id, cs.revision == latest.c.revision))
            .order_by(cs.set_id)
        )
        rows = self._read(lambda conn: conn.execute(query).all())
        return [
            CriteriaSet.model_validate({**r.document, "revision": int(r.revision)}) for r in rows
        ]

    def reading_context(self) -> ReadingContext:
        """How a return is read against this database (see ReadingContext). Two small queries;
        stored sets are validated again only when a revision changed (imports stay fast)."""
        from ntm.village_sets import chosen_sets

        cs, c = S.criteria_sets.c, S.communes.c

        def signature(conn: Connection) -> tuple[Any, ...]:
            revisions = conn.execute(
                sa.select(cs.set_id, sa.func.max(cs.revision))
                .group_by(cs.set_id)
                .order_by(cs.set_id)
            ).all()
            chosen = conn.execute(
                sa.select(
                    c.name, c.criteria_set, c.village_criteria_sets, c.region, c.commune_group
                )
                .where(
                    sa.or_(
                        c.criteria_set.is_not(None),
                        c.village_criteria_sets.is_not(None),
                        c.region.is_not(None),
                        c.commune_group.is_not(None),
                    )
                )
                .order_by(c.name)
            ).all()
            a = S.unit_aliases.c
            aliases = conn.execute(
                sa.select(c.name, a.alias)
                .join(S.unit_aliases, a.commune_id == c.id)
                .where(c.name.in_([n for n, *_ in chosen]))
                .order_by(c.name, a.id)
            ).all()
            return (
                tuple((str(i), int(r)) for i, r in revisions),
                tuple((str(n), s, tuple(v or ()), reg, grp) for n, s, v, reg, grp in chosen),
                tuple((str(n), str(x)) for n, x in aliases),
            )

        revisions, chosen, aliases = self._read(signature)
        cached = self._context
        if cached is not None and cached.key == (revisions, chosen, aliases):
            return cached
        stored = (
            cached.extra_sets
            if cached is not None and cached.key[:1] == (revisions,)
            else tuple(self.criteria_sets())
        )
        self._context = ReadingContext(
            extra_sets=stored,
            commune_sets=tuple((n, s) for n, s, *_ in chosen if s),
            commune_village_sets=tuple(
                (n, tuple(chosen_sets(ids, stored))) for n, _, ids, *_ in chosen if ids
            ),
            commune_keys=tuple(
                (n, tuple((k, v) for k, v in (("region", reg), ("group", grp)) if v))
                for n, _, _, reg, grp in chosen
                if reg or grp
            ),
            key=(revisions, chosen, aliases),
            names=tuple(Entry(n, tuple(x for m, x in aliases if m == n)) for n, *_ in chosen),
        )
        return self._context

    def criteria_set_revisions(self, set_id: str | None = None) -> pd.DataFrame:
        """Every stored revision (set_id, revision, based_on, user, created_at), oldest first."""
        cs = S.criteria_sets.c
        query = sa.select(
            cs.set_id, cs.revision, cs.based_on, cs.user_name.label("user"), cs.created_at
        ).order_by(cs.set_id, cs.revision)
        if set_id is not None:
            query = query.where(cs.set_id == set_id)
        rows = self._read(lambda conn: conn.execute(query).all())
        frame = pd.DataFrame(
            [tuple(r) for r in rows],
            columns=["set_id", "revision", "based_on", "user", "created_at"],
        )
        frame["created_at"] = utc_column(frame["created_at"])
        return frame
