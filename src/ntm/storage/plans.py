"""What a re-upload does to the units it carries (issue 13): `plans(result)` says, per unit of a
return, the current revision it replaces and which of the current values the file does not
repeat. An import in mode `update` carries those values into the new revision
(`carried_from_id` names the revision each came from); mode `replace` leaves them out. A new
revision either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.storage import schema as S
from ntm.values import ReadResult

REPLACE, UPDATE = "replace", "update"
UnitKey = tuple[str, str | None, int]


@dataclass(frozen=True)
class UnitPlan:
    """What storing one unit of a return does to it."""

    commune: str
    village: str | None
    period: int
    replaces: int | None = None  # number of the unit's current revision
    replaces_id: int | None = None
    replaces_file: str | None = None
    not_repeated: tuple[str, ...] = ()  # current codes the file does not carry
    carried: tuple[str, ...] = ()  # (mode update) the codes carried into the new revision

    def to_json(self) -> dict[str, Any]:
        return {
            "commune": self.commune,
            "village": self.village,
            "period": self.period,
            "replaces": None
            if self.replaces is None
            else {
                "number": self.replaces,
                "revision_id": self.replaces_id,
                "file": self.replaces_file,
            },
            "not_repeated": list(self.not_repeated),
            "carried": list(self.carried),
        }


def _given(row: Any) -> bool:
    """A row that carries a value (an empty cell is read as a row without one; NaN is none)."""
    for name in _NUMBERS:  # a loop, not any(…): called for every value of an import
        x = row.get(name)
        if x is not None and x == x:
            return True
    return False


_NUMBERS = ("value", "numerator", "denominator")


def units_of(result: ReadResult) -> dict[UnitKey, set[str]]:
    """The units of a read return and the codes each gives a value for."""
    frame = result.values
    out: dict[UnitKey, set[str]] = {}
    if frame.empty:
        return out
    given = frame[list(_NUMBERS)].notna().any(axis=1).tolist()
    for c, v, p, code, has in zip(
        frame["commune"], frame["village"], frame["period"], frame["code"], given, strict=True
    ):
        if isinstance(c, str) and not pd.isna(p):
            village = v if isinstance(v, str) and v else None
            codes = out.setdefault((c, village, int(p)), set())
            if has:
                codes.add(str(code))
    return out


def given_codes(rows: list[dict[str, Any]]) -> set[str]:
    return {str(r["code"]) for r in rows if _given(r)}


@dataclass
class _Ids:
    communes: dict[str, int] = field(default_factory=dict)
    villages: dict[tuple[int, str], int] = field(default_factory=dict)


def _ids(conn: Connection, communes: Iterable[str]) -> _Ids:
    c, v = S.communes.c, S.villages.c
    out = _Ids()
    names = sorted(set(communes))
    if not names:
        return out
    out.communes = {
        r.name: int(r.id) for r in conn.execute(sa.select(c.id, c.name).where(c.name.in_(names)))
    }
    if out.communes:
        rows = conn.execute(
            sa.select(v.id, v.commune_id, v.name).where(v.commune_id.in_(out.communes.values()))
        )
        out.villages = {(int(r.commune_id), r.name): int(r.id) for r in rows}
    return out


def current_rows(
    conn: Connection, units: dict[UnitKey, set[str]], with_values: bool = False
) -> tuple[dict[UnitKey, Any], dict[int, list[dict[str, Any]]]]:
    """The current revision of each unit (id, number, file) and, per revision, its values."""
    ids = _ids(conn, (u[0] for u in units))
    r, u = S.revisions.c, S.uploads.c
    wanted: dict[tuple[int, int | None, int], UnitKey] = {}
    for key in units:
        commune_id = ids.communes.get(key[0])
        if commune_id is None:
            continue
        village_id = None if key[1] is None else ids.villages.get((commune_id, key[1]))
        if key[1] is not None and village_id is None:
            continue
        wanted[(commune_id, village_id, key[2])] = key
    current: dict[UnitKey, Any] = {}
    if wanted:
        rows = conn.execute(
            sa.select(r.id, r.commune_id, r.village_id, r.period, r.number, u.filename)
            .join(S.uploads, r.upload_id == u.id)
            .where(
                r.commune_id.in_({k[0] for k in wanted}),
                r.period.in_({k[2] for k in wanted}),
                r.deleted_at.is_(None),
            )
        )
        for row in rows:
            unit = wanted.get((row.commune_id, row.village_id, row.period))
            if unit is not None and (unit not in current or row.number > current[unit].number):
                current[unit] = row
    return current, current_values(conn, current, with_values)


def current_values(
    conn: Connection, current: dict[UnitKey, Any], with_values: bool = False
) -> dict[int, list[dict[str, Any]]]:
    """Per current revision (`current`: unit → its row), its values; with `with_values`, also
    their note, self-assessment, sheet and cell (what mode update carries)."""
    values: dict[int, list[dict[str, Any]]] = {}
    if current:
        iv = S.indicator_values.c
        columns = [iv.revision_id, iv.code, iv.value, iv.numerator, iv.denominator]
        if with_values:
            columns += [iv.note, iv.self_assessed, iv.sheet, iv.cell]
        # The same ids bounded by their range, and ordered here rather than by the database:
        # on a young table (not yet analysed) PostgreSQL guessed thousands of rows for the
        # list alone and scanned every value (10-20 ms a file on a province's 350k values);
        # with the range it takes the (revision_id, code) index (0.1 ms). Issue 17.
        chosen = [int(row.id) for row in current.values()]
        query = sa.select(iv.id, *columns).where(
            iv.revision_id.in_(chosen), iv.revision_id.between(min(chosen), max(chosen))
        )
        # Rows as plain tuples, made dicts by zip: dict(row._mapping) was most of the time of
        # an import's plan (~350 values a file; issue 17).
        names = [column.name for column in columns]
        for row in sorted(conn.execute(query), key=itemgetter(0)):
            found = dict(zip(names, row[1:], strict=True))
            values.setdefault(int(row[1]), []).append(found)
    return values


def plan_known(
    conn: Connection,
    units: list[tuple[UnitKey, list[dict[str, Any]]]],
    current: dict[UnitKey, Any],
    mode: str,
) -> tuple[list[UnitPlan], list[tuple[UnitKey, list[dict[str, Any]]]]]:
    """Inside an import, the units' current revisions already read (`current`, see
    `ntm.storage.writes.known_units`): their plans, and (mode update) their rows with the
    current values carried over; one query for both (issue 17)."""
    values = current_values(conn, current, with_values=mode == UPDATE)
    wanted = {key: given_codes(rows) for key, rows in units}
    plans = _plans(wanted, current, values, mode)
    return plans, _carried(units, wanted, current, values) if mode == UPDATE else units


def plan_units(conn: Connection, units: dict[UnitKey, set[str]], mode: str) -> list[UnitPlan]:
    current, values = current_rows(conn, units)
    return _plans(units, current, values, mode)


def _plans(
    units: dict[UnitKey, set[str]],
    current: dict[UnitKey, Any],
    values: dict[int, list[dict[str, Any]]],
    mode: str,
) -> list[UnitPlan]:
    plans = []
    for key in sorted(units, key=lambda k: (k[0], k[1] or "", k[2])):
        row = current.get(key)
        if row is None:
            plans.append(UnitPlan(*key))
            continue
        codes = [str(v["code"]) for v in values.get(int(row.id), []) if _given(v)]
        gone = tuple(c for c in codes if c not in units[key])
        plans.append(
            UnitPlan(
                *key,
                replaces=int(row.number),
                replaces_id=int(row.id),
                replaces_file=row.filename,
                not_repeated=gone,
                carried=gone if mode == UPDATE else (),
            )
        )
    return plans


def carry_rows(
    conn: Connection, units: list[tuple[UnitKey, list[dict[str, Any]]]]
) -> list[tuple[UnitKey, list[dict[str, Any]]]]:
    """Mode update: each unit's rows, the current values the file gives none for carried
    over (an empty cell of the file does not blank a current value)."""
    wanted = {key: given_codes(rows) for key, rows in units}
    current, values = current_rows(conn, wanted, with_values=True)
    return _carried(units, wanted, current, values)


def _carried(
    units: list[tuple[UnitKey, list[dict[str, Any]]]],
    wanted: dict[UnitKey, set[str]],
    current: dict[UnitKey, Any],
    values: dict[int, list[dict[str, Any]]],
) -> list[tuple[UnitKey, list[dict[str, Any]]]]:
    out = []
    for key, rows in units:
        row = current.get(key)
        carried = []
        if row is not None:
            carried = [
                {**{k: v[k] for k in v if k != "revision_id"}, "carried_from_id": int(row.id)}
                for v in values.get(int(row.id), [])
                if _given(v) and str(v["code"]) not in wanted[key]
            ]
        skip = {str(c["code"]) for c in carried}
        kept = [{**r, "carried_from_id": None} for r in rows if str(r["code"]) not in skip]
        out.append((key, kept + carried))
    return out
