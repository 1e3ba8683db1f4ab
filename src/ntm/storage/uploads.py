"""Uploads (DESIGN §6): every file kept with its original bytes, name, sha256, size, who and
when; a file refused for its size keeps its sha256, size and problems but not its bytes."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.errors import Code, Problem
from ntm.storage import schema as S
from ntm.storage.common import utc, utc_column
from ntm.storage.communes import lineage
from ntm.storage.models import Row, problem_from_dict
from ntm.storage.transactions import Transactions


class UploadsMixin(Transactions):
    """The uploads list of Dữ liệu, their problems and original files."""

    def uploads(
        self,
        commune: str | None = None,
        period: int | None = None,
        status: str | None = None,
        limit: int | None = None,
        ids: Iterable[int] | None = None,
    ) -> pd.DataFrame:
        """Every upload, newest first (without the bytes: see `original`); `ids`: only these
        (found by key: the other filters scan the table, whose rows hold the files' bytes)."""
        u, r = S.uploads.c, S.revisions.c
        created = (
            sa.select(sa.func.count())
            .where(r.upload_id == u.id, r.restored_from_id.is_(None))
            .scalar_subquery()
        )
        query = sa.select(
            u.id.label("upload_id"),
            u.filename.label("file"),
            u.sha256,
            u.size,
            u.user_name.label("user"),
            u.created_at,
            u.status,
            u.commune,
            u.period,
            u.value_count,
            u.problems,
            (u.content.is_not(None)).label("kept"),
            created.label("revisions"),
        ).order_by(u.id.desc())
        if status is not None:
            query = query.where(u.status == status)
        if period is not None:
            query = query.where(u.period == int(period))
        if ids is not None:
            query = query.where(u.id.in_(sorted({int(i) for i in ids})))
        if limit is not None:
            query = query.limit(int(limit))

        def work(conn: Connection) -> list[Row]:
            q = query
            if commune is not None:
                c = S.communes.c
                ids = lineage(conn, commune)
                names = conn.execute(sa.select(c.name).where(c.id.in_(ids))).scalars().all()
                a = S.unit_aliases.c  # uploads made before a merge or rename carry old names
                aliases = conn.execute(sa.select(a.alias).where(a.commune_id.in_(ids)))
                q = q.where(u.commune.in_([commune, *names, *aliases.scalars().all()]))
            return list(conn.execute(q).all())

        rows = self._read(work)
        columns = [
            "upload_id",
            "file",
            "sha256",
            "size",
            "user",
            "created_at",
            "status",
            "commune",
            "period",
            "value_count",
            "problem_count",
            "errors",
            "kept",
            "revisions",
        ]
        records = []
        for row in rows:
            problems = [problem_from_dict(p) for p in row.problems or []]
            records.append(
                (
                    row.upload_id,
                    row.file,
                    row.sha256,
                    row.size,
                    row.user,
                    utc(row.created_at),
                    row.status,
                    row.commune,
                    row.period,
                    row.value_count,
                    len(problems),
                    sum(p.is_error for p in problems),
                    bool(row.kept),
                    int(row.revisions),
                )
            )
        frame = pd.DataFrame(records, columns=columns)
        frame = frame.astype(
            {
                "upload_id": "int64",
                "size": "int64",
                "value_count": "int64",
                "problem_count": "int64",
                "errors": "int64",
                "kept": "bool",
                "revisions": "int64",
                "period": "Int64",
            }
        )
        frame["created_at"] = utc_column(frame["created_at"])
        return frame

    def stated_set_uploads(self, upload_ids: Iterable[int]) -> dict[int, str]:
        """Of `upload_ids`, those read on the set their return names because the set in force
        had no indicators (their `read_on_stated_set` warning): upload id → that set's id.
        Only the few rows whose problems mention the code are parsed."""
        ids = sorted({int(i) for i in upload_ids})
        if not ids:
            return {}
        u = S.uploads.c
        code = Code.READ_ON_STATED_SET.value
        query = sa.select(u.id, u.problems).where(
            u.id.in_(ids), sa.cast(u.problems, sa.Text).contains(code)
        )
        rows = self._read(lambda conn: conn.execute(query).all())
        out: dict[int, str] = {}
        for row in rows:
            for problem in row.problems or []:
                if problem.get("code") == code and problem.get("params", {}).get("stated"):
                    out[int(row.id)] = str(problem["params"]["stated"])
        return out

    def upload_problems(self, upload_id: int) -> list[Problem]:
        u = S.uploads.c
        stored = self._read(
            lambda conn: conn.execute(sa.select(u.problems).where(u.id == int(upload_id))).scalar()
        )
        return [problem_from_dict(p) for p in stored or []]

    def original(self, upload_id: int) -> tuple[str, bytes]:
        """The file name and original bytes of an upload (b"" if it was too large to keep)."""
        u = S.uploads.c
        row = self._read(
            lambda conn: conn.execute(
                sa.select(u.filename, u.content).where(u.id == int(upload_id))
            ).first()
        )
        if row is None:
            raise KeyError(f"no upload {upload_id}")
        return row.filename, bytes(row.content or b"")
