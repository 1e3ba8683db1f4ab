"""Communes and villages: profiles (Cài đặt), the village register with its validity dates,
mergers of communes, and the rows an import creates for a new commune or village.

The functions run inside the caller's transaction; `CommunesMixin` is part of `Store`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.storage import schema as S
from ntm.storage.audit import AuditMixin, audit_row, write_audit
from ntm.storage.common import now
from ntm.storage.models import ANONYMOUS, CommuneProfile, Village


def ensure_commune(
    conn: Connection,
    name: str,
    user: str,
    region: str | None = None,
    group: str | None = None,
    audit: list[dict[str, Any]] | None = None,
) -> int:
    """The commune's id, created if new; its row stays locked (PostgreSQL) until commit.
    Its audit row (created, updated) is written here, or appended to `audit`."""

    def log(action: str, details: dict[str, Any]) -> None:
        if audit is None:
            write_audit(conn, user, action, "commune", name, details)
        else:
            audit.append(audit_row(user, action, "commune", name, details))

    c = S.communes.c
    row = conn.execute(
        sa.select(c.id, c.region, c.commune_group).where(c.name == name).with_for_update()
    ).first()
    at = now()
    if row is None:
        commune_id: int = conn.execute(
            sa.insert(S.communes)
            .values(name=name, region=region, commune_group=group, created_at=at, updated_at=at)
            .returning(c.id)
        ).scalar_one()
        log("commune.created", {"after": {"name": name, "region": region, "group": group}})
        return commune_id
    changes: dict[str, Any] = {}
    if region and not row.region:
        changes["region"] = region
    if group and not row.commune_group:
        changes["commune_group"] = group
    if changes:
        conn.execute(sa.update(S.communes).where(c.id == row.id).values(**changes, updated_at=at))
        log(
            "commune.updated",
            {
                "before": {"region": row.region, "group": row.commune_group},
                "after": {
                    "region": changes.get("region", row.region),
                    "group": changes.get("commune_group", row.commune_group),
                },
            },
        )
    return int(row.id)


def ensure_village(
    conn: Connection, commune_id: int, commune: str, name: str | None, user: str
) -> int | None:
    if name is None:
        return None
    v = S.villages.c
    found = conn.execute(sa.select(v.id).where(v.commune_id == commune_id, v.name == name)).scalar()
    if found is not None:
        return int(found)
    village_id: int = conn.execute(
        sa.insert(S.villages)
        .values(commune_id=commune_id, name=name, created_at=now())
        .returning(v.id)
    ).scalar_one()
    write_audit(
        conn,
        user,
        "village.created",
        "village",
        f"{commune}/{name}",
        {"after": {"commune": commune, "name": name}},
    )
    return village_id


def lineage(conn: Connection, name: str) -> list[int]:
    """The commune's id and those of every commune merged into it (recursively)."""
    c = S.communes.c
    rows = conn.execute(sa.select(c.id, c.name, c.merged_into_id)).all()
    start = [row.id for row in rows if row.name == name]
    found = set(start)
    frontier = list(start)
    while frontier:
        target = frontier.pop()
        for row in rows:
            if row.merged_into_id == target and row.id not in found:
                found.add(row.id)
                frontier.append(row.id)
    return sorted(found)


def load_communes(conn: Connection) -> list[CommuneProfile]:
    c = S.communes.c
    rows = conn.execute(sa.select(S.communes).order_by(c.name)).all()
    names = {row.id: row.name for row in rows}
    today = dt.date.today()
    villages: dict[str, list[str]] = {}
    for village in load_villages(conn, None):
        if village.valid_on(today):
            villages.setdefault(village.commune, []).append(village.name)
    a = S.unit_aliases.c
    aliases: dict[int, list[str]] = {}
    for alias in conn.execute(
        sa.select(a.commune_id, a.alias).where(a.commune_id.is_not(None)).order_by(a.id)
    ):
        aliases.setdefault(int(alias.commune_id), []).append(alias.alias)
    return [
        CommuneProfile(
            name=row.name,
            region=row.region,
            group=row.commune_group,
            group_evidence=row.group_evidence,
            province=row.province,
            criteria_set=row.criteria_set,
            village_sets=list(row.village_criteria_sets or []),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            merged_into=names.get(row.merged_into_id),
            villages=villages.get(row.name, []),
            code=row.code,
            aliases=aliases.get(row.id, []),
        )
        for row in rows
    ]


