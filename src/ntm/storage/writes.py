"""Writing revisions (DESIGN §6): a read return's values grouped by unit, and a new revision
per unit with its values and audit rows, numbered after the unit's last one (deleted or not,
so a number is never reused). Used by imports and by `restore`.

Test hook (documented, used by tests/test_storage_fault.py): when the environment variable
`NTM_STORAGE_TEST_PAUSE` names a file, an import writes its process id into that file right
after inserting a commune's new revisions and their values, inside the still open transaction
(before its audit rows and the commit), then sleeps
`NTM_STORAGE_TEST_PAUSE_SECONDS` (default 60) seconds, so a test can kill it mid-import.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.errors import Code, Problem
from ntm.storage import schema as S
from ntm.storage.audit import audit_row
from ntm.storage.bulk import insert_audit, insert_values
from ntm.storage.common import missing, now
from ntm.storage.models import RevisionRef, Row, Unit
from ntm.validation import duplicate_code_problem
from ntm.values import ReadResult

TEST_PAUSE_ENV = "NTM_STORAGE_TEST_PAUSE"


def _test_pause() -> None:
    marker = os.environ.get(TEST_PAUSE_ENV)
    if not marker:
        return
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(os.environ.get(f"{TEST_PAUSE_ENV}_SECONDS", "60")))


def group_units(
    result: ReadResult, filename: str
) -> tuple[list[tuple[Unit, list[dict[str, Any]]]], list[Problem]]:
    """The values of a read return grouped by unit, and any row the database cannot hold."""
    problems: list[Problem] = []
    units: dict[Unit, list[dict[str, Any]]] = {}
    seen: dict[tuple[Unit, str], dict[str, Any]] = {}
    frame = result.values
    n = len(frame)

    # Whole columns to Python lists once (None for missing): a per-row dict of a DataFrame
    # was half of an import's time.
    def texts(column: str) -> list[str | None]:
        if column not in frame:
            return [None] * n
        col = frame[column]
        return [
            None if gone else x if type(x) is str else str(x)
            for x, gone in zip(col.tolist(), col.isna().tolist(), strict=True)
        ]

    def numbers(column: str) -> list[float | None]:
        if column not in frame:
            return [None] * n
        floats = pd.to_numeric(frame[column], errors="coerce").astype("float64").tolist()
        return [None if x != x else x for x in floats]  # NaN → None

    sheets, cells, notes = texts("sheet"), texts("cell"), texts("note")
    communes_, villages_ = texts("commune"), texts("village")
    periods_: list[Any] = frame["period"].tolist() if "period" in frame else [None] * n
    codes = [str(c) for c in frame["code"].tolist()] if "code" in frame else ["None"] * n
    values_, nums, dens = numbers("value"), numbers("numerator"), numbers("denominator")
    assessed = numbers("self_assessed")
    for i in range(n):
        where: dict[str, Any] = {"file": filename, "sheet": sheets[i] or "", "cell": cells[i] or ""}
        commune, period = communes_[i], periods_[i]
        if commune is None:
            problems.append(Problem(Code.MISSING_COMMUNE, **where))
            continue
        if missing(period):
            problems.append(Problem(Code.MISSING_PERIOD, **where))
            continue
        unit: Unit = (commune, villages_[i], int(period))
        code = codes[i]
        row: dict[str, Any] = {
            "code": code,
            "value": values_[i],
            "numerator": nums[i],
            "denominator": dens[i],
            "note": notes[i],
            "self_assessed": assessed[i],
            "sheet": sheets[i],
            "cell": cells[i],
        }
        first = seen.get((unit, code))
        if first is not None:
            # The database holds one value per unit and code: a second row is refused, even
            # with the same value (names matched to the register can join two units).
            problems.append(duplicate_code_problem(code, unit[1] or unit[0], first, row, filename))
            continue
        seen[(unit, code)] = row
        units.setdefault(unit, []).append(row)
    ordered = sorted(units.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2]))
    return ordered, problems


@dataclass(frozen=True)
class Known:
    """What the database holds of some units of one commune, read once under its lock: the
    ids of the villages named, and every revision (deleted or not) of the periods, each with
    its upload's file name. An import plans and writes from it (issue 17: these were two
    lookups of villages and two of revisions per file)."""

    commune: str
    village_ids: dict[str, int]
    revisions: list[Row]

    def live(self) -> dict[tuple[int | None, int], Row]:
        """(village id, period) → the unit's current revision (highest number not deleted)."""
        out: dict[tuple[int | None, int], Row] = {}
        for row in self.revisions:
            key = (row.village_id, row.period)
            if row.deleted_at is None and (key not in out or row.number > out[key].number):
                out[key] = row
        return out

    def current(self, units: Iterable[tuple[str, str | None, int]]) -> dict[Any, Row]:
        """(commune, village, period) → its current revision, for the units that have one."""
        live = self.live()
        out: dict[Any, Row] = {}
        for key in units:
            village_id = None if key[1] is None else self.village_ids.get(key[1])
            row = live.get((village_id, key[2]))
            if row is not None and (key[1] is None or village_id is not None):
                out[key] = row
        return out


