"""Repairing the register: merge two units split by spelling, undo a merge, rename a unit.

Each function runs inside the caller's write transaction (`Store._write`). A merge writes one
audit row (`unit.merged`) whose details hold every original value it changed (revision
owners and numbers, villages moved, aliases moved, the rows removed), and `undo` puts them
back from it and writes `unit.merge_undone`. Revision numbers are unique per unit: moved
revisions pass through negative numbers (their ids negated) before getting their final ones,
so no statement ever sees two revisions with one number.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.register import folded_key
from ntm.storage import schema as S
from ntm.storage.audit import audit_row, write_audit
from ntm.storage.common import clean
from ntm.storage.units import MERGE_UNDONE, MERGED, _unit_ids, insert_alias

_COMMUNE_COLUMNS = (
    "id",
    "name",
    "code",
    "region",
    "commune_group",
    "group_evidence",
    "province",
    "criteria_set",
    "village_criteria_sets",
    "valid_from",
    "valid_to",
    "merged_into_id",
    "created_at",
    "updated_at",
)
_VILLAGE_COLUMNS = (
    "id",
    "commune_id",
    "name",
    "valid_from",
    "valid_to",
    "merged_into_id",
    "came_from_id",
    "created_at",
)
_ALIAS_COLUMNS = ("id", "commune_id", "village_id", "alias", "how", "user_name", "created_at")


def _row(conn: Connection, table: sa.Table, columns: tuple[str, ...], row_id: int) -> dict:
    row = conn.execute(sa.select(*(table.c[c] for c in columns)).where(table.c.id == row_id)).one()
    return dict(row._mapping)


def _unit_where(commune_id: int, village_id: int | None) -> Any:
    r = S.revisions.c
    if village_id is None:
        return sa.and_(r.commune_id == commune_id, r.village_id.is_(None))
    return sa.and_(r.commune_id == commune_id, r.village_id == village_id)


def _set_revisions(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Give revisions new owners and numbers, via negative numbers (see the module)."""
    if not rows:
        return
    update = (
        sa.update(S.revisions)
        .where(S.revisions.c.id == sa.bindparam("rid"))
        .values(
            commune_id=sa.bindparam("cid"),
            village_id=sa.bindparam("vid"),
            number=sa.bindparam("num"),
        )
    )
    conn.execute(update, [{**r, "num": -r["rid"]} for r in rows])
    conn.execute(update, rows)


def _join_units(
    conn: Connection, src: tuple[int, int | None], dst: tuple[int, int | None], record: dict
) -> None:
    """Every revision of unit `src` joins unit `dst`; each year of the joined unit is numbered
    1, 2, 3 … in the order the revisions were made (ids), so the latest upload is current."""
    r = S.revisions.c
    rows = conn.execute(
        sa.select(r.id, r.commune_id, r.village_id, r.period, r.number)
        .where(sa.or_(_unit_where(*src), _unit_where(*dst)))
        .order_by(r.period, r.id)
    ).all()
    record["revisions"] += [[x.id, x.commune_id, x.village_id, x.number] for x in rows]
    counters: dict[int, int] = {}
    changes = []
    for x in rows:
        counters[x.period] = counters.get(x.period, 0) + 1
        changes.append({"rid": x.id, "cid": dst[0], "vid": dst[1], "num": counters[x.period]})
    _set_revisions(conn, changes)


def _move_aliases(conn: Connection, where: Any, values: dict, record: dict) -> None:
    a = S.unit_aliases.c
    for row in conn.execute(sa.select(*(a[c] for c in _ALIAS_COLUMNS)).where(where)).all():
        record["aliases"].append(dict(row._mapping))
        clash = conn.execute(
            sa.select(a.id).where(
                a.id != row.id,
                a.alias == row.alias,
                a.commune_id == values["commune_id"]
                if values.get("commune_id") is not None
                else a.village_id == values["village_id"],
            )
        ).first()
        if clash is not None:
            conn.execute(sa.delete(S.unit_aliases).where(a.id == row.id))
        else:
            conn.execute(sa.update(S.unit_aliases).where(a.id == row.id).values(**values))


def _refuse_if_pointed_at(conn: Connection, table: sa.Table, row_id: int, name: str) -> None:
    found = conn.execute(sa.select(table.c.name).where(table.c.merged_into_id == row_id)).first()
    if found is not None:
        raise ValueError(f"{found.name!r} records an administrative merger into {name!r}")
    if "came_from_id" in table.c:  # a merged commune's village continues this one (0008)
        heir = conn.execute(sa.select(table.c.name).where(table.c.came_from_id == row_id)).first()
        if heir is not None:
            raise ValueError(f"{heir.name!r} records that it came from {name!r}")


