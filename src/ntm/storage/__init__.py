"""Storage (DESIGN §6): every upload kept, revisions, audit; SQLite by default, any SQLAlchemy URL.

    store = Store()            # NTM_DATABASE_URL, else data/ntm.db
    store.migrate()
    outcome = store.import_bytes(data, "xa-2024.xlsx", user="lan")
    values = store.current_values(commune="Dương Quang", period=2024)

See `ntm.storage.store` for the rules and `ntm.storage.schema` for the tables.
"""

from ntm.storage.engine import default_url, make_engine, migrate
from ntm.storage.store import (
    ACCEPTED,
    ANY,
    DUPLICATE,
    HELD,
    REFUSED,
    TEST_PAUSE_ENV,
    CommuneProfile,
    ImportOutcome,
    ReadingContext,
    RevisionRef,
    Store,
    Village,
    problem_from_dict,
    problem_to_dict,
)
from ntm.storage.units import REPLACE, UPDATE, UnitPlan

__all__ = [
    "ACCEPTED",
    "ANY",
    "DUPLICATE",
    "HELD",
    "REFUSED",
    "REPLACE",
    "TEST_PAUSE_ENV",
    "UPDATE",
    "CommuneProfile",
    "ImportOutcome",
    "ReadingContext",
    "RevisionRef",
    "Store",
    "UnitPlan",
    "Village",
    "default_url",
    "make_engine",
    "migrate",
    "problem_from_dict",
    "problem_to_dict",
]