def load_villages(conn: Connection, commune: str | None) -> list[Village]:
    v, c = S.villages, S.communes
    rows = conn.execute(
        sa.select(
            v.c.id,
            v.c.name,
            v.c.valid_from,
            v.c.valid_to,
            v.c.merged_into_id,
            v.c.came_from_id,
            c.c.name.label("commune"),
        )
        .select_from(v.join(c, v.c.commune_id == c.c.id))
        .where(sa.true() if commune is None else c.c.name == commune)
        .order_by(c.c.name, v.c.name)
    ).all()
    # The villages named by merged_into/came_from, with their commune (came_from is another
    # commune's village).
    wanted = {r.merged_into_id for r in rows} | {r.came_from_id for r in rows}
    named = conn.execute(
        sa.select(v.c.id, v.c.name, c.c.name.label("commune"))
        .select_from(v.join(c, v.c.commune_id == c.c.id))
        .where(v.c.id.in_([i for i in wanted if i is not None]))
    ).all()
    names = {row.id: row.name for row in named}
    places = {row.id: (row.commune, row.name) for row in named}
    return [
        Village(
            row.commune,
            row.name,
            row.valid_from,
            row.valid_to,
            names.get(row.merged_into_id),
            places.get(row.came_from_id),
        )
        for row in rows
    ]


def keys_of(profiles: Iterable[CommuneProfile]) -> dict[str, dict[str, str]]:
    """Each commune's region/group (`Store.keys`), from profiles already read."""
    return {
        p.name: {k: v for k, v in (("region", p.region), ("group", p.group)) if v} for p in profiles
    }


