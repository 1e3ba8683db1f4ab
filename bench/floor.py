"""Baselines ("floors") the benchmark compares our code with, measured in the same run.

- `assess_floor` is the least work that computes the same thresholds: one merge of every value
  with its threshold, one vectorised comparison, one group-by per level. It skips everything our
  engine adds on top (village → commune aggregation, parts, missing/unknown states, gaps,
  conditional rules, blockers, provenance), so our time over its time is the price of those
  rules.
- `read_floor` is a bare `python-calamine` read of every sheet of a workbook: the cells, no
  meaning. Our reader adds headers, codes, numbers, yes/no, percent formats, problems.
- `province_read_floor` reads every current value with `pandas.read_sql` of one plain query
  (the same joins and current-revision filter as `Store.current_values`, no order).
- `store_floor` inserts a return's value rows into one plain table in one transaction: what
  any database import must pay, without uploads, revisions, audit or checks.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from python_calamine import CalamineWorkbook

from ntm.criteria import CriteriaSet, pick_threshold


def threshold_table(crit: CriteriaSet, keys: Sequence[str], year: int) -> pd.DataFrame:
    rows = []
    for criterion, ind in crit.indicators():
        for part in ind.measured:
            for key in keys:
                rule = pick_threshold(part.thresholds, key, year)
                value = rule.value if rule is not None else None
                rows.append(
                    {
                        "code": part.code,
                        "key": key,
                        "period": year,
                        "criterion": criterion.number,
                        "direction": part.direction,
                        "threshold": float(value) if value is not None else np.nan,
                    }
                )
    return pd.DataFrame(rows)


def assess_floor(values: pd.DataFrame, crit: CriteriaSet, keys: Mapping[str, str]) -> pd.DataFrame:
    """Criteria met per (commune, village, period): value vs threshold, all-of per criterion."""
    key_ids = sorted(set(keys.values()))
    years = sorted(int(y) for y in values["period"].unique())
    table = pd.concat([threshold_table(crit, key_ids, y) for y in years], ignore_index=True)
    frame = values[["commune", "village", "period", "code", "value"]].copy()
    frame["key"] = frame["commune"].map(keys)
    frame = frame.merge(table, on=["code", "key", "period"], how="inner")
    ge = frame["value"].to_numpy() >= frame["threshold"].to_numpy()
    le = frame["value"].to_numpy() <= frame["threshold"].to_numpy()
    eq = frame["value"].to_numpy() == frame["threshold"].to_numpy()
    direction = frame["direction"].to_numpy()
    frame["met"] = np.where(direction == ">=", ge, np.where(direction == "<=", le, eq))
    frame["village"] = frame["village"].fillna("")
    per_criterion = frame.groupby(["commune", "village", "period", "criterion"], sort=False)[
        "met"
    ].all()
    return per_criterion.groupby(level=[0, 1, 2], sort=False).sum().reset_index()


def read_floor(data: bytes) -> list[list[list[Any]]]:
    """Every cell of every sheet, as python-calamine gives them."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]


FLOOR_TABLE = "bench_floor_values"


def store_floor_setup(engine: sa.Engine) -> sa.Table:
    meta = sa.MetaData()
    table = sa.Table(
        FLOOR_TABLE,
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commune", sa.Text, nullable=False),
        sa.Column("village", sa.Text),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("numerator", sa.Float),
        sa.Column("denominator", sa.Float),
    )
    meta.create_all(engine)
    return table


def store_floor(engine: sa.Engine, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """One return's values in one transaction (executemany)."""
    with engine.begin() as conn:
        conn.execute(sa.insert(table), rows)


# The current values of every unit, as plainly as SQL gives them: the same joins and the same
# current-revision filter (latest number not deleted per commune, village and period) as
# `Store.current_values`, no order, read by pandas.
CURRENT_VALUES_SQL = """
SELECT c.name AS commune, vil.name AS village, r.period, v.code, v.value, v.numerator,
       v.denominator, v.note, v.self_assessed, u.filename AS file, v.sheet, v.cell,
       r.upload_id, r.id AS revision_id, r.number AS revision
FROM indicator_values v
JOIN (SELECT id, commune_id, village_id, period, number, upload_id,
             row_number() OVER (PARTITION BY commune_id, village_id, period
                                ORDER BY number DESC) AS rn
      FROM revisions WHERE deleted_at IS NULL) r ON v.revision_id = r.id AND r.rn = 1
JOIN communes c ON r.commune_id = c.id
LEFT JOIN villages vil ON r.village_id = vil.id
JOIN uploads u ON r.upload_id = u.id
"""


def province_read_floor(engine: sa.Engine) -> pd.DataFrame:
    """Every current value of the database, `pandas.read_sql` of one plain query."""
    with engine.connect() as conn:
        return pd.read_sql(sa.text(CURRENT_VALUES_SQL), conn)
