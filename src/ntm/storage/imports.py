"""Imports (DESIGN §6, issues 4 and 13): one return stored as a new revision per unit it
carries, or as a refused upload, in one transaction.

- **Every upload is kept** with its original bytes, file name, sha256, size, who and when.
  The same bytes again (same sha256) are recognised: nothing new is created and the outcome
  says `status="duplicate"`, `duplicate_of=<the first upload>`.
- **A file with errors is stored as refused**: its bytes and problems are kept (staff can see
  and download what was refused and why; re-sending the same file is recognised), but it has
  no values and no revisions. `keep_refused=False` stores nothing at all instead (for callers
  that must leave the database unchanged, e.g. hostile-input tests). The bytes of a file
  refused for its size are not kept (its sha256, size and problems are).
- **Names are matched to the register of units first** (`ntm.register`, `ntm.resolve`,
  `ntm.storage.units`): a return is stored under the registered commune and village names; a
  file naming a village the register does not know is `held` (nothing stored). `mode="update"`
  carries the current values a file does not repeat into its new revision; `mode="replace"`
  (default) does not. Either way the outcome says, per unit, which revision it replaces and
  which current values the file does not repeat.
- **One transaction** per file: the upload, its revisions, values and audit rows
  (`ntm.storage.transactions`); communes are locked in name order (no lock cycles).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.errors import Code, Problem, has_errors
from ntm.resolve import Choices, Resolution, communes_named, resolve
from ntm.storage import schema as S
from ntm.storage.audit import audit_row
from ntm.storage.bulk import insert_audit
from ntm.storage.common import clean, now
from ntm.storage.communes import ensure_commune
from ntm.storage.criteria_sets import CriteriaSetsMixin
from ntm.storage.models import (
    ACCEPTED,
    ANONYMOUS,
    DUPLICATE,
    HELD,
    MODES,
    REFUSED,
    ImportOutcome,
    ReadingContext,
    RevisionRef,
    Row,
    Unit,
    problem_from_dict,
    problem_to_dict,
)
from ntm.storage.plans import REPLACE, UnitPlan, plan_known
from ntm.storage.units import RegisterMixin, apply_resolution, load_register
from ntm.storage.writes import group_units, known_units, new_revisions
from ntm.values import ReadResult

Reader = Callable[[bytes, str], ReadResult]
# Problems for which the file's bytes are not worth keeping (they are why it was refused).
_TOO_BIG = {Code.FILE_TOO_LARGE, Code.ARCHIVE_TOO_LARGE}


def read_return_bytes(
    data: bytes, filename: str, context: ReadingContext | None = None
) -> ReadResult:
    """The default reader: `ntm.returns.read_return` (imported when first needed)."""
    from ntm.returns import read_return

    return read_return(data, filename, **(context.kwargs() if context else {}))


class ImportsMixin(CriteriaSetsMixin, RegisterMixin):
    """Storing returns: the part of `Store` behind Nhập liệu and `ntm import`."""

    _reader: Reader | None = None

    def import_file(self, path: Path | str, user: str = ANONYMOUS, **kwargs: Any) -> ImportOutcome:
        path = Path(path)
        return self.import_bytes(path.read_bytes(), path.name, user, **kwargs)

    def import_bytes(
        self,
        data: bytes,
        filename: str,
        user: str = ANONYMOUS,
        read_result: ReadResult | None = None,
        *,
        keep_refused: bool = True,
        choices: Choices | None = None,
        mode: str = REPLACE,
    ) -> ImportOutcome:
        """Store one return: a new revision per unit it carries, or a refused upload.

        `read_result` is the return as already read (the Nhập liệu page reads it for the
        preview); without it the file is read here. Never raises on bad data.

        Its names are matched to the register first (`ntm.register`; `choices`: what staff
        said about names the register does not know); a file naming a village the register
        does not know is `held`: nothing is stored. `mode`: `replace` (the file is the whole
        unit) or `update` (current values the file does not repeat are carried over).
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        data = bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        result = read_result
        if result is None:
            # The same bytes already stored are not read again.
            found = self._read(lambda conn: _find_upload(conn, sha))
            if found is not None:
                return _duplicate(found, filename)
            if self._reader is not None:
                result = self._reader(data, filename)
            else:
                result = read_return_bytes(data, filename, self.reading_context())
        read = result
        # One transaction, from the duplicate check and the register's read to the last
        # audit row: what the names are matched against is what the file is stored under
        # (no register read earlier, or cached), and a PostgreSQL import takes one connection
        # from the pool instead of two (each costs a ping and a rollback). Issue 17.
        return self._write(lambda conn: _import(conn, data, sha, filename, user, read, choices,
                                                mode, keep_refused))  # fmt: skip


def _import(
    conn: Connection,
    data: bytes,
    sha: str,
    filename: str,
    user: str,
    result: ReadResult,
    choices: Choices | None,
    mode: str,
    keep_refused: bool,
) -> ImportOutcome:
    found = _find_upload(conn, sha)
    if found is not None:
        return _duplicate(found, filename)
    # Only the villages of the communes the file names: `resolve` reads no other's.
    register = load_register(conn, lambda bare: communes_named(result, bare, choices))
    resolution = resolve(result, register, choices)
    resolved = resolution.result
    units, extra = group_units(resolved, filename)
    problems = [*resolved.problems, *resolution.problems, *extra]
    notices = resolution.notices
    if resolution.held and not has_errors([*resolved.problems, *extra]):
        return ImportOutcome(
            filename, None, HELD, [], problems, notices=notices, held=resolution.held
        )
    file = _File(data, sha, filename, user, problems, resolved.meta)
    if has_errors(problems):
        if not keep_refused:
            return ImportOutcome(filename, None, REFUSED, [], problems)
        return _store_refused(conn, file)
    outcome = _store_accepted(conn, file, units, resolution, mode)
    outcome.notices = notices if outcome.status == ACCEPTED else []
    return outcome


