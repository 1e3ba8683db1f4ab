"""Small helpers shared by the storage modules: the time, JSON-safe copies, audit rows."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any


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


def audit_row(
    user: str, action: str, entity: str, entity_id: object, details: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "at": now(),
        "user_name": user,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "details": clean(details),
    }