class CommunesMixin(AuditMixin):
    """Communes and villages: the part of `Store` that Cài đặt edits."""

    def communes(self) -> list[CommuneProfile]:
        return self._read(load_communes)

    def commune(self, name: str) -> CommuneProfile | None:
        return next((p for p in self.communes() if p.name == name), None)

    def keys(self) -> dict[str, dict[str, str]]:
        """Each commune's region/group, in the shape `ntm.attainment.assess(keys=…)` takes."""
        return keys_of(self.communes())

    def save_commune(self, profile: CommuneProfile, user: str = ANONYMOUS) -> None:
        """Create or update a commune; villages listed and not yet known are added."""

        def work(conn: Connection) -> None:
            c = S.communes.c
            before = next((p for p in load_communes(conn) if p.name == profile.name), None)
            merged_id = None
            if profile.merged_into:
                merged_id = conn.execute(
                    sa.select(c.id).where(c.name == profile.merged_into)
                ).scalar()
                if merged_id is None:
                    raise KeyError(f"no commune {profile.merged_into!r} to merge into")
            code = (profile.code or "").strip() or None
            if code is not None:
                owner = conn.execute(
                    sa.select(c.name).where(c.code == code, c.name != profile.name)
                ).scalar()
                if owner is not None:
                    raise ValueError(f"mã {code} là mã của xã {owner} (code of {owner})")
            fields = {
                "code": code,
                "region": profile.region,
                "commune_group": profile.group,
                "group_evidence": (profile.group_evidence or "").strip() or None,
                "province": (profile.province or "").strip() or None,
                "criteria_set": profile.criteria_set,
                "village_criteria_sets": list(profile.village_sets) or None,
                "valid_from": profile.valid_from,
                "valid_to": profile.valid_to,
                "merged_into_id": merged_id,
                "updated_at": now(),
            }
            if before is None:
                commune_id = conn.execute(
                    sa.insert(S.communes)
                    .values(name=profile.name, created_at=now(), **fields)
                    .returning(c.id)
                ).scalar_one()
            else:
                commune_id = conn.execute(
                    sa.select(c.id).where(c.name == profile.name).with_for_update()
                ).scalar_one()
                conn.execute(sa.update(S.communes).where(c.id == commune_id).values(**fields))
            for name in profile.villages:
                ensure_village(conn, commune_id, profile.name, name, user)
            after = next(p for p in load_communes(conn) if p.name == profile.name)
            if before != after:
                write_audit(
                    conn,
                    user,
                    "commune.created" if before is None else "commune.updated",
                    "commune",
                    profile.name,
                    {
                        "before": dataclasses.asdict(before) if before else None,
                        "after": dataclasses.asdict(after),
                    },
                )

        self._write(work)

    def merge_communes(
        self, sources: Iterable[str], into: str, on: dt.date, user: str = ANONYMOUS
    ) -> None:
        """Record a merger: `sources` end the day before `on`, and roll up under `into`."""
        target = self.commune(into) or CommuneProfile(name=into)
        if target.valid_from is None:
            target.valid_from = on
        self.save_commune(target, user)
        for name in sources:
            profile = self.commune(name) or CommuneProfile(name=name)
            profile.valid_to = on - dt.timedelta(days=1)
            profile.merged_into = into
            self.save_commune(profile, user)

    def villages(self, commune: str, on: dt.date | None = None) -> list[Village]:
        """The commune's villages (those valid on `on` when given), by name."""
        found = self._read(lambda conn: load_villages(conn, commune))
        return [v for v in found if on is None or v.valid_on(on)]

    def save_village(
        self,
        commune: str,
        name: str,
        *,
        valid_from: dt.date | None = None,
        valid_to: dt.date | None = None,
        merged_into: str | None = None,
        came_from: tuple[str, str] | None = None,
        user: str = ANONYMOUS,
    ) -> None:
        """Create or update a village (merged_into: another village of the same commune;
        came_from: the (commune, village) it continues after a merger of communes)."""

        def work(conn: Connection) -> None:
            c, v = S.communes.c, S.villages.c
            commune_id = conn.execute(sa.select(c.id).where(c.name == commune)).scalar()
            if commune_id is None:
                commune_id = ensure_commune(conn, commune, user)
            village_id = ensure_village(conn, commune_id, commune, name, user)
            target = None
            if merged_into:
                target = conn.execute(
                    sa.select(v.id).where(v.commune_id == commune_id, v.name == merged_into)
                ).scalar()
                if target is None:
                    raise KeyError(f"no village {merged_into!r} in {commune!r}")
            origin = None
            if came_from:
                origin = conn.execute(
                    sa.select(v.id)
                    .select_from(S.villages.join(S.communes, v.commune_id == c.id))
                    .where(c.name == came_from[0], v.name == came_from[1])
                ).scalar()
                if origin is None or origin == village_id:
                    raise KeyError(f"no village {came_from[1]!r} in {came_from[0]!r}")
            before = conn.execute(
                sa.select(v.valid_from, v.valid_to, v.merged_into_id, v.came_from_id).where(
                    v.id == village_id
                )
            ).one()
            after = (valid_from, valid_to, target, origin)
            if tuple(before) != after:
                conn.execute(
                    sa.update(S.villages)
                    .where(v.id == village_id)
                    .values(
                        valid_from=valid_from,
                        valid_to=valid_to,
                        merged_into_id=target,
                        came_from_id=origin,
                    )
                )
                write_audit(
                    conn,
                    user,
                    "village.updated",
                    "village",
                    f"{commune}/{name}",
                    {
                        "before": {"valid_from": before.valid_from, "valid_to": before.valid_to},
                        "after": {
                            "valid_from": valid_from,
                            "valid_to": valid_to,
                            "merged_into": merged_into,
                            "came_from": list(came_from) if came_from else None,
                        },
                    },
                )

        self._write(work)
