"""The `Store`: every upload kept, revisions per (commune, village, period), and an audit log.

Rules (DESIGN §6, issue 4):

- **Every upload is kept** with its original bytes, file name, sha256, size, who and when.
  The same bytes again (same sha256) are recognised: nothing new is created and the outcome
  says `status="duplicate"`, `duplicate_of=<the first upload>`.
- **A file with errors is stored as refused**: its bytes and problems are kept (staff can see
  and download what was refused and why; re-sending the same file is recognised), but it has
  no values and no revisions. `keep_refused=False` stores nothing at all instead (for callers
  that must leave the database unchanged, e.g. hostile-input tests). The bytes of a file
  refused for its size are not kept (its sha256, size and problems are).
- **A later upload for the same unit is a new revision**, never an overwrite: revision numbers
  count 1, 2, 3 … per (commune, village, period); the current revision is the highest
  number not deleted. `restore()` copies an earlier revision into a new one; `delete_revision`
  marks one deleted (it stays readable).
- **Names are matched to the register of units first** (issue 13: `ntm.register`,
  `ntm.resolve`, `ntm.storage.units`): a return is stored under the registered commune and
  village names; a file naming a village the register does not know is `held` (nothing
  stored). `mode="update"` carries the current values a file does not repeat into its new
  revision; `mode="replace"` (default) does not. Either way the outcome says, per unit, which
  revision it replaces and which current values the file does not repeat.
- **Every write is one transaction** (an import: the upload, its revisions, values and audit
  rows). Concurrent importers: on SQLite the write lock is taken at BEGIN; on PostgreSQL the
  commune row is locked (`FOR UPDATE`) while its revision is numbered; a unique constraint
  guards the numbering anyway, and a transaction that loses a race (unique violation,
  deadlock, "database is locked") is retried from the start.
- **Audit**: every change writes an `audit_log` row with its user, action, entity and details
  (before/after for edits). The table is append-only (enforced by a trigger).

Test hook (documented, used by tests/test_storage_fault.py): when the environment variable
`NTM_STORAGE_TEST_PAUSE` names a file, an import writes its process id into that file right
after inserting a commune's new revisions and their values, inside the still open transaction
(before its audit rows and the commit), then sleeps
`NTM_STORAGE_TEST_PAUSE_SECONDS` (default 60) seconds, so a test can kill it mid-import.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ntm.criteria import CriteriaSet
from ntm.errors import Code, Problem, Severity, has_errors
from ntm.register import Entry, NameLookup
from ntm.resolve import Choices, Held, Resolution
from ntm.storage import schema as S
from ntm.storage.common import audit_row as _audit_row
from ntm.storage.common import clean as _clean
from ntm.storage.common import now as _now
from ntm.storage.engine import WRITE_OPTION, default_url, make_engine, migrate
from ntm.storage.units import (
    REPLACE,
    UPDATE,
    RegisterMixin,
    UnitPlan,
    apply_resolution,
    carry_rows,
    given_codes,
    plan_units,
)
from ntm.values import VALUE_COLUMNS, ReadResult

T = TypeVar("T")
Row = Any  # an SQLAlchemy result row (typed loosely: its columns are named below)
Reader = Callable[[bytes, str], ReadResult]

ACCEPTED = "accepted"
REFUSED = "refused"
DUPLICATE = "duplicate"
HELD = "held"  # a name the register does not know: nothing stored (ntm.register)
MODES = (REPLACE, UPDATE)
ANONYMOUS = "anonymous"

TEST_PAUSE_ENV = "NTM_STORAGE_TEST_PAUSE"
MAX_ATTEMPTS = 30
# Problems for which the file's bytes are not worth keeping (they are why it was refused).
_TOO_BIG = {Code.FILE_TOO_LARGE, Code.ARCHIVE_TOO_LARGE}
STORED_COLUMNS = [*VALUE_COLUMNS, "upload_id", "revision_id", "revision"]


class _Any(enum.Enum):
    ANY = "any"


ANY = _Any.ANY
"""`revisions(village=ANY)`: every unit (None means the commune-wide unit)."""


@dataclass(frozen=True)
class ReadingContext:
    """What the database knows that decides how a return is read (`ntm.returns.read_return`):
    the sets users imported or edited (a stored revision replaces the shipped file of its id;
    2026-2030 once its 47 indicators are imported), each commune's own set, and the province
    village sets communes follow. `key` changes whenever any of them does (a cache key)."""

    extra_sets: tuple[CriteriaSet, ...] = ()
    commune_sets: tuple[tuple[str, str], ...] = ()
    # By commune: the village sets it follows. A return is read with its own commune's only
    # (another commune's "T4.1" stays an unknown code, its "TC2.2" the national 2.2).
    commune_village_sets: tuple[tuple[str, tuple[CriteriaSet, ...]], ...] = ()
    # By commune: its region/group as the profile records it (the truth when a return says
    # otherwise; a return without one is judged on the profile's).
    commune_keys: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    key: tuple[Any, ...] = ()
    # The register's entries of those communes: a return spelling its commune otherwise
    # ("Duong Quang") is read with that commune's sets (ntm.register.NameLookup).
    names: tuple[Any, ...] = ()

    @property
    def village_sets(self) -> tuple[CriteriaSet, ...]:
        """Every village set some commune follows."""
        found = {s.id: s for _, sets in self.commune_village_sets for s in sets}
        return tuple(found[i] for i in sorted(found))

    def kwargs(self) -> dict[str, Any]:
        return {
            "extra_sets": self.extra_sets,
            "commune_sets": NameLookup(dict(self.commune_sets), self.names),
            "commune_village_sets": NameLookup(dict(self.commune_village_sets), self.names),
            "commune_keys": NameLookup(
                {name: dict(keys) for name, keys in self.commune_keys}, self.names
            ),
        }


def read_return_bytes(
    data: bytes, filename: str, context: ReadingContext | None = None
) -> ReadResult:
    """The default reader: `ntm.returns.read_return` (imported when first needed)."""
    from ntm.returns import read_return

    return read_return(data, filename, **(context.kwargs() if context else {}))


# --- results -----------------------------------------------------------------------------


class RevisionRef(NamedTuple):
    commune: str
    village: str | None
    period: int
    number: int
    id: int

    def to_json(self) -> dict[str, Any]:
        return {
            "commune": self.commune,
            "village": self.village,
            "period": self.period,
            "number": self.number,
            "revision_id": self.id,
        }


@dataclass
class ImportOutcome:
    """What happened to one file. `status`: accepted, refused or duplicate."""

    file: str
    upload_id: int | None
    status: str
    revisions: list[RevisionRef] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicate_of: int | None = None
    original_status: str | None = None  # for a duplicate: the first upload's status
    # The register (issue 13): units created (notices), names held, and per unit the revision
    # replaced and the current values the file does not repeat.
    notices: list[Problem] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    units: list[UnitPlan] = field(default_factory=list)
    mode: str = REPLACE

    @property
    def refused(self) -> bool:
        """The file is refused (or is the same bytes as a refused file)."""
        return self.status == REFUSED or (
            self.status == DUPLICATE and self.original_status == REFUSED
        )

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "file": self.file,
            "upload_id": self.upload_id,
            "revisions": [r.to_json() for r in self.revisions],
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "problems": [p.to_json(lang) for p in self.problems],
            "notices": [p.to_json(lang) for p in self.notices],
            "held": [
                {"commune": h.commune, "name": h.spelling, "candidates": list(h.candidates)}
                for h in self.held
            ],
            "mode": self.mode,
            "units": [u.to_json() for u in self.units],
        }


@dataclass
class CommuneProfile:
    """A commune as the Cài đặt page edits it. `villages`: names currently valid."""

    name: str
    region: str | None = None
    group: str | None = None
    criteria_set: str | None = None  # None: the national set in force for each year
    # The province village (thôn) sets it follows (ids); each village is also judged on the one
    # covering the year (ntm.village_sets).
    village_sets: list[str] = field(default_factory=list)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    merged_into: str | None = None
    villages: list[str] = field(default_factory=list)
    code: str | None = None  # mã đơn vị hành chính
    aliases: list[str] = field(default_factory=list)  # other spellings accepted (read only)


@dataclass
class Village:
    commune: str
    name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    merged_into: str | None = None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


# --- helpers -----------------------------------------------------------------------------


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": problem.code.value,
        "file": problem.file,
        "sheet": problem.sheet,
        "cell": problem.cell,
        "params": _clean(problem.params),
    }
    if problem.severity is not None:
        out["severity"] = problem.severity.value
    return out


def problem_from_dict(data: Mapping[str, Any]) -> Problem:
    severity = data.get("severity")
    return Problem(
        Code(data["code"]),
        file=data.get("file", ""),
        sheet=data.get("sheet", ""),
        cell=data.get("cell", ""),
        params=dict(data.get("params") or {}),
        severity=Severity(severity) if severity else None,
    )


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # NaN
    if isinstance(value, str | int):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _num(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _text(value: Any) -> str | None:
    return None if _missing(value) else str(value)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _utc_column(values: Iterable[Any]) -> pd.Series:
    """Timestamps as a UTC datetime column (SQLite gives naive UTC, PostgreSQL aware)."""
    return pd.to_datetime(pd.Series([_utc(x) for x in values], dtype="object"), utc=True)


def _retryable(exc: sa.exc.DBAPIError) -> bool:
    """A transaction that lost a race: unique violation, deadlock, serialisation, busy."""
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in {"23505", "40001", "40P01", "55P03"}:
        return True
    message = str(exc.orig).lower()
    if isinstance(exc, sa.exc.IntegrityError):
        return "unique constraint failed" in message
    if isinstance(exc, sa.exc.OperationalError):
        return "locked" in message or "busy" in message
    return False


def _test_pause() -> None:
    marker = os.environ.get(TEST_PAUSE_ENV)
    if not marker:
        return
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(os.environ.get(f"{TEST_PAUSE_ENV}_SECONDS", "60")))


Unit = tuple[str, str | None, int]


def _group_units(
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
        if _missing(period):
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
            problems.append(
                Problem(
                    Code.DUPLICATE_CODE,
                    **where,
                    params={
                        "code": code,
                        "unit": unit[1] or unit[0],
                        "first": first["value"],
                        "first_cell": first["cell"] or "",
                        "second": row["value"],
                    },
                )
            )
            continue
        seen[(unit, code)] = row
        units.setdefault(unit, []).append(row)
    ordered = sorted(units.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2]))
    return ordered, problems


def _diff(
    before: Any, after: Any, path: str = "", out: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The leaves that differ between two JSON documents, as {path, before, after}."""
    out = [] if out is None else out
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after), key=str):
            _diff(before.get(key), after.get(key), f"{path}.{key}" if path else str(key), out)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            _diff(b, a, f"{path}.{i}" if path else str(i), out)
    elif before != after:
        out.append({"path": path, "before": before, "after": after})
    return out


