"""Revisions and the values they hold (DESIGN §6): a later upload for the same (commune,
village, period) is a new revision, never an overwrite; revision numbers count 1, 2, 3 … per
unit and the current revision is the highest number not deleted. `restore()` copies an earlier
revision into a new one; `delete_revision` marks one deleted (it stays readable).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.errors import Problem
from ntm.storage import schema as S
from ntm.storage.audit import AuditMixin, write_audit
from ntm.storage.common import missing, now, utc_column
from ntm.storage.communes import lineage
from ntm.storage.models import ANONYMOUS, ANY, RevisionRef, Row, _Any, problem_from_dict
from ntm.storage.value_reads import (
    current_revision_ids,
    one_snapshot,
    read_values,
)
from ntm.storage.writes import new_revisions


def _with_unit_and_upload(start: Any) -> Any:
    """`start` (revisions, or a join with them) joined to each revision's commune, village
    (none for the commune-wide unit) and upload."""
    r, c, vil, u = S.revisions, S.communes, S.villages, S.uploads
    return (
        start.join(c, r.c.commune_id == c.c.id)
        .outerjoin(vil, r.c.village_id == vil.c.id)
        .join(u, r.c.upload_id == u.c.id)
    )


class RevisionsMixin(AuditMixin):
    """Reading current values and revisions; restoring and deleting revisions."""

    def current_values(
        self, commune: str | None = None, period: int | None = None, *, include_merged: bool = True
    ) -> pd.DataFrame:
        """The tidy values of every unit's current revision, plus upload_id/revision_id/revision.

        `commune` also brings the history of the communes merged into it (each keeps its own
        name in the `commune` column) unless `include_merged=False`. How it is read fast:
        `ntm.storage.value_reads`.
        """

        def work(conn: Connection) -> pd.DataFrame:
            one_snapshot(conn)
            ids: list[int] | None = None
            if commune is not None:
                if include_merged:
                    ids = lineage(conn, commune)
                else:
                    c = S.communes.c
                    ids = list(conn.execute(sa.select(c.id).where(c.name == commune)).scalars())
            return read_values(conn, current_revision_ids(ids, period))

        return self._read(work)

    def revision_values(self, revision_id: int) -> pd.DataFrame:
        """The tidy values of one revision (current or not)."""
        return self._read(lambda conn: read_values(conn, [int(revision_id)]))

    def current_problems(
        self, commune: str | None = None, period: int | None = None
    ) -> list[Problem]:
        """The problems (warnings) stored with the uploads behind the current revisions."""
        frame = self.current_values(commune, period)
        ids = sorted({int(i) for i in frame["upload_id"].unique()})
        if not ids:
            return []
        u = S.uploads.c
        rows = self._read(
            lambda conn: conn.execute(
                sa.select(u.id, u.problems).where(u.id.in_(ids)).order_by(u.id)
            ).all()
        )
        return [problem_from_dict(p) for row in rows for p in row.problems or []]

    def revisions(
        self,
        commune: str | None = None,
        village: str | _Any | None = ANY,
        period: int | None = None,
    ) -> pd.DataFrame:
        """Revisions, oldest first per unit, with `current` marking each unit's current one.

        `village=None` selects the commune-wide unit; `ANY` (default) every unit.
        """
        r, c, vil, u = S.revisions, S.communes, S.villages, S.uploads
        query = (
            sa.select(
                r.c.id.label("revision_id"),
                c.c.name.label("commune"),
                vil.c.name.label("village"),
                r.c.period,
                r.c.number,
                r.c.upload_id,
                u.c.filename.label("file"),
                r.c.user_name.label("user"),
                r.c.created_at,
                r.c.restored_from_id.label("restored_from"),
                r.c.value_count,
                r.c.deleted_at,
                r.c.deleted_by,
            )
            .select_from(_with_unit_and_upload(r))
            .order_by(c.c.name, r.c.period, sa.nulls_first(vil.c.name), r.c.number)
        )
        if commune is not None:
            query = query.where(c.c.name == commune)
        if village is None:
            query = query.where(r.c.village_id.is_(None))
        elif not isinstance(village, _Any):
            query = query.where(vil.c.name == village)
        if period is not None:
            query = query.where(r.c.period == int(period))
        rows = self._read(lambda conn: conn.execute(query).all())
        columns = [
            "revision_id",
            "commune",
            "village",
            "period",
            "number",
            "upload_id",
            "file",
            "user",
            "created_at",
            "restored_from",
            "value_count",
            "deleted_at",
            "deleted_by",
        ]
        frame = pd.DataFrame([tuple(row) for row in rows], columns=columns)
        frame["created_at"] = utc_column(frame["created_at"])
        frame["deleted_at"] = utc_column(frame["deleted_at"])
        frame["restored_from"] = frame["restored_from"].astype("Int64")
        frame["village"] = frame["village"].astype("object").where(frame["village"].notna(), None)
        frame = frame.astype(
            {
                "revision_id": "int64",
                "period": "int64",
                "number": "int64",
                "upload_id": "int64",
                "value_count": "int64",
            }
        )
        frame["deleted"] = frame["deleted_at"].notna()
        live = frame[~frame["deleted"]]
        top = live.groupby(["commune", "village", "period"], dropna=False)["number"].max()
        current = {(k[0], k[1] if not missing(k[1]) else None, k[2]): n for k, n in top.items()}
        frame["current"] = pd.Series(
            [
                not deleted and current.get((cm, vg, int(p))) == n
                for cm, vg, p, n, deleted in zip(
                    frame["commune"],
                    frame["village"],
                    frame["period"],
                    frame["number"],
                    frame["deleted"],
                    strict=True,
                )
            ],
            index=frame.index,
            dtype=bool,
        )
        return frame

    def _revision_row(self, conn: Connection, revision_id: int) -> Row:
        r, c, vil = S.revisions, S.communes, S.villages
        row = conn.execute(
            sa.select(
                r.c.id,
                r.c.commune_id,
                r.c.village_id,
                r.c.period,
                r.c.number,
                r.c.upload_id,
                r.c.deleted_at,
                c.c.name.label("commune"),
                vil.c.name.label("village"),
            )
            .select_from(
                r.join(c, r.c.commune_id == c.c.id).outerjoin(vil, r.c.village_id == vil.c.id)
            )
            .where(r.c.id == int(revision_id))
        ).first()
        if row is None:
            raise KeyError(f"no revision {revision_id}")
        return row

    def restore(self, revision_id: int, user: str = ANONYMOUS) -> RevisionRef:
        """Make an earlier revision current again: a new revision with a copy of its values."""

        def work(conn: Connection) -> RevisionRef:
            src = self._revision_row(conn, revision_id)
            c, v = S.communes.c, S.indicator_values.c
            conn.execute(sa.select(c.id).where(c.id == src.commune_id).with_for_update())
            rows = [
                dict(row._mapping)
                for row in conn.execute(
                    sa.select(
                        v.code,
                        v.value,
                        v.numerator,
                        v.denominator,
                        v.note,
                        v.self_assessed,
                        v.sheet,
                        v.cell,
                    )
                    .where(v.revision_id == src.id)
                    .order_by(v.id)
                )
            ]
            [ref] = new_revisions(
                conn,
                src.commune_id,
                src.commune,
                [(src.village, src.period, rows)],
                src.upload_id,
                user,
                restored_from=src,
            )
            return ref

        return self._write(work)

    def delete_revision(self, revision_id: int, user: str = ANONYMOUS, reason: str = "") -> bool:
        """Mark a revision deleted (it stays readable); False if it already was."""

        def work(conn: Connection) -> bool:
            row = self._revision_row(conn, revision_id)
            if row.deleted_at is not None:
                return False
            r = S.revisions.c
            conn.execute(
                sa.update(S.revisions)
                .where(r.id == row.id)
                .values(deleted_at=now(), deleted_by=user)
            )
            write_audit(
                conn,
                user,
                "revision.deleted",
                "revision",
                row.id,
                {
                    "commune": row.commune,
                    "village": row.village,
                    "period": row.period,
                    "number": row.number,
                    "upload_id": row.upload_id,
                    "reason": reason,
                },
            )
            return True

        return self._write(work)
