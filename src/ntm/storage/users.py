"""Accounts (`ntm user`, Cài đặt) and the failed logins that throttle a name (`ntm.auth`).

Password hashes are made by the caller (Argon2) and never logged. Failed logins are counted
in the database, not in a process: every app instance on a shared database sees the same
count, and the table holds one window's worth (older rows go as new ones come).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.storage import schema as S
from ntm.storage.audit import AuditMixin, write_audit
from ntm.storage.common import now, utc, utc_column
from ntm.storage.models import ANONYMOUS


class UsersMixin(AuditMixin):
    """Accounts and failed logins."""

    def save_user(
        self, name: str, role: str, password_hash: str | None, user: str = ANONYMOUS
    ) -> None:
        """Create or update an account (the hash is made by the caller; never logged)."""

        def work(conn: Connection) -> None:
            us = S.users.c
            before = conn.execute(
                sa.select(us.role, us.password_hash).where(us.name == name)
            ).first()
            at = now()
            if before is None:
                conn.execute(
                    sa.insert(S.users).values(
                        name=name,
                        role=role,
                        password_hash=password_hash,
                        created_at=at,
                        updated_at=at,
                    )
                )
                write_audit(conn, user, "user.created", "user", name, {"after": {"role": role}})
                return
            if before.role == role and before.password_hash == password_hash:
                return
            conn.execute(
                sa.update(S.users)
                .where(us.name == name)
                .values(role=role, password_hash=password_hash, updated_at=at)
            )
            write_audit(
                conn,
                user,
                "user.updated",
                "user",
                name,
                {
                    "before": {"role": before.role},
                    "after": {"role": role},
                    "password_changed": before.password_hash != password_hash,
                },
            )

        self._write(work)

    def user(self, name: str) -> dict[str, Any] | None:
        """One account: name, role, password_hash, created_at, updated_at."""
        us = S.users.c
        row = self._read(
            lambda conn: conn.execute(
                sa.select(us.name, us.role, us.password_hash, us.created_at, us.updated_at).where(
                    us.name == name
                )
            ).first()
        )
        if row is None:
            return None
        out = dict(row._mapping)
        out["created_at"], out["updated_at"] = utc(row.created_at), utc(row.updated_at)
        return out

    def users(self) -> pd.DataFrame:
        """Every account (without password hashes)."""
        us = S.users.c
        rows = self._read(
            lambda conn: conn.execute(
                sa.select(us.name, us.role, us.created_at, us.updated_at).order_by(us.name)
            ).all()
        )
        frame = pd.DataFrame(
            [tuple(r) for r in rows], columns=["name", "role", "created_at", "updated_at"]
        )
        for col in ("created_at", "updated_at"):
            frame[col] = utc_column(frame[col])
        return frame

    def delete_user(self, name: str, user: str = ANONYMOUS) -> bool:
        def work(conn: Connection) -> bool:
            us = S.users.c
            role = conn.execute(sa.select(us.role).where(us.name == name)).scalar()
            if role is None:
                return False
            conn.execute(sa.delete(S.users).where(us.name == name))
            write_audit(conn, user, "user.deleted", "user", name, {"before": {"role": role}})
            return True

        return self._write(work)

    # --- failed logins (the throttle of ntm.auth) ----------------------------------------
    def login_failures(self, name: str, since: dt.datetime) -> int:
        """How many failed logins with `name` there were after `since`."""
        lf = S.login_failures.c
        query = sa.select(sa.func.count()).where(lf.user_name == name[:200], lf.at > since)
        return int(self._read(lambda conn: conn.execute(query).scalar()) or 0)

    def add_login_failure(self, name: str, at: dt.datetime, forget_before: dt.datetime) -> None:
        """Record a failed login with `name` at `at`, and forget every one before
        `forget_before` (so the table never outgrows the throttle's window)."""
        lf = S.login_failures.c

        def work(conn: Connection) -> None:
            conn.execute(sa.delete(S.login_failures).where(lf.at <= forget_before))
            conn.execute(sa.insert(S.login_failures).values(user_name=name[:200], at=at))

        self._write(work)

    def clear_login_failures(self, name: str) -> None:
        """A successful login: the name's failures are forgotten."""
        lf = S.login_failures.c
        self._write(
            lambda conn: conn.execute(sa.delete(S.login_failures).where(lf.user_name == name[:200]))
        )
