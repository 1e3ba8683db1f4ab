"""Small helpers shared by the storage modules: the time, JSON-safe copies, missing values and
timestamps as UTC (SQLite gives naive UTC, PostgreSQL aware)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def clean(obj: Any) -> Any:
    """A JSON-safe copy: NaN → None, numpy scalars → Python, dates → ISO text."""
    if isinstance(obj, Mapping):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [clean(v) for v in obj]
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if hasattr(obj, "item"):  # numpy scalar
        return clean(obj.item())
    return str(obj)


def missing(value: Any) -> bool:
    """None, NaN, pd.NA or NaT (text and whole numbers never are)."""
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


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A timestamp as the database gave it, made aware (naive ones are UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def utc_column(values: Iterable[Any]) -> pd.Series:
    """Timestamps as a UTC datetime column."""
    return pd.to_datetime(pd.Series([utc(x) for x in values], dtype="object"), utc=True)