def known_units(
    conn: Connection, commune_id: int, commune: str, villages: Iterable[str], periods: Iterable[int]
) -> Known:
    r, v, u = S.revisions.c, S.villages.c, S.uploads.c
    names = sorted(set(villages))
    village_ids: dict[str, int] = {}
    if names:
        found = conn.execute(
            sa.select(v.id, v.name).where(v.commune_id == commune_id, v.name.in_(names))
        )
        village_ids = {name: int(id_) for id_, name in found}
    revisions = conn.execute(
        sa.select(r.id, r.village_id, r.period, r.number, r.deleted_at, u.filename)
        .join(S.uploads, r.upload_id == u.id)
        .where(r.commune_id == commune_id, r.period.in_(sorted(set(periods))))
    ).all()
    return Known(commune, village_ids, list(revisions))


# PostgreSQL: one statement whose text does not depend on the number of units (the revisions
# as arrays, unnested). SQLAlchemy's multi-row INSERT … VALUES for a 26-unit return is a new
# 10 kB text every time, which psycopg parses anew (~1 ms a file; issue 17). Each row returns
# its unit, unique within one call, to pair it with its id whatever the order.
_INSERT_REVISIONS_PG = sa.text(
    "INSERT INTO revisions (commune_id, village_id, period, number, upload_id,"
    " restored_from_id, value_count, user_name, created_at)"
    " SELECT :commune_id, t.village_id, t.period, t.number, :upload_id,"
    " CAST(:restored_from_id AS INTEGER), t.value_count, :user_name, :created_at"
    " FROM unnest(CAST(:village_ids AS INTEGER[]), CAST(:periods AS INTEGER[]),"
    " CAST(:numbers AS INTEGER[]), CAST(:value_counts AS INTEGER[]))"
    " AS t(village_id, period, number, value_count)"
    " RETURNING id, village_id, period"
).bindparams(sa.bindparam("created_at", type_=S.Timestamp))


def _insert_revisions(conn: Connection, params: list[dict[str, Any]]) -> list[int]:
    """Insert revisions of one commune (one row per unit); their ids in the order given."""
    if conn.dialect.name != "postgresql":
        r = S.revisions.c
        query = sa.insert(S.revisions).returning(r.id, sort_by_parameter_order=True)
        return [int(i) for i in conn.execute(query, params).scalars().all()]
    first = params[0]
    rows = conn.execute(
        _INSERT_REVISIONS_PG,
        {
            "commune_id": first["commune_id"],
            "upload_id": first["upload_id"],
            "restored_from_id": first["restored_from_id"],
            "user_name": first["user_name"],
            "created_at": first["created_at"],
            "village_ids": [p["village_id"] for p in params],
            "periods": [p["period"] for p in params],
            "numbers": [p["number"] for p in params],
            "value_counts": [p["value_count"] for p in params],
        },
    )
    by_unit = {(village_id, period): int(id_) for id_, village_id, period in rows}
    return [by_unit[(p["village_id"], p["period"])] for p in params]


