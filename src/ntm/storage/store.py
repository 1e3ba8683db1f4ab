"""The `Store`: every upload kept, revisions per (commune, village, period), and an audit log.

Rules (DESIGN §6, issues 4 and 13), each stated where it is kept:

- imports (`ntm.storage.imports`): every upload kept; the same bytes recognised; a file with
  errors stored as refused; names matched to the register first (held when unknown);
- revisions (`ntm.storage.revisions`, written by `ntm.storage.writes`): a later upload for the
  same unit is a new revision, never an overwrite; restore and delete;
- transactions (`ntm.storage.transactions`): every write is one transaction, retried from the
  start by one policy when it lost a race;
- audit (`ntm.storage.audit`): every change writes an append-only `audit_log` row;
- uploads, communes and villages, criteria sets, users, the register of units: the modules of
  the same names (`ntm.storage.units` for the register, `ntm.storage.plans` for what a
  re-upload replaces or carries, `ntm.storage.merges` for merging and renaming units).

`Store` is those parts put together; `ntm.storage` exports it and the models
(`ntm.storage.models`).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from ntm.storage.communes import CommunesMixin
from ntm.storage.engine import database_url, make_engine, migrate
from ntm.storage.imports import ImportsMixin, Reader
from ntm.storage.models import ReadingContext
from ntm.storage.revisions import RevisionsMixin
from ntm.storage.uploads import UploadsMixin
from ntm.storage.users import UsersMixin


class Store(ImportsMixin, RevisionsMixin, UploadsMixin, CommunesMixin, UsersMixin):
    """The application's database. `Store(url)`; call `migrate()` once before use."""

    def __init__(
        self, url: str | None = None, *, reader: Reader | None = None, engine: Engine | None = None
    ) -> None:
        self.url = database_url(url)
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