def _merge_villages(
    conn: Connection, commune_id: int, src_id: int, dst_id: int, user: str, record: dict
) -> None:
    v, a = S.villages.c, S.unit_aliases.c
    source = _row(conn, S.villages, _VILLAGE_COLUMNS, src_id)
    _refuse_if_pointed_at(conn, S.villages, src_id, source["name"])
    _join_units(conn, (source["commune_id"], src_id), (commune_id, dst_id), record)
    _move_aliases(conn, a.village_id == src_id, {"village_id": dst_id}, record)
    record["villages_removed"].append(source)
    conn.execute(sa.delete(S.villages).where(v.id == src_id))
    added = insert_alias(conn, user, source["name"], "merge", village_id=dst_id)
    if added is not None:
        record["aliases_added"].append(added)


def merge(conn: Connection, source: str, into: str, commune: str | None, user: str) -> int:
    c, v, a = S.communes.c, S.villages.c, S.unit_aliases.c
    record: dict[str, Any] = {
        "revisions": [],
        "aliases": [],
        "aliases_added": [],
        "villages_removed": [],
        "villages_moved": [],
        "commune_removed": None,
    }
    if commune is not None:  # two villages of one commune
        commune_id, src_id = _unit_ids(conn, commune, source)
        _, dst_id = _unit_ids(conn, commune, into)
        if src_id == dst_id:
            raise ValueError("a village cannot be merged into itself")
        conn.execute(sa.select(c.id).where(c.id == commune_id).with_for_update())
        assert src_id is not None and dst_id is not None
        _merge_villages(conn, commune_id, src_id, dst_id, user, record)
        entity, entity_id = "village", f"{commune}/{into}"
    else:
        src_id, _ = _unit_ids(conn, source, None)
        dst_id, _ = _unit_ids(conn, into, None)
        if src_id == dst_id:
            raise ValueError("a commune cannot be merged into itself")
        for cid in sorted((src_id, dst_id)):
            conn.execute(sa.select(c.id).where(c.id == cid).with_for_update())
        _refuse_if_pointed_at(conn, S.communes, src_id, source)
        targets = {
            folded_key(row.name): int(row.id)
            for row in conn.execute(sa.select(v.id, v.name).where(v.commune_id == dst_id))
        }
        for row in conn.execute(sa.select(v.id, v.name).where(v.commune_id == src_id)).all():
            same = targets.get(folded_key(row.name))
            if same is not None:
                _merge_villages(conn, dst_id, int(row.id), same, user, record)
            else:
                record["villages_moved"].append([int(row.id), src_id])
                conn.execute(sa.update(S.villages).where(v.id == row.id).values(commune_id=dst_id))
                r = S.revisions.c
                conn.execute(
                    sa.update(S.revisions).where(r.village_id == row.id).values(commune_id=dst_id)
                )
        _join_units(conn, (src_id, None), (dst_id, None), record)
        _move_aliases(conn, a.commune_id == src_id, {"commune_id": dst_id}, record)
        record["commune_removed"] = _row(conn, S.communes, _COMMUNE_COLUMNS, src_id)
        conn.execute(sa.delete(S.communes).where(c.id == src_id))
        added = insert_alias(conn, user, source, "merge", commune_id=dst_id)
        if added is not None:
            record["aliases_added"].append(added)
        entity, entity_id = "commune", into
    details = {"source": source, "into": into, "commune": commune, "record": clean(record)}
    return write_audit(conn, user, MERGED, entity, entity_id, details)


def _date(value: Any) -> Any:
    return pd.Timestamp(value).date() if value else None


def _stamp(value: Any) -> Any:
    return pd.Timestamp(value).to_pydatetime() if value else None