# --- the store ---------------------------------------------------------------------------


class Store(RegisterMixin):
    """The application's database. `Store(url)`; call `migrate()` once before use."""

    def __init__(
        self, url: str | None = None, *, reader: Reader | None = None, engine: Engine | None = None
    ) -> None:
        self.url = url or default_url()
        self.engine = engine if engine is not None else make_engine(self.url)
        self._reader = reader
        self._context: ReadingContext | None = None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> Store:
        """Bring the schema up to date (safe from many processes at once). Returns self."""
        migrate(self.engine)
        return self

    # --- transactions --------------------------------------------------------------------
    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one write transaction, retried from the start if it lost a race."""
        delay = 0.005
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(**{WRITE_OPTION: True})
                    with conn.begin():
                        return work(conn)
            except sa.exc.DBAPIError as exc:
                if attempt == MAX_ATTEMPTS or not _retryable(exc):
                    raise
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, work: Callable[[Connection], T]) -> T:
        with self.engine.connect() as conn:
            return work(conn)

    @staticmethod
    def _audit(
        conn: Connection,
        user: str,
        action: str,
        entity: str,
        entity_id: object,
        details: Mapping[str, Any],
    ) -> None:
        conn.execute(
            sa.insert(S.audit_log).values(_audit_row(user, action, entity, entity_id, details))
        )

    # --- imports -------------------------------------------------------------------------
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
        found = self._read(lambda conn: self._find_upload(conn, sha))
        if found is not None:
            return self._duplicate(found, filename)
        result = read_result
        if result is None:
            if self._reader is not None:
                result = self._reader(data, filename)
            else:
                result = read_return_bytes(data, filename, self.reading_context())
        resolution = self.resolve(result, choices)
        result = resolution.result
        units, extra = _group_units(result, filename)
        problems = [*result.problems, *resolution.problems, *extra]
        notices = resolution.notices
        meta = result.meta
        if resolution.held and not has_errors([*result.problems, *extra]):
            return ImportOutcome(
                filename, None, HELD, [], problems, notices=notices, held=resolution.held
            )
        if has_errors(problems):
            if not keep_refused:
                return ImportOutcome(filename, None, REFUSED, [], problems)
            return self._write(
                lambda conn: self._store_refused(conn, data, sha, filename, user, problems, meta)
            )
        outcome = self._write(
            lambda conn: self._store_accepted(
                conn, data, sha, filename, user, problems, meta, units, resolution, mode
            )
        )
        outcome.notices = notices if outcome.status == ACCEPTED else []
        return outcome

    @staticmethod
    def _find_upload(conn: Connection, sha: str) -> Row | None:
        u = S.uploads.c
        return conn.execute(sa.select(u.id, u.status, u.problems).where(u.sha256 == sha)).first()

    @staticmethod
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
        self,
        conn: Connection,
        data: bytes,
        sha: str,
        filename: str,
        user: str,
        status: str,
        problems: list[Problem],
        meta: Any,
        value_count: int,
        keep_content: bool,
        communes: Sequence[str] = (),
        periods: Sequence[int] = (),
    ) -> int:
        meta_json = (
            _clean(dataclasses.asdict(meta))
            if dataclasses.is_dataclass(meta) and not isinstance(meta, type)
            else {}
        )
        # What the file is about: its metadata, else the one commune/period its values carry.
        commune = meta_json.get("commune") or (communes[0] if len(communes) == 1 else None)
        period = meta_json.get("period") or (periods[0] if len(periods) == 1 else None)
        upload_id: int = conn.execute(
            sa.insert(S.uploads)
            .values(
                filename=filename,
                sha256=sha,
                size=len(data),
                content=data if keep_content else None,
                user_name=user,
                created_at=_now(),
                status=status,
                commune=commune,
                period=period,
                value_count=value_count,
                problems=[problem_to_dict(p) for p in problems],
                meta=meta_json,
            )
            .returning(S.uploads.c.id)
        ).scalar_one()
        self._audit(
            conn,
            user,
            f"upload.{status}",
            "upload",
            upload_id,
            {
                "file": filename,
                "sha256": sha,
                "size": len(data),
                "value_count": value_count,
                "commune": commune,
                "period": period,
                "problems": sorted({p.code.value for p in problems}),
            },
        )
        return upload_id

    def _store_refused(
        self,
        conn: Connection,
        data: bytes,
        sha: str,
        filename: str,
        user: str,
        problems: list[Problem],
        meta: Any,
    ) -> ImportOutcome:
        found = self._find_upload(conn, sha)
        if found is not None:
            return self._duplicate(found, filename)
        keep = not any(p.code in _TOO_BIG for p in problems)
        upload_id = self._insert_upload(
            conn, data, sha, filename, user, REFUSED, problems, meta, 0, keep
        )
        return ImportOutcome(filename, upload_id, REFUSED, [], problems)

    def _store_accepted(
        self,
        conn: Connection,
        data: bytes,
        sha: str,
        filename: str,
        user: str,
        problems: list[Problem],
        meta: Any,
        units: list[tuple[Unit, list[dict[str, Any]]]],
        resolution: Resolution | None = None,
        mode: str = REPLACE,
    ) -> ImportOutcome:
        found = self._find_upload(conn, sha)
        if found is not None:
            return self._duplicate(found, filename)
        count = sum(len(rows) for _, rows in units)
        upload_id = self._insert_upload(
            conn,
            data,
            sha,
            filename,
            user,
            ACCEPTED,
            problems,
            meta,
            count,
            True,
            communes=sorted({unit[0] for unit, _ in units}),
            periods=sorted({unit[2] for unit, _ in units}),
        )
        by_commune: dict[str, list[tuple[Unit, list[dict[str, Any]]]]] = {}
        for unit, rows in units:
            by_commune.setdefault(unit[0], []).append((unit, rows))
        refs: list[RevisionRef] = []
        plans: list[UnitPlan] = []
        for commune, found in by_commune.items():  # in name order: no lock cycles
            # The return's region/group describe its commune (when it carries only one).
            keyed = len(by_commune) == 1 and getattr(meta, "commune", None) in (None, commune)
            commune_id = self._ensure_commune(
                conn,
                commune,
                user,
                region=getattr(meta, "region", None) if keyed else None,
                group=getattr(meta, "group", None) if keyed else None,
            )
            if resolution is not None:
                learnt = apply_resolution(conn, resolution, commune, commune_id, user)
                if learnt:
                    conn.execute(sa.insert(S.audit_log), learnt)
            # Under the commune's lock: what each unit replaces, and (update) what it keeps.
            plans += plan_units(conn, {k: given_codes(rows) for k, rows in found}, mode)
            if mode == UPDATE:
                found = carry_rows(conn, found)
            commune_units = [(village, period, rows) for (_, village, period), rows in found]
            refs += self._new_revisions(conn, commune_id, commune, commune_units, upload_id, user)
        return ImportOutcome(filename, upload_id, ACCEPTED, refs, problems, units=plans, mode=mode)

    def _ensure_commune(
        self,
        conn: Connection,
        name: str,
        user: str,
        region: str | None = None,
        group: str | None = None,
    ) -> int:
        """The commune's id, created if new; its row stays locked (PostgreSQL) until commit."""
        c = S.communes.c
        row = conn.execute(
            sa.select(c.id, c.region, c.commune_group).where(c.name == name).with_for_update()
        ).first()
        now = _now()
        if row is None:
            commune_id: int = conn.execute(
                sa.insert(S.communes)
                .values(
                    name=name, region=region, commune_group=group, created_at=now, updated_at=now
                )
                .returning(c.id)
            ).scalar_one()
            self._audit(
                conn,
                user,
                "commune.created",
                "commune",
                name,
                {"after": {"name": name, "region": region, "group": group}},
            )
            return commune_id
        changes: dict[str, Any] = {}
        if region and not row.region:
            changes["region"] = region
        if group and not row.commune_group:
            changes["commune_group"] = group
        if changes:
            conn.execute(
                sa.update(S.communes).where(c.id == row.id).values(**changes, updated_at=now)
            )
            self._audit(
                conn,
                user,
                "commune.updated",
                "commune",
                name,
                {
                    "before": {"region": row.region, "group": row.commune_group},
                    "after": {
                        "region": changes.get("region", row.region),
                        "group": changes.get("commune_group", row.commune_group),
                    },
                },
            )
        return int(row.id)

    def _ensure_village(
        self, conn: Connection, commune_id: int, commune: str, name: str | None, user: str
    ) -> int | None:
        if name is None:
            return None
        v = S.villages.c
        found = conn.execute(
            sa.select(v.id).where(v.commune_id == commune_id, v.name == name)
        ).scalar()
        if found is not None:
            return int(found)
        village_id: int = conn.execute(
            sa.insert(S.villages)
            .values(commune_id=commune_id, name=name, created_at=_now())
            .returning(v.id)
        ).scalar_one()
        self._audit(
            conn,
            user,
            "village.created",
            "village",
            f"{commune}/{name}",
            {"after": {"commune": commune, "name": name}},
        )
        return village_id

    def _new_revisions(
        self,
        conn: Connection,
        commune_id: int,
        commune: str,
        units: list[tuple[str | None, int, list[dict[str, Any]]]],
        upload_id: int,
        user: str,
        restored_from: Row | None = None,
    ) -> list[RevisionRef]:
        """A new revision for each (village, period, rows) of one commune, with its values and
        audit rows, in a handful of statements whatever the number of units.

        The caller holds the commune's lock (PostgreSQL); a revision is numbered after the
        unit's last one, deleted or not, so a number is never reused.
        """
        r, v = S.revisions.c, S.villages.c
        now = _now()
        audit: list[dict[str, Any]] = []

        names = sorted({village for village, _, _ in units if village is not None})
        village_ids: dict[str, int] = {}
        if names:
            found = conn.execute(
                sa.select(v.id, v.name).where(v.commune_id == commune_id, v.name.in_(names))
            )
            village_ids = {row.name: int(row.id) for row in found}
            new = [name for name in names if name not in village_ids]
            if new:
                created = conn.execute(
                    sa.insert(S.villages).returning(v.id, v.name),
                    [{"commune_id": commune_id, "name": n, "created_at": now} for n in new],
                )
                village_ids.update({row.name: int(row.id) for row in created})
                audit += [
                    _audit_row(
                        user,
                        "village.created",
                        "village",
                        f"{commune}/{n}",
                        {"after": {"commune": commune, "name": n}},
                    )
                    for n in new
                ]

        top: dict[tuple[int | None, int], int] = {}
        live: dict[tuple[int | None, int], tuple[int, int]] = {}
        periods = sorted({period for _, period, _ in units})
        existing = conn.execute(
            sa.select(r.id, r.village_id, r.period, r.number, r.deleted_at).where(
                r.commune_id == commune_id, r.period.in_(periods)
            )
        )
        for row in existing:
            key = (row.village_id, row.period)
            top[key] = max(top.get(key, 0), row.number)
            if row.deleted_at is None and row.number > live.get(key, (0, 0))[1]:
                live[key] = (int(row.id), int(row.number))

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
                    "created_at": now,
                }
            )
        ids = (
            conn.execute(
                sa.insert(S.revisions).returning(r.id, sort_by_parameter_order=True), params
            )
            .scalars()
            .all()
        )

        values = [
            {**row, "revision_id": revision_id}
            for revision_id, (_, _, rows) in zip(ids, units, strict=True)
            for row in rows
        ]
        if values:
            conn.execute(sa.insert(S.indicator_values), values)
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
            audit.append(_audit_row(user, action, "revision", revision_id, details))
            if previous is not None:
                audit.append(
                    _audit_row(
                        user,
                        "revision.superseded",
                        "revision",
                        previous[0],
                        {"by": revision_id, "number": previous[1], "by_number": p["number"]},
                    )
                )
            refs.append(RevisionRef(commune, village, period, p["number"], int(revision_id)))
        conn.execute(sa.insert(S.audit_log), audit)
        return refs

    # --- reading values ------------------------------------------------------------------
    def _values_select(self) -> sa.Select[Any]:
        r, v, c, vil, u = S.revisions, S.indicator_values, S.communes, S.villages, S.uploads
        return (
            sa.select(
                c.c.name.label("commune"),
                vil.c.name.label("village"),
                r.c.period,
                v.c.code,
                v.c.value,
                v.c.numerator,
                v.c.denominator,
                v.c.note,
                v.c.self_assessed,
                u.c.filename.label("file"),
                v.c.sheet,
                v.c.cell,
                r.c.upload_id,
                r.c.id.label("revision_id"),
                r.c.number.label("revision"),
            )
            .select_from(
                v.join(r, v.c.revision_id == r.c.id)
                .join(c, r.c.commune_id == c.c.id)
                .outerjoin(vil, r.c.village_id == vil.c.id)
                .join(u, r.c.upload_id == u.c.id)
            )
            .order_by(c.c.name, r.c.period, sa.nulls_first(vil.c.name), v.c.id)
        )

    @staticmethod
    def _values_frame(rows: Iterable[Row]) -> pd.DataFrame:
        frame = pd.DataFrame([tuple(row) for row in rows], columns=STORED_COLUMNS)
        frame = frame.astype(
            {
                "period": "int64",
                "value": "float64",
                "numerator": "float64",
                "denominator": "float64",
                "self_assessed": "float64",
                "upload_id": "int64",
                "revision_id": "int64",
                "revision": "int64",
            }
        )
        for col in ("commune", "village", "code", "note", "file", "sheet", "cell"):
            frame[col] = frame[col].astype("object").where(frame[col].notna(), None)
        return frame

    def _lineage(self, conn: Connection, name: str) -> list[int]:
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

    def current_values(
        self, commune: str | None = None, period: int | None = None, *, include_merged: bool = True
    ) -> pd.DataFrame:
        """The tidy values of every unit's current revision, plus upload_id/revision_id/revision.

        `commune` also brings the history of the communes merged into it (each keeps its own
        name in the `commune` column) unless `include_merged=False`.
        """

        def work(conn: Connection) -> pd.DataFrame:
            r = S.revisions.c
            ranked = sa.select(
                r.id,
                sa.func.row_number()
                .over(partition_by=(r.commune_id, r.village_id, r.period), order_by=r.number.desc())
                .label("rn"),
            ).where(r.deleted_at.is_(None))
            if commune is not None:
                if include_merged:
                    ids = self._lineage(conn, commune)
                else:
                    c = S.communes.c
                    ids = list(conn.execute(sa.select(c.id).where(c.name == commune)).scalars())
                ranked = ranked.where(r.commune_id.in_(ids))
            if period is not None:
                ranked = ranked.where(r.period == int(period))
            sub = ranked.subquery()
            current = sa.select(sub.c.id).where(sub.c.rn == 1)
            return self._values_frame(conn.execute(self._values_select().where(r.id.in_(current))))

        return self._read(work)

    def revision_values(self, revision_id: int) -> pd.DataFrame:
        """The tidy values of one revision (current or not)."""
        return self._read(
            lambda conn: self._values_frame(
                conn.execute(self._values_select().where(S.revisions.c.id == int(revision_id)))
            )
        )

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

    # --- uploads and revisions -----------------------------------------------------------
    def uploads(
        self,
        commune: str | None = None,
        period: int | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Every upload, newest first (without the bytes: see `original`)."""
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
        if limit is not None:
            query = query.limit(int(limit))

        def work(conn: Connection) -> list[Row]:
            q = query
            if commune is not None:
                c = S.communes.c
                ids = self._lineage(conn, commune)
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
                    _utc(row.created_at),
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
        frame["created_at"] = _utc_column(frame["created_at"])
        return frame

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
            .select_from(
                r.join(c, r.c.commune_id == c.c.id)
                .outerjoin(vil, r.c.village_id == vil.c.id)
                .join(u, r.c.upload_id == u.c.id)
            )
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
        frame["created_at"] = _utc_column(frame["created_at"])
        frame["deleted_at"] = _utc_column(frame["deleted_at"])
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
        current = {(k[0], k[1] if not _missing(k[1]) else None, k[2]): n for k, n in top.items()}
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
            [ref] = self._new_revisions(
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
                .values(deleted_at=_now(), deleted_by=user)
            )
            self._audit(
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

    # --- audit ---------------------------------------------------------------------------
    def data_version(self) -> int:
        """The latest audit row's id: it grows with every write (the log is append-only), so
        a reader holding cached results knows, in one indexed query, that another process or
        app instance changed the database."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(S.audit_log.c.id))).scalar() or 0)

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
        frame["at"] = _utc_column(frame["at"])
        return frame

    # --- communes and villages -----------------------------------------------------------
    def communes(self) -> list[CommuneProfile]:
        return self._read(self._communes)

    def commune(self, name: str) -> CommuneProfile | None:
        return next((p for p in self.communes() if p.name == name), None)

    def _communes(self, conn: Connection) -> list[CommuneProfile]:
        c = S.communes.c
        rows = conn.execute(sa.select(S.communes).order_by(c.name)).all()
        names = {row.id: row.name for row in rows}
        today = dt.date.today()
        villages: dict[str, list[str]] = {}
        for village in self._villages(conn, None):
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

    def keys(self) -> dict[str, dict[str, str]]:
        """Each commune's region/group, in the shape `ntm.attainment.assess(keys=…)` takes."""
        out: dict[str, dict[str, str]] = {}
        for p in self.communes():
            entry = {k: v for k, v in (("region", p.region), ("group", p.group)) if v}
            out[p.name] = entry
        return out

    def save_commune(self, profile: CommuneProfile, user: str = ANONYMOUS) -> None:
        """Create or update a commune; villages listed and not yet known are added."""

        def work(conn: Connection) -> None:
            c = S.communes.c
            before = next((p for p in self._communes(conn) if p.name == profile.name), None)
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
                "criteria_set": profile.criteria_set,
                "village_criteria_sets": list(profile.village_sets) or None,
                "valid_from": profile.valid_from,
                "valid_to": profile.valid_to,
                "merged_into_id": merged_id,
                "updated_at": _now(),
            }
            if before is None:
                commune_id = conn.execute(
                    sa.insert(S.communes)
                    .values(name=profile.name, created_at=_now(), **fields)
                    .returning(c.id)
                ).scalar_one()
            else:
                commune_id = conn.execute(
                    sa.select(c.id).where(c.name == profile.name).with_for_update()
                ).scalar_one()
                conn.execute(sa.update(S.communes).where(c.id == commune_id).values(**fields))
            for name in profile.villages:
                self._ensure_village(conn, commune_id, profile.name, name, user)
            after = next(p for p in self._communes(conn) if p.name == profile.name)
            if before != after:
                self._audit(
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
        found = self._read(lambda conn: self._villages(conn, commune))
        return [v for v in found if on is None or v.valid_on(on)]

    def _villages(self, conn: Connection, commune: str | None) -> list[Village]:
        v, c = S.villages, S.communes
        rows = conn.execute(
            sa.select(
                v.c.id,
                v.c.name,
                v.c.valid_from,
                v.c.valid_to,
                v.c.merged_into_id,
                c.c.name.label("commune"),
            )
            .select_from(v.join(c, v.c.commune_id == c.c.id))
            .where(sa.true() if commune is None else c.c.name == commune)
            .order_by(c.c.name, v.c.name)
        ).all()
        all_rows = (
            rows
            if commune is None
            else conn.execute(
                sa.select(v.c.id, v.c.name).where(
                    v.c.id.in_([r.merged_into_id for r in rows if r.merged_into_id])
                )
            ).all()
        )
        names = {row.id: row.name for row in all_rows}
        return [
            Village(
                row.commune, row.name, row.valid_from, row.valid_to, names.get(row.merged_into_id)
            )
            for row in rows
        ]

    def save_village(
        self,
        commune: str,
        name: str,
        *,
        valid_from: dt.date | None = None,
        valid_to: dt.date | None = None,
        merged_into: str | None = None,
        user: str = ANONYMOUS,
    ) -> None:
        """Create or update a village (merged_into: another village of the same commune)."""

        def work(conn: Connection) -> None:
            c, v = S.communes.c, S.villages.c
            commune_id = conn.execute(sa.select(c.id).where(c.name == commune)).scalar()
            if commune_id is None:
                commune_id = self._ensure_commune(conn, commune, user)
            village_id = self._ensure_village(conn, commune_id, commune, name, user)
            target = None
            if merged_into:
                target = conn.execute(
                    sa.select(v.id).where(v.commune_id == commune_id, v.name == merged_into)
                ).scalar()
                if target is None:
                    raise KeyError(f"no village {merged_into!r} in {commune!r}")
            before = conn.execute(
                sa.select(v.valid_from, v.valid_to, v.merged_into_id).where(v.id == village_id)
            ).one()
            after = (valid_from, valid_to, target)
            if tuple(before) != after:
                conn.execute(
                    sa.update(S.villages)
                    .where(v.id == village_id)
                    .values(valid_from=valid_from, valid_to=valid_to, merged_into_id=target)
                )
                self._audit(
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
                        },
                    },
                )

        self._write(work)

    # --- criteria sets -------------------------------------------------------------------
    def save_criteria_set(
        self, doc: CriteriaSet, user: str = ANONYMOUS, based_on: str | None = None
    ) -> int:
        """Store a user-imported or edited set as its next revision; returns the revision.

        Saving a document identical to the latest revision creates nothing and returns it.
        """
        return self._write(lambda conn: self.insert_criteria_set(conn, doc, user, based_on))

    def insert_criteria_set(
        self, conn: Connection, doc: CriteriaSet, user: str, based_on: str | None
    ) -> int:
        """`save_criteria_set` inside the caller's write transaction (ntm.storage.drafts)."""
        document = doc.model_dump(mode="json", exclude={"revision"})
        cs = S.criteria_sets.c
        latest = conn.execute(
            sa.select(cs.revision, cs.document)
            .where(cs.set_id == doc.id)
            .order_by(cs.revision.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.document == document:
            return int(latest.revision)
        revision = 1 if latest is None else int(latest.revision) + 1
        conn.execute(
            sa.insert(S.criteria_sets).values(
                set_id=doc.id,
                revision=revision,
                document=document,
                based_on=based_on,
                user_name=user,
                created_at=_now(),
            )
        )
        details: dict[str, Any] = {"revision": revision, "based_on": based_on}
        if latest is not None:
            changes = _diff(latest.document, document)
            details["changes"] = changes[:500]
            details["change_count"] = len(changes)
        action = "criteria_set.created" if latest is None else "criteria_set.revised"
        self._audit(conn, user, action, "criteria_set", doc.id, details)
        return revision

    def criteria_set(self, set_id: str, revision: int | None = None) -> CriteriaSet:
        """A stored set (latest revision unless given). KeyError if there is none."""
        cs = S.criteria_sets.c
        query = sa.select(cs.document, cs.revision).where(cs.set_id == set_id)
        if revision is not None:
            query = query.where(cs.revision == int(revision))
        query = query.order_by(cs.revision.desc()).limit(1)
        row = self._read(lambda conn: conn.execute(query).first())
        if row is None:
            raise KeyError(
                f"no stored criteria set {set_id!r}" + (f" revision {revision}" if revision else "")
            )
        return CriteriaSet.model_validate({**row.document, "revision": int(row.revision)})

    def criteria_sets(self) -> list[CriteriaSet]:
        """The latest revision of every stored set, by id."""
        cs = S.criteria_sets.c
        latest = (
            sa.select(cs.set_id, sa.func.max(cs.revision).label("revision"))
            .group_by(cs.set_id)
            .subquery()
        )
        query = (
            sa.select(cs.document, cs.revision)
            .join(latest, sa.and_(cs.set_id == latest.c.set_id, cs.revision == latest.c.revision))
            .order_by(cs.set_id)
        )
        rows = self._read(lambda conn: conn.execute(query).all())
        return [
            CriteriaSet.model_validate({**r.document, "revision": int(r.revision)}) for r in rows
        ]

    def reading_context(self) -> ReadingContext:
        """How a return is read against this database (see ReadingContext). Two small queries;
        stored sets are validated again only when a revision changed (imports stay fast)."""
        from ntm.village_sets import chosen_sets

        cs, c = S.criteria_sets.c, S.communes.c

        def signature(conn: Connection) -> tuple[Any, ...]:
            revisions = conn.execute(
                sa.select(cs.set_id, sa.func.max(cs.revision))
                .group_by(cs.set_id)
                .order_by(cs.set_id)
            ).all()
            chosen = conn.execute(
                sa.select(
                    c.name, c.criteria_set, c.village_criteria_sets, c.region, c.commune_group
                )
                .where(
                    sa.or_(
                        c.criteria_set.is_not(None),
                        c.village_criteria_sets.is_not(None),
                        c.region.is_not(None),
                        c.commune_group.is_not(None),
                    )
                )
                .order_by(c.name)
            ).all()
            a = S.unit_aliases.c
            aliases = conn.execute(
                sa.select(c.name, a.alias)
                .join(S.unit_aliases, a.commune_id == c.id)
                .where(c.name.in_([n for n, *_ in chosen]))
                .order_by(c.name, a.id)
            ).all()
            return (
                tuple((str(i), int(r)) for i, r in revisions),
                tuple((str(n), s, tuple(v or ()), reg, grp) for n, s, v, reg, grp in chosen),
                tuple((str(n), str(x)) for n, x in aliases),
            )

        revisions, chosen, aliases = self._read(signature)
        cached = self._context
        if cached is not None and cached.key == (revisions, chosen, aliases):
            return cached
        stored = (
            cached.extra_sets
            if cached is not None and cached.key[:1] == (revisions,)
            else tuple(self.criteria_sets())
        )
        self._context = ReadingContext(
            extra_sets=stored,
            commune_sets=tuple((n, s) for n, s, *_ in chosen if s),
            commune_village_sets=tuple(
                (n, tuple(chosen_sets(ids, stored))) for n, _, ids, *_ in chosen if ids
            ),
            commune_keys=tuple(
                (n, tuple((k, v) for k, v in (("region", reg), ("group", grp)) if v))
                for n, _, _, reg, grp in chosen
                if reg or grp
            ),
            key=(revisions, chosen, aliases),
            names=tuple(Entry(n, tuple(x for m, x in aliases if m == n)) for n, *_ in chosen),
        )
        return self._context

    def criteria_set_revisions(self, set_id: str | None = None) -> pd.DataFrame:
        """Every stored revision (set_id, revision, based_on, user, created_at), oldest first."""
        cs = S.criteria_sets.c
        query = sa.select(
            cs.set_id, cs.revision, cs.based_on, cs.user_name.label("user"), cs.created_at
        ).order_by(cs.set_id, cs.revision)
        if set_id is not None:
            query = query.where(cs.set_id == set_id)
        rows = self._read(lambda conn: conn.execute(query).all())
        frame = pd.DataFrame(
            [tuple(r) for r in rows],
            columns=["set_id", "revision", "based_on", "user", "created_at"],
        )
        frame["created_at"] = _utc_column(frame["created_at"])
        return frame

    # --- users ---------------------------------------------------------------------------
    def save_user(
        self, name: str, role: str, password_hash: str | None, user: str = ANONYMOUS
    ) -> None:
        """Create or update an account (the hash is made by the caller; never logged)."""

        def work(conn: Connection) -> None:
            us = S.users.c
            before = conn.execute(
                sa.select(us.role, us.password_hash).where(us.name == name)
            ).first()
            now = _now()
            if before is None:
                conn.execute(
                    sa.insert(S.users).values(
                        name=name,
                        role=role,
                        password_hash=password_hash,
                        created_at=now,
                        updated_at=now,
                    )
                )
                self._audit(conn, user, "user.created", "user", name, {"after": {"role": role}})
                return
            if before.role == role and before.password_hash == password_hash:
                return
            conn.execute(
                sa.update(S.users)
                .where(us.name == name)
                .values(role=role, password_hash=password_hash, updated_at=now)
            )
            self._audit(
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
        out["created_at"], out["updated_at"] = _utc(row.created_at), _utc(row.updated_at)
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
            frame[col] = _utc_column(frame[col])
        return frame

    def delete_user(self, name: str, user: str = ANONYMOUS) -> bool:
        def work(conn: Connection) -> bool:
            us = S.users.c
            role = conn.execute(sa.select(us.role).where(us.name == name)).scalar()
            if role is None:
                return False
            conn.execute(sa.delete(S.users).where(us.name == name))
            self._audit(conn, user, "user.deleted", "user", name, {"before": {"role": role}})
            return True

        return self._write(work)

    # --- failed logins (the throttle of ntm.auth) ----------------------------------------
    # In the database, not in a process: every app instance on a shared database sees the
    # same count. The table holds one window's worth: older rows go as new ones come.
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
