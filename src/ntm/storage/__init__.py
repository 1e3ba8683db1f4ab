"""Storage (DESIGN §6): every upload kept, revisions, audit; SQLite by default, any SQLAlchemy URL.

    store = Store()            # NTM_DATABASE_URL, else data/ntm.db
    store.migrate()
    outcome = store.import_bytes(data, "xa-2024.xlsx", user="lan")
    values = store.current_values(commune="Dương Quang", period=2024)

`Store` (`ntm.storage.store`) is put together from one module per duty: imports, writes
(revision writing), revisions, uploads, communes (and villages), units (the register), plans
(what a re-upload replaces or carries), merges, criteria_sets, drafts (annex drafts), users,
audit and transactions (the retry policy); `models` holds what they take and give, `common`
small helpers, `engine` the connection, URLs and migrations, `schema` the tables.
"""

from ntm.storage.engine import default_url, make_engine, migrate
from ntm.storage.models import (
    ACCEPTED,
    ANY,
    DUPLICATE,
    HELD,
    REFUSED,
    CommuneProfile,
    ImportOutcome,
    ReadingContext,
    RevisionRef,
    Village,
    problem_from_dict,
    problem_to_dict,
)
from ntm.storage.plans import REPLACE, UPDATE, UnitPlan
from ntm.storage.store import Store
from ntm.storage.writes import TEST_PAUSE_ENV

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