def undo(conn: Connection, audit_id: int, user: str) -> None:
    al = S.audit_log.c
    row = conn.execute(
        sa.select(al.action, al.details, al.entity, al.entity_id).where(al.id == audit_id)
    ).first()
    if row is None or row.action != MERGED:
        raise KeyError(f"no merge {audit_id}")
    for done in conn.execute(sa.select(al.details).where(al.action == MERGE_UNDONE)):
        if int((done.details or {}).get("merge", -1)) == audit_id:
            raise ValueError(f"merge {audit_id} was undone already")
    record = row.details["record"]
    c, v, a = S.communes.c, S.villages.c, S.unit_aliases.c
    removed = record.get("commune_removed")
    if removed:
        if conn.execute(sa.select(c.id).where(c.name == removed["name"])).first() is not None:
            raise ValueError(f"a commune is named {removed['name']!r} again: rename it first")
        values = {**removed}
        for key in ("valid_from", "valid_to"):
            values[key] = _date(values[key])
        for key in ("created_at", "updated_at"):
            values[key] = _stamp(values[key])
        conn.execute(sa.insert(S.communes).values(**values))
    for village in record["villages_removed"]:
        values = {**village, "created_at": _stamp(village["created_at"])}
        for key in ("valid_from", "valid_to"):
            values[key] = _date(values[key])
        conn.execute(sa.insert(S.villages).values(**values))
    for village_id, commune_id in record["villages_moved"]:
        conn.execute(sa.update(S.villages).where(v.id == village_id).values(commune_id=commune_id))
        conn.execute(
            sa.update(S.revisions)
            .where(S.revisions.c.village_id == village_id)
            .values(commune_id=commune_id)
        )
    _set_revisions(
        conn,
        [
            {"rid": rid, "cid": cid, "vid": vid, "num": number}
            for rid, cid, vid, number in record["revisions"]
        ],
    )
    if record["aliases_added"]:
        conn.execute(sa.delete(S.unit_aliases).where(a.id.in_(record["aliases_added"])))
    for alias in record["aliases"]:
        conn.execute(sa.delete(S.unit_aliases).where(a.id == alias["id"]))
        conn.execute(
            sa.insert(S.unit_aliases).values(**{**alias, "created_at": _stamp(alias["created_at"])})
        )
    details = row.details
    write_audit(
        conn,
        user,
        MERGE_UNDONE,
        row.entity,
        row.entity_id,
        {"merge": audit_id, "source": details.get("source"), "into": details.get("into")},
    )


def rename(conn: Connection, commune: str, village: str | None, new: str, user: str) -> None:
    c, v, a = S.communes.c, S.villages.c, S.unit_aliases.c
    commune_id, village_id = _unit_ids(conn, commune, village)
    old = village if village is not None else commune
    if not new or new == old:
        return
    if village_id is None:
        if conn.execute(sa.select(c.id).where(c.name == new)).first() is not None:
            raise ValueError(f"a commune is named {new!r} already: merge the two instead")
        conn.execute(sa.update(S.communes).where(c.id == commune_id).values(name=new))
        conn.execute(sa.delete(S.unit_aliases).where(a.commune_id == commune_id, a.alias == new))
        insert_alias(conn, user, old, "rename", commune_id=commune_id)
        entity, entity_id = "commune", new
    else:
        taken = conn.execute(sa.select(v.id).where(v.commune_id == commune_id, v.name == new))
        if taken.first() is not None:
            raise ValueError(f"{commune!r} has a village named {new!r} already: merge them")
        conn.execute(sa.update(S.villages).where(v.id == village_id).values(name=new))
        conn.execute(sa.delete(S.unit_aliases).where(a.village_id == village_id, a.alias == new))
        insert_alias(conn, user, old, "rename", village_id=village_id)
        entity, entity_id = "village", f"{commune}/{new}"
    conn.execute(
        sa.insert(S.audit_log).values(
            audit_row(user, "unit.renamed", entity, entity_id, {"before": old, "after": new})
        )
    )


def merges(conn: Connection) -> pd.DataFrame:
    al = S.audit_log.c
    rows = conn.execute(
        sa.select(al.id, al.at, al.user_name, al.action, al.details)
        .where(al.action.in_([MERGED, MERGE_UNDONE]))
        .order_by(al.id.desc())
    ).all()
    undone = {int(r.details.get("merge", -1)) for r in rows if r.action == MERGE_UNDONE}
    records = [
        (
            int(r.id),
            r.at,
            r.user_name,
            "village" if r.details.get("commune") else "commune",
            r.details.get("commune"),
            r.details.get("source"),
            r.details.get("into"),
            int(r.id) in undone,
        )
        for r in rows
        if r.action == MERGED
    ]
    return pd.DataFrame(
        records,
        columns=["audit_id", "at", "user", "level", "commune", "source", "into", "undone"],
    )
