"""The database tables (SQLAlchemy Core). The migrations in `ntm/migrations` create them.

This module describes the *current* schema for queries; a migration never imports it (a
migration is a frozen record of one change). `tests/test_storage.py` checks that the migrated
database and this metadata agree.

- `communes`: one row per commune, with its region (Decision 318) or group (Decision 51/2025),
  the criteria set in force for it (null: the set for the year), the province village sets it
  follows, validity dates and
  `merged_into` (Dương Quang and Đôn Phong → Phong Quang on 1 Jul 2025: their history is
  found under Phong Quang).
  `code` is the official administrative unit code (mã đơn vị hành chính), unique when given.
- `villages`: one row per village of a commune, with validity dates, `merged_into` (another
  village of the same commune) and `came_from` (after a merger of communes, the predecessor
  commune's village it continues: Phong Quang's Bản Giềng came from Dương Quang's).
- `unit_aliases`: other spellings of a commune's or a village's name that the register accepts
  (ntm.register): each row names exactly one commune or one village, `how` it was learnt
  (folded, near, map, rename, merge) and who added it.
- `uploads`: every file ever received: original bytes, name, sha256 (unique: the same file is
  recognised), size, who, when, accepted/refused, its problems and what it says about itself.
- `revisions`: one row per (commune, village, period) version; `number` counts 1, 2, 3 … per
  unit; the current revision of a unit is the highest number not deleted.
- `indicator_values`: the values of a revision, each with the sheet and cell it came from;
  `carried_from_id` is the revision a value was carried over from when an upload only updated
  the values it carries (ntm.storage.units).
  (Not named `values`, an SQL key word that every hand-written query would have to quote.)
- `criteria_sets`: user-imported or edited criteria sets, one row per revision (JSON document).
- `criteria_drafts`: a criteria set read from a decision's annex table (ntm.annex), one row per
  import: the original document, its sha256, the draft (every threshold beside its source text)
  and its state: `draft` until an admin approves it (`approved`: who, when, the criteria-set
  revision it became) or a later import of the same set id replaces it (`superseded`). Nothing
  judges with a draft.
- `users`: accounts (the password hash is computed elsewhere).
- `audit_log`: append-only (a trigger refuses UPDATE and DELETE) record of every change.
- `login_failures`: failed logins within the throttle's window (`ntm.auth`), one row each, the
  name as typed (known or not); shared by every app instance on the database, pruned as it
  grows. Not audited: a failed login changes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

Timestamp = sa.DateTime(timezone=True)

communes = sa.Table(
    "communes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("code", sa.String(20)),
    sa.Column("region", sa.String(50)),
    sa.Column("commune_group", sa.String(50)),
    # The evidence for the group (Decision 51/2025/QĐ-TTg), e.g. the decision that classifies the
    # commune as khu vực III; and the province it belongs to (communes report to it directly
    # since 1 Jul 2025).
    sa.Column("group_evidence", sa.Text),
    sa.Column("province", sa.String(100)),
    sa.Column("criteria_set", sa.String(100)),
    # Ids of the province village (thôn) sets it follows, e.g. ["vn-bac-kan-thon-2021-2025"]
    # (ntm.village_sets); null: none.
    sa.Column("village_criteria_sets", sa.JSON(none_as_null=True)),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
    sa.Column("merged_into_id", sa.Integer, sa.ForeignKey("communes.id")),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Index("uq_communes_code", "code", unique=True),
)

villages = sa.Table(
    "villages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("commune_id", sa.Integer, sa.ForeignKey("communes.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
    sa.Column("merged_into_id", sa.Integer, sa.ForeignKey("villages.id")),
    sa.Column("created_at", Timestamp, nullable=False),
    # The predecessor commune's village this one continues after a merger of communes
    # (migration 0008).
    sa.Column(
        "came_from_id",
        sa.Integer,
        sa.ForeignKey("villages.id", name="fk_villages_came_from_id_villages"),
    ),
    sa.UniqueConstraint("commune_id", "name", name="uq_villages_commune_name"),
)

uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("filename", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    # Null only for a refused file too large to keep (its sha256 and size are kept).
    sa.Column("content", sa.LargeBinary),
    sa.Column("user_name", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("commune", sa.String(200)),
    sa.Column("period", sa.Integer),
    sa.Column("value_count", sa.Integer, nullable=False),
    sa.Column("problems", sa.JSON, nullable=False),
    sa.Column("meta", sa.JSON, nullable=False),
    sa.CheckConstraint("status IN ('accepted', 'refused')", name="ck_uploads_status"),
)

revisions = sa.Table(
    "revisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("commune_id", sa.Integer, sa.ForeignKey("communes.id"), nullable=False),
    sa.Column("village_id", sa.Integer, sa.ForeignKey("villages.id")),
    sa.Column("period", sa.Integer, nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
    sa.Column("restored_from_id", sa.Integer, sa.ForeignKey("revisions.id")),
    sa.Column("value_count", sa.Integer, nullable=False),
    sa.Column("user_name", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("deleted_at", Timestamp),
    sa.Column("deleted_by", sa.String(200)),
    # Revision numbers are unique per unit. A NULL village would make a plain unique
    # constraint useless (NULLs are distinct), hence one partial index per case.
    sa.Index(
        "uq_revisions_commune_unit",
        "commune_id",
        "period",
        "number",
        unique=True,
        sqlite_where=sa.text("village_id IS NULL"),
        postgresql_where=sa.text("village_id IS NULL"),
    ),
    sa.Index(
        "uq_revisions_village_unit",
        "commune_id",
        "village_id",
        "period",
        "number",
        unique=True,
        sqlite_where=sa.text("village_id IS NOT NULL"),
        postgresql_where=sa.text("village_id IS NOT NULL"),
    ),
    sa.Index("ix_revisions_upload", "upload_id"),
    # An import's lookup of a commune's revisions for some periods, both kinds of unit
    # (migration 0009: the partial indexes above do not serve it on PostgreSQL).
    sa.Index("ix_revisions_commune_period", "commune_id", "period"),
)

indicator_values = sa.Table(
    "indicator_values",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("revision_id", sa.Integer, sa.ForeignKey("revisions.id"), nullable=False),
    sa.Column("code", sa.String(50), nullable=False),
    sa.Column("value", sa.Double),
    sa.Column("numerator", sa.Double),
    sa.Column("denominator", sa.Double),
    sa.Column("note", sa.Text),
    # The office's own verdict beside the value ("Tự đánh giá"): 1 met, 0 not met, null none.
    sa.Column("self_assessed", sa.Double),
    sa.Column("sheet", sa.String(200)),
    sa.Column("cell", sa.String(20)),
    # Not a foreign key: added to a table that may hold millions of rows, where SQLite could
    # only add the constraint by copying the table.
    sa.Column("carried_from_id", sa.Integer),
    sa.UniqueConstraint("revision_id", "code", name="uq_indicator_values_revision_code"),
)

unit_aliases = sa.Table(
    "unit_aliases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("commune_id", sa.Integer, sa.ForeignKey("communes.id")),
    sa.Column("village_id", sa.Integer, sa.ForeignKey("villages.id")),
    sa.Column("alias", sa.String(200), nullable=False),
    sa.Column("how", sa.String(20), nullable=False),
    sa.Column("user_name", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.CheckConstraint(
        "(commune_id IS NULL) <> (village_id IS NULL)", name="ck_unit_aliases_one_unit"
    ),
    sa.UniqueConstraint("commune_id", "alias", name="uq_unit_aliases_commune"),
    sa.UniqueConstraint("village_id", "alias", name="uq_unit_aliases_village"),
)

criteria_sets = sa.Table(
    "criteria_sets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("set_id", sa.String(100), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("based_on", sa.String(100)),
    sa.Column("user_name", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("set_id", "revision", name="uq_criteria_sets_set_revision"),
)

criteria_drafts = sa.Table(
    "criteria_drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("set_id", sa.String(100), nullable=False),
    sa.Column("based_on", sa.String(100), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("filename", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("user_name", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Column("approved_by", sa.String(200)),
    sa.Column("approved_at", Timestamp),
    sa.Column("criteria_revision", sa.Integer),
    sa.CheckConstraint(
        "state IN ('draft', 'approved', 'superseded')", name="ck_criteria_drafts_state"
    ),
    sa.Index("ix_criteria_drafts_set_state", "set_id", "state"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(500)),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", Timestamp, nullable=False),
    sa.Column("user_name", sa.String(200), nullable=False),
    sa.Column("action", sa.String(50), nullable=False),
    sa.Column("entity", sa.String(50), nullable=False),
    sa.Column("entity_id", sa.String(200), nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Index("ix_audit_log_entity", "entity", "entity_id"),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_name", sa.String(200), nullable=False),
    sa.Column("at", Timestamp, nullable=False),
    sa.Index("ix_login_failures_name_at", "user_name", "at"),
    sa.Index("ix_login_failures_at", "at"),
)

TABLES = [
    communes,
    villages,
    uploads,
    revisions,
    indicator_values,
    unit_aliases,
    criteria_sets,
    criteria_drafts,
    users,
    audit_log,
    login_failures,
]
