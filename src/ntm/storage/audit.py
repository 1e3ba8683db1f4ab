"""The audit log: every change writes a row with its user, action, entity and details
(before/after for edits). The table is append-only (enforced by a trigger), so its latest id
also tells readers that the database changed (`data_version`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.storage import schema as S
from ntm.storage.common import clean, now, utc_column
from ntm.storage.transactions import Transactions


def audit_row(
    user: str, action: str, entity: str, entity_id: object, details: Mapping[str, Any]
) -> dict[str, Any]:
    """An audit row's values (for a bulk insert: `conn.execute(sa.insert(S.audit_log), rows)`)."""
    return {
        "at": now(),
        "user_name": user,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "details": clean(details),
    }


def write_audit(
    conn: Connection,
    user: str,
    action: str,
    entity: str,
    entity_id: object,
    details: Mapping[str, Any],
) -> int:
    """Insert one audit row inside the caller's transaction; returns its id."""
    row = audit_row(user, action, entity, entity_id, details)
    audit_id: int = conn.execute(
        sa.insert(S.audit_log).values(row).returning(S.audit_log.c.id)
    ).scalar_one()
    return audit_id


def diff(
    before: Any, after: Any, path: str = "", out: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The leaves that differ between two JSON documents, as {path, before, after}."""
    out = [] if out is None else out
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after), key=str):
            diff(before.get(key), after.get(key), f"{path}.{key}" if path else str(key), out)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            diff(b, a, f"{path}.{i}" if path else str(i), out)
    elif before != after:
        out.append({"path": path, "before": before, "after": after})
    return out


class AuditMixin(Transactions):
    """The audit log's part of `Store`."""

    # Inside a write transaction of the caller (ntm.storage.drafts uses it too).
    _audit = staticmethod(write_audit)

    def data_version(self) -> int:
        """The latest audit row's id: it grows with every write (the log is append-only), so
        a reader holding cached results knows, in one indexed query, that another process or
        app instance changed the database."""
        query = sa.select(sa.func.max(S.audit_log.c.id))
        return int(self._read(lambda conn: conn.execute(query).scalar()) or 0)

    def audit(
        self,
        limit: int | None = 100,
        *,
        entity: str | None = None,
        entity_id: object | None = None,
        user: str | None = None,
        action: str | None = None,
    ) -> pd.DataFrame:
        """Audit rows, newest first."""
        a = S.audit_log.c
        query = sa.select(
            a.id, a.at, a.user_name.label("user"), a.action, a.entity, a.entity_id, a.details
        ).order_by(a.id.desc())
        if entity is not None:
            query = query.where(a.entity == entity)
        if entity_id is not None:
            query = query.where(a.entity_id == str(entity_id))
        if user is not None:
            query = query.where(a.user_name == user)
        if action is not None:
            query = query.where(a.action == action)
        if limit is not None:
            query = query.limit(int(limit))
        rows = self._read(lambda conn: conn.execute(query).all())
        frame = pd.DataFrame(
            [tuple(row) for row in rows],
            columns=["id", "at", "user", "action", "entity", "entity_id", "details"],
        )
        frame["id"] = frame["id"].astype("int64")
        frame["at"] = utc_column(frame["at"])
        return frame