def new_revisions(
    conn: Connection,
    commune_id: int,
    commune: str,
    units: list[tuple[str | None, int, list[dict[str, Any]]]],
    upload_id: int,
    user: str,
    restored_from: Row | None = None,
    known: Known | None = None,
    audit: list[dict[str, Any]] | None = None,
) -> list[RevisionRef]:
    """A new revision for each (village, period, rows) of one commune, with its values and
    audit rows, in a handful of statements whatever the number of units. `known`: what
    `known_units` read of these units in this transaction (read here without it); `audit`:
    the caller's list of audit rows to append to (written here without it).

    The caller holds the commune's lock (PostgreSQL); a revision is numbered after the
    unit's last one, deleted or not, so a number is never reused.
    """
    v = S.villages.c
    at = now()
    pending = audit
    audit = []

    names = sorted({village for village, _, _ in units if village is not None})
    if known is None:
        known = known_units(conn, commune_id, commune, names, (p for _, p, _ in units))
    village_ids = dict(known.village_ids)
    if names:
        new = [name for name in names if name not in village_ids]
        if new:
            created = conn.execute(
                sa.insert(S.villages).returning(v.id, v.name),
                [{"commune_id": commune_id, "name": n, "created_at": at} for n in new],
            )
            village_ids.update({row.name: int(row.id) for row in created})
            audit += [
                audit_row(
                    user,
                    "village.created",
                    "village",
                    f"{commune}/{n}",
                    {"after": {"commune": commune, "name": n}},
                )
                for n in new
            ]

    top: dict[tuple[int | None, int], int] = {}
    for row in known.revisions:
        key = (row.village_id, row.period)
        top[key] = max(top.get(key, 0), row.number)
    live = {key: (int(row.id), int(row.number)) for key, row in known.live().items()}

    params: list[dict[str, Any]] = []
    for village, period, rows in units:
        key = (village_ids[village] if village is not None else None, period)
        params.append(
            {
                "commune_id": commune_id,
                "village_id": key[0],
                "period": period,
                "number": top.get(key, 0) + 1,
                "upload_id": upload_id,
                "restored_from_id": restored_from.id if restored_from is not None else None,
                "value_count": len(rows),
                "user_name": user,
                "created_at": at,
            }
        )
    ids = _insert_revisions(conn, params)

    values = [
        {**row, "revision_id": revision_id}
        for revision_id, (_, _, rows) in zip(ids, units, strict=True)
        for row in rows
    ]
    insert_values(conn, values)
    _test_pause()

    refs = []
    action = "revision.restored" if restored_from is not None else "revision.created"
    for revision_id, p, (village, period, _) in zip(ids, params, units, strict=True):
        previous = live.get((p["village_id"], period))
        details: dict[str, Any] = {
            "commune": commune,
            "village": village,
            "period": period,
            "number": p["number"],
            "upload_id": upload_id,
            "value_count": p["value_count"],
            "supersedes": previous[0] if previous else None,
        }
        if restored_from is not None:
            details["restored_from"] = {"id": restored_from.id, "number": restored_from.number}
        audit.append(audit_row(user, action, "revision", revision_id, details))
        if previous is not None:
            audit.append(
                audit_row(
                    user,
                    "revision.superseded",
                    "revision",
                    previous[0],
                    {"by": revision_id, "number": previous[1], "by_number": p["number"]},
                )
            )
        refs.append(RevisionRef(commune, village, period, p["number"], int(revision_id)))
    if pending is None:
        insert_audit(conn, audit)
    else:
        pending += audit
    return refs