@dataclass(frozen=True)
class _File:
    """One file being stored: its bytes, who sends it, its problems and its metadata."""

    data: bytes
    sha: str
    name: str
    user: str
    problems: list[Problem]
    meta: Any


def _find_upload(conn: Connection, sha: str) -> Row | None:
    u = S.uploads.c
    return conn.execute(sa.select(u.id, u.status, u.problems).where(u.sha256 == sha)).first()


def _duplicate(found: Row, filename: str) -> ImportOutcome:
    return ImportOutcome(
        filename,
        found.id,
        DUPLICATE,
        [],
        [problem_from_dict(p) for p in found.problems or []],
        duplicate_of=found.id,
        original_status=found.status,
    )


def _insert_upload(
    conn: Connection,
    file: _File,
    status: str,
    value_count: int,
    keep_content: bool,
    communes: Sequence[str] = (),
    periods: Sequence[int] = (),
    audit: list[dict[str, Any]] | None = None,
) -> int:
    """The upload's row; its audit row is written here, or appended to `audit` (written
    with the import's others in one insert)."""
    meta = file.meta
    meta_json = (
        clean(dataclasses.asdict(meta))
        if dataclasses.is_dataclass(meta) and not isinstance(meta, type)
        else {}
    )
    # What the file is about: its metadata, else the one commune/period its values carry.
    commune = meta_json.get("commune") or (communes[0] if len(communes) == 1 else None)
    period = meta_json.get("period") or (periods[0] if len(periods) == 1 else None)
    upload_id: int = conn.execute(
        sa.insert(S.uploads)
        .values(
            filename=file.name,
            sha256=file.sha,
            size=len(file.data),
            content=file.data if keep_content else None,
            user_name=file.user,
            created_at=now(),
            status=status,
            commune=commune,
            period=period,
            value_count=value_count,
            problems=[problem_to_dict(p) for p in file.problems],
            meta=meta_json,
        )
        .returning(S.uploads.c.id)
    ).scalar_one()
    row = audit_row(
        file.user,
        f"upload.{status}",
        "upload",
        upload_id,
        {
            "file": file.name,
            "sha256": file.sha,
            "size": len(file.data),
            "value_count": value_count,
            "commune": commune,
            "period": period,
            "problems": sorted({p.code.value for p in file.problems}),
        },
    )
    if audit is None:
        insert_audit(conn, [row])
    else:
        audit.append(row)
    return upload_id


def _store_refused(conn: Connection, file: _File) -> ImportOutcome:
    keep = not any(p.code in _TOO_BIG for p in file.problems)
    upload_id = _insert_upload(conn, file, REFUSED, 0, keep)
    return ImportOutcome(file.name, upload_id, REFUSED, [], file.problems)


def _store_accepted(
    conn: Connection,
    file: _File,
    units: list[tuple[Unit, list[dict[str, Any]]]],
    resolution: Resolution | None = None,
    mode: str = REPLACE,
) -> ImportOutcome:
    # Every audit row of the file, in the order of its changes, written by one insert at the
    # end (one round trip instead of one per change; issue 17).
    audit: list[dict[str, Any]] = []
    upload_id = _insert_upload(
        conn,
        file,
        ACCEPTED,
        sum(len(rows) for _, rows in units),
        True,
        communes=sorted({unit[0] for unit, _ in units}),
        periods=sorted({unit[2] for unit, _ in units}),
        audit=audit,
    )
    user, meta = file.user, file.meta
    by_commune: dict[str, list[tuple[Unit, list[dict[str, Any]]]]] = {}
    for unit, rows in units:
        by_commune.setdefault(unit[0], []).append((unit, rows))
    refs: list[RevisionRef] = []
    plans: list[UnitPlan] = []
    for commune, found_units in by_commune.items():  # in name order: no lock cycles
        # The return's region/group describe its commune (when it carries only one).
        keyed = len(by_commune) == 1 and getattr(meta, "commune", None) in (None, commune)
        commune_id = ensure_commune(
            conn,
            commune,
            user,
            region=getattr(meta, "region", None) if keyed else None,
            group=getattr(meta, "group", None) if keyed else None,
            audit=audit,
        )
        if resolution is not None:
            audit += apply_resolution(conn, resolution, commune, commune_id, user)
        # Under the commune's lock, read once: what each unit replaces, and (update) what it
        # keeps; the new revisions are numbered from the same rows.
        keys = [key for key, _ in found_units]
        known = known_units(
            conn,
            commune_id,
            commune,
            (k[1] for k in keys if k[1] is not None),
            (k[2] for k in keys),
        )
        found_plans, found_units = plan_known(conn, found_units, known.current(keys), mode)
        plans += found_plans
        commune_units = [(village, period, rows) for (_, village, period), rows in found_units]
        refs += new_revisions(
            conn, commune_id, commune, commune_units, upload_id, user, known=known, audit=audit
        )
    insert_audit(conn, audit)
    return ImportOutcome(
        file.name, upload_id, ACCEPTED, refs, file.problems, units=plans, mode=mode
    )
