"""Reading stored values into the tidy frame (`Store.current_values`, `Store.revision_values`):
a province's current values (≈ 175k for 100 communes × 25 villages × 5 years) in two queries
and a few array operations, with no work per value in Python beyond receiving it (issue 17).

- The current revision of each unit is chosen in SQL (the latest number not deleted, a window
  function), never in Python.
- What a revision gives every one of its values (commune, village, period, file, upload,
  revision number) is read once per revision, by a small query ordered as the frame is
  (commune, period, village with the commune-wide unit first); each value row carries only its
  revision's id and its own fields, and the revision's fields are spread over its rows by index.
  Per row that halves what the database sends and Python receives.
- The value rows are the driver's tuples (no SQLAlchemy row per value); the text columns are
  built as object arrays with None for missing (the values frame's
  dtypes, `ntm.values`), so pandas neither infers a string dtype nor converts it back.
- Both queries read one snapshot: SQLite's read transaction holds one, PostgreSQL reads at
  REPEATABLE READ (at its default, READ COMMITTED, an import committed between the two queries
  could make a revision current whose unit the first query did not see).

Measured in bench/run.py (`province_read_ratio`: this read against a bare `pandas.read_sql` of
the same rows, same joins, same current-revision filter): about 0.8 of the floor on SQLite,
where the row-by-row frame built from SQLAlchemy rows took 1.3 times it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ntm.storage import schema as S
from ntm.values import VALUE_COLUMNS

STORED_COLUMNS = [*VALUE_COLUMNS, "upload_id", "revision_id", "revision"]

# What a value row carries (its revision's fields come from the revision query).
_VALUE_FIELDS = ("revision_id", "id", "code", "value", "numerator", "denominator", "note",
                 "self_assessed", "sheet", "cell")  # fmt: skip
_TEXT = ("code", "note", "sheet", "cell")
_NUMBER = ("value", "numerator", "denominator", "self_assessed")


def current_revision_ids(
    commune_ids: Sequence[int] | None = None, period: int | None = None
) -> sa.Select[Any]:
    """The ids of the current revisions (latest number, not deleted, per commune, village and
    period), of `commune_ids` and of `period` when given."""
    r = S.revisions.c
    ranked = sa.select(
        r.id,
        sa.func.row_number()
        .over(partition_by=(r.commune_id, r.village_id, r.period), order_by=r.number.desc())
        .label("rn"),
    ).where(r.deleted_at.is_(None))
    if commune_ids is not None:
        ranked = ranked.where(r.commune_id.in_(list(commune_ids)))
    if period is not None:
        ranked = ranked.where(r.period == int(period))
    sub = ranked.subquery()
    return sa.select(sub.c.id).where(sub.c.rn == 1)


def one_snapshot(conn: Connection) -> None:
    """Make the reads of `conn` (not yet begun) see one snapshot (see the module)."""
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="REPEATABLE READ")


def read_values(conn: Connection, revision_ids: sa.Select[Any] | Sequence[int]) -> pd.DataFrame:
    """The values of the revisions `revision_ids` (a select of ids, or ids) as the tidy frame
    plus upload_id/revision_id/revision (STORED_COLUMNS), ordered by commune, period, village
    (the commune-wide unit first) and then as stored."""
    r, v, c, vil, u = S.revisions, S.indicator_values, S.communes, S.villages, S.uploads
    chosen = r.c.id.in_(revision_ids)
    revisions = conn.execute(
        sa.select(r.c.id, c.c.name, vil.c.name, r.c.period, u.c.filename, r.c.upload_id, r.c.number)
        .select_from(
            r.join(c, r.c.commune_id == c.c.id)
            .outerjoin(vil, r.c.village_id == vil.c.id)
            .join(u, r.c.upload_id == u.c.id)
        )
        .where(chosen)
        .order_by(c.c.name, r.c.period, sa.nulls_first(vil.c.name), r.c.id)
    ).all()
    result = conn.execute(
        sa.select(*(v.c[name] for name in _VALUE_FIELDS)).where(v.c.revision_id.in_(revision_ids))
    )
    # The driver's own tuples: these columns (integers, text, floats) need no conversion by
    # SQLAlchemy, and making a Row of each of a province's values cost a tenth of the read.
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return _frame(revisions, rows)


def _frame(revisions: Sequence[Any], rows: Sequence[Any]) -> pd.DataFrame:
    n = len(rows)
    columns = dict(zip(_VALUE_FIELDS, zip(*rows, strict=True), strict=True)) if n else {}
    rev_ids = np.fromiter((x[0] for x in revisions), dtype=np.int64, count=len(revisions))
    of_row = np.fromiter(columns.get("revision_id", ()), dtype=np.int64, count=n)
    # Each row's revision, as its position in `revisions` (ordered as the frame is).
    by_id = np.argsort(rev_ids, kind="stable")
    where = by_id[np.searchsorted(rev_ids, of_row, sorter=by_id)] if n else of_row
    ids = np.fromiter(columns.get("id", ()), dtype=np.int64, count=n)
    order = np.lexsort((ids, where))
    where = where[order]

    def revision_field(i: int, dtype: Any) -> np.ndarray:
        return np.array([x[i] for x in revisions], dtype=dtype)[where]

    def text(name: str) -> np.ndarray:
        return np.array(columns.get(name, ()), dtype=object)[order]

    def number(name: str) -> np.ndarray:  # None → NaN
        return np.array(columns.get(name, ()), dtype=np.float64)[order]

    arrays: dict[str, np.ndarray] = {
        "commune": revision_field(1, object),
        "village": revision_field(2, object),
        "period": revision_field(3, np.int64),
        **{name: text(name) for name in _TEXT},
        **{name: number(name) for name in _NUMBER},
        "file": revision_field(4, object),
        "upload_id": revision_field(5, np.int64),
        "revision_id": of_row[order],
        "revision": revision_field(6, np.int64),
    }
    # pd.Series with the dtype given: object columns stay objects (None for missing).
    return pd.DataFrame(
        {name: pd.Series(arrays[name], dtype=arrays[name].dtype) for name in STORED_COLUMNS}
    )
