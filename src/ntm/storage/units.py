"""The register of units in the database (issue 13): aliases, commune codes, merging units
split by spelling (and undoing it), renaming.

`RegisterMixin` is part of `ntm.storage.Store`; the matching rules are `ntm.register`'s.

- **Matching on import**: `Store.import_bytes` resolves a return's names against the register
  read in the transaction that stores the file (only the villages of the communes it names),
  before it stores anything; a held file stores nothing (outcome status `held`).
- **What a re-upload replaces**: `plans(result)`, see `ntm.storage.plans`.
- **Merge**: `merge_units(source, into)` moves every revision of the source unit to the target
  (each unit-year renumbered in the order the revisions were made, so the latest upload is
  current), moves its aliases, keeps its name as an alias and removes the empty unit. Merging
  communes merges their villages of the same name the same way and moves the others. The
  audit row (`unit.merged`) holds everything needed to undo it (`undo_merge`).
- **Rename**: `rename_unit` keeps the old name as an alias.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.register import (
    CommuneEntry,
    Entry,
    Register,
    spelled,
    suspected_duplicates,
    valid_in,
)
from ntm.resolve import Choices, Resolution, resolve
from ntm.storage import schema as S
from ntm.storage.audit import audit_row, write_audit
from ntm.storage.common import now
from ntm.storage.plans import REPLACE, UnitPlan, plan_units, units_of
from ntm.storage.transactions import Transactions
from ntm.values import ReadResult

T = TypeVar("T")
MERGED, MERGE_UNDONE = "unit.merged", "unit.merge_undone"


def load_register(
    conn: Connection, named: Callable[[Register], Iterable[str]] | None = None
) -> Register:
    """Every commune with its code and aliases, and its villages with theirs.

    `named`: given the register without villages, the communes whose villages are wanted (an
    import: those its return names, `ntm.resolve.communes_named`); the others are loaded
    without villages. A province's register is thousands of villages, and reading all of them
    for every import was a fifth of its time on PostgreSQL (issue 17)."""
    c, v, a = S.communes.c, S.villages.c, S.unit_aliases.c
    # Each unit with its aliases in one query (LEFT JOIN), oldest alias first; rows unpacked
    # as tuples (reading row attributes by name was most of the time, issue 17).
    communes: dict[int, tuple[str, str | None, list[str]]] = {}
    for commune_id, name, code, alias in conn.execute(
        sa.select(c.id, c.name, c.code, a.alias)
        .outerjoin(S.unit_aliases, a.commune_id == c.id)
        .order_by(c.name, a.id)
    ):
        found = communes.setdefault(commune_id, (name, code, []))
        if alias is not None:
            found[2].append(alias)
    wanted: list[int] | None = None
    if named is not None:
        bare = Register(tuple(CommuneEntry(n, tuple(al), cd) for n, cd, al in communes.values()))
        names = set(named(bare))
        wanted = [i for i, (n, _, _) in communes.items() if n in names]
    by_commune: dict[int, list[Entry]] = {}
    if wanted is None or wanted:
        query = (
            sa.select(v.id, v.commune_id, v.name, a.alias)
            .outerjoin(S.unit_aliases, a.village_id == v.id)
            .order_by(v.name, a.id)
        )
        if wanted is not None:
            query = query.where(v.commune_id.in_(wanted))
        villages: dict[int, tuple[int, str, list[str]]] = {}
        for village_id, commune_id, name, alias in conn.execute(query):
            found_v = villages.setdefault(village_id, (commune_id, name, []))
            if alias is not None:
                found_v[2].append(alias)
        no_aliases: tuple[str, ...] = ()
        for commune_id, name, aliases in villages.values():
            entry = Entry(name, tuple(aliases) if aliases else no_aliases)
            by_commune.setdefault(commune_id, []).append(entry)
    return Register(
        tuple(
            CommuneEntry(name, tuple(aliases), code, tuple(by_commune.get(commune_id, ())))
            for commune_id, (name, code, aliases) in communes.items()
        )
    )


def insert_alias(
    conn: Connection,
    user: str,
    alias: str,
    how: str,
    commune_id: int | None = None,
    village_id: int | None = None,
) -> int | None:
    """Add an alias unless the unit already has it (or, for a commune, another one does)."""
    a = S.unit_aliases.c
    alias = spelled(alias)
    if commune_id is not None:
        taken = conn.execute(sa.select(a.id).where(a.commune_id.is_not(None), a.alias == alias))
        own = conn.execute(sa.select(S.communes.c.id).where(S.communes.c.name == alias))
        if taken.first() is not None or own.first() is not None:
            return None
    else:
        exists = conn.execute(sa.select(a.id).where(a.village_id == village_id, a.alias == alias))
        if exists.first() is not None:
            return None
    alias_id: int = conn.execute(
        sa.insert(S.unit_aliases)
        .values(
            commune_id=commune_id,
            village_id=village_id,
            alias=alias,
            how=how,
            user_name=user,
            created_at=now(),
        )
        .returning(a.id)
    ).scalar_one()
    return alias_id


def apply_resolution(
    conn: Connection, res: Resolution, commune: str, commune_id: int, user: str
) -> list[dict[str, Any]]:
    """Inside an import: the new commune's code, and the aliases the matching learnt; returns
    their audit rows."""
    c, v = S.communes.c, S.villages.c
    audit = []
    code = res.new_communes.get(commune)
    if code:
        taken = conn.execute(sa.select(c.id).where(c.code == code)).first()
        if taken is None:
            conn.execute(sa.update(S.communes).where(c.id == commune_id).values(code=code))
    for alias in res.aliases:
        if alias.commune != commune:
            continue
        if alias.village is None:
            added = insert_alias(conn, user, alias.alias, alias.how, commune_id=commune_id)
            entity, entity_id = "commune", commune
        else:
            village_id = conn.execute(
                sa.select(v.id).where(v.commune_id == commune_id, v.name == alias.village)
            ).scalar()
            if village_id is None:
                continue
            added = insert_alias(conn, user, alias.alias, alias.how, village_id=int(village_id))
            entity, entity_id = "village", f"{commune}/{alias.village}"
        if added is not None:
            audit.append(
                audit_row(
                    user, "alias.added", entity, entity_id, {"alias": alias.alias, "how": alias.how}
                )
            )
    return audit


def _valid_years(rows: Sequence[Any], periods: Iterable[int]) -> dict[int, list[str]]:
    return {
        int(p): [r.name for r in rows if valid_in(r.valid_from, r.valid_to, int(p))]
        for p in periods
    }


class RegisterMixin(Transactions):
    """The register's part of `Store` (see the module)."""

    def register(self) -> Register:
        """Every commune with its code, aliases and villages (with theirs)."""
        return self._read(load_register)

    def resolve(self, result: ReadResult, choices: Choices | None = None) -> Resolution:
        """A return's names matched to the register (nothing is written)."""
        return resolve(result, self.register(), choices)

    def plans(self, result: ReadResult, mode: str = REPLACE) -> list[UnitPlan]:
        """What storing a (resolved) return would replace, per unit (nothing is written)."""
        units = units_of(result)
        return self._read(lambda conn: plan_units(conn, units, mode))

    def village_register(self, periods: Iterable[int]) -> dict[tuple[str, int], list[str]]:
        """(commune, year) → the villages registered and valid that year (31 December), for
        every commune that has a village register; `ntm.attainment.assess(register=…)`."""
        c, v = S.communes.c, S.villages.c
        years = sorted({int(p) for p in periods})
        rows = self._read(
            lambda conn: conn.execute(
                sa.select(c.name.label("commune"), v.name, v.valid_from, v.valid_to).join(
                    S.communes, v.commune_id == c.id
                )
            ).all()
        )
        by_commune: dict[str, list[Any]] = {}
        for row in rows:
            by_commune.setdefault(row.commune, []).append(row)
        return {
            (commune, year): names
            for commune, found in by_commune.items()
            for year, names in _valid_years(found, years).items()
        }

    def duplicates(self) -> list[dict[str, Any]]:
        """Units that look split by spelling: communes, and villages of one commune, whose
        names are the same once normalised (case, spacing, prefix, diacritics)."""
        reg = self.register()
        out: list[dict[str, Any]] = [
            {"commune": None, "names": g}
            for g in suspected_duplicates(c.name for c in reg.communes)
        ]
        for commune in reg.communes:
            out += [
                {"commune": commune.name, "names": g}
                for g in suspected_duplicates(v.name for v in commune.villages)
            ]
        return out

    def add_alias(
        self, commune: str, alias: str, village: str | None = None, user: str = "anonymous"
    ) -> bool:
        """Record another spelling of a commune or village; False if it was known already."""

        def work(conn: Connection) -> bool:
            commune_id, village_id = _unit_ids(conn, commune, village)
            added = insert_alias(
                conn,
                user,
                alias,
                "manual",
                commune_id=None if village else commune_id,
                village_id=village_id,
            )
            if added is not None:
                entity_id = f"{commune}/{village}" if village else commune
                write_audit(
                    conn,
                    user,
                    "alias.added",
                    "village" if village else "commune",
                    entity_id,
                    {"alias": spelled(alias), "how": "manual"},
                )
            return added is not None

        return self._write(work)

    def rename_unit(
        self, commune: str, new_name: str, village: str | None = None, user: str = "anonymous"
    ) -> None:
        """Rename a commune (village=None) or a village; the old name becomes an alias.
        ValueError when another unit already has the new name (merge them instead)."""
        from ntm.storage.merges import rename

        self._write(lambda conn: rename(conn, commune, village, spelled(new_name), user))

    def merge_units(
        self, source: str, into: str, commune: str | None = None, user: str = "anonymous"
    ) -> int:
        """Merge commune `source` into commune `into` (commune=None), or village `source` into
        village `into` of `commune`. Returns the audit row id `undo_merge` takes."""
        from ntm.storage.merges import merge

        return self._write(lambda conn: merge(conn, source, into, commune, user))

    def undo_merge(self, audit_id: int, user: str = "anonymous") -> None:
        """Put back what a merge moved (revisions created since stay with the target)."""
        from ntm.storage.merges import undo

        self._write(lambda conn: undo(conn, int(audit_id), user))

    def merges(self) -> pd.DataFrame:
        """Every merge, newest first: audit id, when, who, level, source, into, undone."""
        from ntm.storage.merges import merges

        return self._read(merges)


def _unit_ids(conn: Connection, commune: str, village: str | None) -> tuple[int, int | None]:
    c, v = S.communes.c, S.villages.c
    commune_id = conn.execute(sa.select(c.id).where(c.name == commune)).scalar()
    if commune_id is None:
        raise KeyError(f"no commune {commune!r}")
    if village is None:
        return int(commune_id), None
    village_id = conn.execute(
        sa.select(v.id).where(v.commune_id == commune_id, v.name == village)
    ).scalar()
    if village_id is None:
        raise KeyError(f"no village {village!r} in {commune!r}")
    return int(commune_id), int(village_id)
