"""Storage (issue 4, DESIGN §6): every upload kept, revisions, restore, audit, on SQLite and
PostgreSQL. Each test states the rule it checks; `store` runs it on both databases."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from storage_fixtures import (
    CODES,
    count,
    json_reader,
    make_return,
)

# pytest fixtures, requested by name:
from storage_fixtures import db_url as _db_url  # noqa: F401
from storage_fixtures import fresh_db_url as _fresh_db_url  # noqa: F401
from storage_fixtures import pg_session_url as _pg_session_url  # noqa: F401
from storage_fixtures import store as _store  # noqa: F401

from ntm import paths
from ntm.errors import Code, Problem
from ntm.paths import data_dir as real_data_dir  # imported before conftest redirects it
from ntm.storage import ACCEPTED, DUPLICATE, REFUSED, CommuneProfile, Store
from ntm.storage import engine as engine_mod
from ntm.storage import imports as imports_mod
from ntm.storage import writes as writes_mod
from ntm.storage.schema import TABLES, metadata
from ntm.values import VALUE_COLUMNS, ReadResult, ReturnMeta, make_values

ROOT = Path(__file__).resolve().parents[1]

# --- schema and connection ---------------------------------------------------------------


def test_migrations_build_exactly_the_schema_the_code_queries(fresh_db_url: str) -> None:
    """Migrating an empty database gives the tables of `schema.py`, and again is a no-op."""
    s = Store(fresh_db_url).migrate()
    try:
        s.migrate()
        with s.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
            head = MigrationContext.configure(conn).get_current_revision()
            tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert head == engine_mod.head_revision()
        assert tables == {t.name for t in TABLES}
        assert "login_failures" in tables  # issue 14: the login throttle lives here
    finally:
        s.close()


def test_the_login_failures_migration_goes_up_and_down(fresh_db_url: str) -> None:
    """Revision 0003 adds the table of failed logins on top of 0002, and removes it again."""
    from alembic import command

    s = Store(fresh_db_url)
    try:
        cfg = engine_mod.alembic_config(fresh_db_url)
        command.upgrade(cfg, "0002")
        assert "login_failures" not in sa.inspect(s.engine).get_table_names()
        command.upgrade(cfg, "0003")
        assert "login_failures" in sa.inspect(s.engine).get_table_names()
        command.downgrade(cfg, "0002")
        assert "login_failures" not in sa.inspect(s.engine).get_table_names()
    finally:
        s.close()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    s = Store(f"sqlite:///{tmp_path / 'x.db'}").migrate()
    try:
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert (conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 10_000
    finally:
        s.close()


def test_default_url_is_the_environment_variable_else_the_default_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NTM_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert engine_mod.default_url() == "postgresql+psycopg://u@h/db"
    monkeypatch.delenv("NTM_DATABASE_URL")
    assert engine_mod.default_url() == f"sqlite:///{paths.data_dir() / 'ntm.db'}"


def test_the_default_database_is_data_ntm_db_in_a_checkout_else_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`make run` in a checkout uses data/ntm.db (README); an installed package never writes
    into site-packages but into the user's data folder (platformdirs; XDG on Linux)."""
    assert real_data_dir() == ROOT / "data"
    monkeypatch.setattr(paths, "PACKAGE_DIR", tmp_path / "lib" / "site-packages" / "ntm")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert real_data_dir() == tmp_path / "xdg" / "ntm"


def test_tests_never_open_the_checkouts_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs on temporary databases (tests/conftest.py): the app's URL, and the default
    file used when a test unsets it, both lie outside the checkout."""
    named = sa.engine.make_url(os.environ["NTM_DATABASE_URL"]).database
    assert named and not Path(named).resolve().is_relative_to(ROOT)
    monkeypatch.delenv("NTM_DATABASE_URL")
    default = sa.engine.make_url(engine_mod.default_url()).database
    assert default and not Path(default).resolve().is_relative_to(ROOT)


def test_the_audit_log_is_append_only(store: Store) -> None:
    """The database itself refuses to change or delete an audit row."""
    store.import_bytes(make_return(), "a.json", user="lan")
    for statement in ("UPDATE audit_log SET user_name = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert set(store.audit(None)["user"]) == {"lan"}


# --- importing ---------------------------------------------------------------------------


def test_an_accepted_return_becomes_one_revision_per_unit_with_every_value(store: Store) -> None:
    data = make_return(villages=(None, "Bản Giềng"), seed=3)
    outcome = store.import_bytes(data, "duong-quang-2024.json", user="lan")

    assert outcome.status == ACCEPTED and not outcome.refused and outcome.problems == []
    assert [tuple(r)[:4] for r in outcome.revisions] == [
        ("Dương Quang", None, 2024, 1),
        ("Dương Quang", "Bản Giềng", 2024, 1),
    ]
    stored = store.current_values()
    expected = json_reader(data, "duong-quang-2024.json").values
    pd.testing.assert_frame_equal(
        stored[VALUE_COLUMNS]
        .sort_values(["village", "code"], na_position="first")
        .reset_index(drop=True),
        expected.sort_values(["village", "code"], na_position="first").reset_index(drop=True),
    )
    assert set(stored["upload_id"]) == {outcome.upload_id}
    assert outcome.upload_id is not None
    assert set(stored["revision"]) == {1}
    assert store.original(outcome.upload_id) == ("duong-quang-2024.json", data)
    upload = store.uploads().iloc[0]
    assert upload["sha256"] == hashlib.sha256(data).hexdigest()
    assert (upload["size"], upload["user"], upload["status"]) == (len(data), "lan", ACCEPTED)
    assert (upload["commune"], upload["period"], upload["value_count"]) == ("Dương Quang", 2024, 10)
    actions = list(store.audit(None)["action"])[::-1]
    assert actions == [
        "upload.accepted",
        "commune.created",
        "village.created",
        "revision.created",
        "revision.created",
    ]
    assert store.keys() == {"Dương Quang": {"region": "tdmnpb"}}


def test_the_same_bytes_again_are_recognised_and_create_nothing(store: Store) -> None:
    data = make_return()
    first = store.import_bytes(data, "a.json", user="lan")
    before = {t: count(store, t) for t in ("uploads", "revisions", "indicator_values", "audit_log")}
    again = store.import_bytes(data, "a-copy.json", user="minh")
    assert (again.status, again.duplicate_of, again.upload_id) == (
        DUPLICATE,
        first.upload_id,
        first.upload_id,
    )
    assert again.revisions == [] and not again.refused
    after = {t: count(store, t) for t in before}
    assert after == before


def test_a_file_with_errors_is_kept_as_refused_with_no_values(store: Store) -> None:
    """Refused: bytes and problems kept, no values, no revisions; the same file again stays
    refused; `keep_refused=False` stores nothing at all."""
    data = make_return(error=True)
    outcome = store.import_bytes(data, "bad.json", user="lan")
    assert outcome.status == REFUSED and outcome.refused and outcome.upload_id is not None
    assert [p.code for p in outcome.problems] == [Code.PERCENT_OUT_OF_RANGE]
    assert (count(store, "revisions"), count(store, "indicator_values")) == (0, 0)
    assert store.original(outcome.upload_id) == ("bad.json", data)
    assert store.upload_problems(outcome.upload_id) == outcome.problems
    row = store.uploads(status=REFUSED).iloc[0]
    assert (row["errors"], row["value_count"], row["revisions"]) == (1, 0, 0)
    assert store.audit(1)["action"].tolist() == ["upload.refused"]

    again = store.import_bytes(data, "bad.json", user="lan")
    assert again.status == DUPLICATE and again.refused and again.problems == outcome.problems

    other = make_return(error=True, nonce="other")
    unsaved = store.import_bytes(other, "bad2.json", user="lan", keep_refused=False)
    assert unsaved.refused and unsaved.upload_id is None
    assert count(store, "uploads") == 1


def test_a_file_refused_for_its_size_keeps_no_bytes(store: Store) -> None:
    data = b"x" * 1000
    result = ReadResult(
        "big.xlsx",
        make_values([]),
        [Problem(Code.FILE_TOO_LARGE, file="big.xlsx", params={"size": 1, "limit": 1})],
        ReturnMeta(),
    )
    outcome = store.import_bytes(data, "big.xlsx", user="lan", read_result=result)
    assert outcome.refused and outcome.upload_id is not None
    assert store.original(outcome.upload_id) == ("big.xlsx", b"")
    row = store.uploads().iloc[0]
    assert (row["size"], bool(row["kept"])) == (1000, False)


def test_values_the_database_cannot_hold_refuse_the_file(store: Store) -> None:
    """A read result without commune, or with one code twice for a unit, is refused."""
    rows: list[dict[str, object]] = [
        {"commune": "A", "period": 2024, "code": "2.1", "value": 1.0, "cell": "D5"},
        {"commune": "A", "period": 2024, "code": "2.1", "value": 2.0, "cell": "D6"},
        {"commune": None, "period": 2024, "code": "2.2", "value": 2.0, "cell": "D7"},
    ]
    result = ReadResult("x.xlsx", make_values(rows), [], ReturnMeta(commune="A", period=2024))
    outcome = store.import_bytes(b"twice", "x.xlsx", user="lan", read_result=result)
    assert outcome.refused
    assert {(p.code, p.cell) for p in outcome.problems} == {
        (Code.DUPLICATE_CODE, "D6"),
        (Code.MISSING_COMMUNE, "D7"),
    }
    assert all(p.message() for p in outcome.problems)
    assert count(store, "indicator_values") == 0


def test_warnings_are_stored_with_the_upload_and_reported_with_its_values(store: Store) -> None:
    outcome = store.import_bytes(make_return(warning=True), "w.json", user="lan")
    assert outcome.status == ACCEPTED
    assert [p.code for p in outcome.problems] == [Code.UNKNOWN_INDICATOR]
    assert store.current_problems() == outcome.problems
    assert store.current_problems()[0].params == outcome.problems[0].params


def test_a_failure_in_the_middle_of_an_import_leaves_nothing_behind(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error after the values were inserted (here: at the test hook) rolls it all back."""

    def failing() -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(writes_mod, "_test_pause", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        store.import_bytes(make_return(villages=(None, "Nà Rào")), "a.json", user="lan")
    for table in ("uploads", "communes", "villages", "revisions", "indicator_values", "audit_log"):
        assert count(store, table) == 0, table


# --- revisions ---------------------------------------------------------------------------


def test_a_later_upload_for_the_same_unit_is_a_new_revision_never_an_overwrite(
    store: Store,
) -> None:
    first = store.import_bytes(make_return(seed=1), "v1.json", user="lan")
    second = store.import_bytes(make_return(seed=2), "v2.json", user="minh")
    assert [r.number for r in second.revisions] == [2]

    current = store.current_values()
    assert set(current["revision"]) == {2} and set(current["upload_id"]) == {second.upload_id}
    old = store.revision_values(first.revisions[0].id)
    assert set(old["upload_id"]) == {first.upload_id} and len(old) == len(current)
    assert list(old["value"]) != list(current["value"])

    history = store.revisions("Dương Quang", None, 2024)
    assert history[["number", "user", "current"]].values.tolist() == [
        [1, "lan", False],
        [2, "minh", True],
    ]
    superseded = store.audit(None, action="revision.superseded")
    assert superseded["entity_id"].tolist() == [str(first.revisions[0].id)]
    assert superseded["user"].tolist() == ["minh"]


def test_restore_copies_an_earlier_revision_into_a_new_current_one(store: Store) -> None:
    first = store.import_bytes(make_return(seed=1), "v1.json", user="lan")
    store.import_bytes(make_return(seed=2), "v2.json", user="lan")
    ref = store.restore(first.revisions[0].id, user="chu-tich")
    assert tuple(ref)[:4] == ("Dương Quang", None, 2024, 3)

    current = store.current_values()
    original = store.revision_values(first.revisions[0].id)
    cols = ["code", "value", "numerator", "denominator", "note", "sheet", "cell", "upload_id"]
    pd.testing.assert_frame_equal(current[cols], original[cols])
    assert set(current["revision"]) == {3}
    history = store.revisions("Dương Quang")
    assert history["restored_from"].tolist()[-1] == first.revisions[0].id
    assert history["current"].tolist() == [False, False, True]
    row = store.audit(None, action="revision.restored").iloc[0]
    assert row["user"] == "chu-tich"
    assert row["details"]["restored_from"] == {"id": first.revisions[0].id, "number": 1}


def test_a_deleted_revision_stays_readable_and_the_previous_one_is_current(store: Store) -> None:
    store.import_bytes(make_return(seed=1), "v1.json", user="lan")
    second = store.import_bytes(make_return(seed=2), "v2.json", user="lan")
    assert store.delete_revision(second.revisions[0].id, user="admin", reason="nhầm năm")
    assert not store.delete_revision(second.revisions[0].id, user="admin")
    assert set(store.current_values()["revision"]) == {1}
    assert len(store.revision_values(second.revisions[0].id)) == 5
    history = store.revisions()
    assert history[["number", "deleted", "current"]].values.tolist() == [
        [1, False, True],
        [2, True, False],
    ]
    # numbering never reuses a number
    third = store.import_bytes(make_return(seed=3), "v3.json", user="lan")
    assert third.revisions[0].number == 3
    assert store.audit(None, action="revision.deleted")["details"].iloc[0]["reason"] == "nhầm năm"


def test_current_values_filter_by_commune_and_period(store: Store) -> None:
    store.import_bytes(make_return("Dương Quang", 2023), "a.json")
    store.import_bytes(make_return("Dương Quang", 2024), "b.json")
    store.import_bytes(make_return("Đôn Phong", 2024), "c.json")
    assert len(store.current_values()) == 15
    assert set(store.current_values(commune="Dương Quang")["period"]) == {2023, 2024}
    assert set(store.current_values(period=2024)["commune"]) == {"Dương Quang", "Đôn Phong"}
    assert len(store.current_values(commune="Đôn Phong", period=2023)) == 0
    assert store.current_values(commune="Nowhere").empty
    assert len(store.uploads(commune="Đôn Phong")) == 1 and len(store.uploads(period=2024)) == 2


def test_current_values_come_ordered_by_commune_period_and_village_then_as_stored(
    store: Store,
) -> None:
    """Whatever order the units were stored in (issue 17 reads them in two queries): commune,
    period, the commune-wide unit before its villages, then each unit's values as stored.
    (Names are ordered by the database's collation: these sort alike in any.)"""
    store.import_bytes(make_return("Bình Minh", 2024, villages=("Nà Rào", None)), "a.json")
    store.import_bytes(make_return("An Hải", 2024, villages=("Thôn 2", "Thôn 1")), "b.json")
    store.import_bytes(make_return("An Hải", 2023), "c.json")
    current = store.current_values()
    units = current[["commune", "period", "village"]].drop_duplicates().values.tolist()
    assert units == [
        ["An Hải", 2023, None],
        ["An Hải", 2024, "Thôn 1"],
        ["An Hải", 2024, "Thôn 2"],
        ["Bình Minh", 2024, None],
        ["Bình Minh", 2024, "Nà Rào"],
    ]
    one_unit = current[(current["commune"] == "Bình Minh") & current["village"].isna()]
    assert one_unit["code"].tolist() == list(CODES)
    assert current["note"].map(type).isin([str, type(None)]).all()  # text as objects, None


def test_uploads_by_id_lists_only_those(store: Store) -> None:
    outcomes = [
        store.import_bytes(make_return("Dương Quang", year), f"{year}.json")
        for year in (2022, 2023, 2024)
    ]
    ids = [int(o.upload_id) for o in outcomes if o.upload_id is not None]
    assert store.uploads(ids=ids[1:])["upload_id"].tolist() == ids[:0:-1]  # newest first
    assert store.uploads(ids=[ids[0]], commune="Dương Quang")["file"].tolist() == ["2022.json"]
    assert store.uploads(ids=[]).empty


# --- communes, villages, the 2025 merger -------------------------------------------------


def test_merged_communes_history_rolls_up_under_the_new_commune(store: Store) -> None:
    """Dương Quang and Đôn Phong merged into Phong Quang on 1 Jul 2025: asking for Phong Quang
    brings their history (each row keeps the commune it was reported for)."""
    store.import_bytes(make_return("Dương Quang", 2024), "dq.json", user="lan")
    store.import_bytes(make_return("Đôn Phong", 2024), "dp.json", user="lan")
    store.merge_communes(
        ["Dương Quang", "Đôn Phong"], "Phong Quang", dt.date(2025, 7, 1), user="admin"
    )
    store.import_bytes(make_return("Phong Quang", 2025), "pq.json", user="lan")

    rolled = store.current_values(commune="Phong Quang")
    assert set(zip(rolled["commune"], rolled["period"], strict=True)) == {
        ("Dương Quang", 2024),
        ("Đôn Phong", 2024),
        ("Phong Quang", 2025),
    }
    assert set(store.current_values(commune="Phong Quang", include_merged=False)["commune"]) == {
        "Phong Quang"
    }
    assert set(store.uploads(commune="Phong Quang")["file"]) == {"dq.json", "dp.json", "pq.json"}
    profiles = {p.name: p for p in store.communes()}
    assert profiles["Dương Quang"].merged_into == "Phong Quang"
    assert profiles["Dương Quang"].valid_to == dt.date(2025, 6, 30)
    assert profiles["Phong Quang"].valid_from == dt.date(2025, 7, 1)
    assert profiles["Dương Quang"].region == "tdmnpb"  # kept from the return


def test_save_commune_records_before_and_after(store: Store) -> None:
    store.save_commune(
        CommuneProfile("Dương Quang", region="tdmnpb", villages=["Bản Giềng", "Nà Rào"]),
        user="admin",
    )
    profile = store.commune("Dương Quang")
    assert profile is not None and profile.villages == ["Bản Giềng", "Nà Rào"]
    profile.group = "2"
    profile.criteria_set = "vn-ntm-xa-2021-2025"
    store.save_commune(profile, user="admin")
    store.save_commune(profile, user="admin")  # no change, no audit row
    rows = store.audit(None, entity="commune")
    assert rows["action"].tolist() == ["commune.updated", "commune.created"]
    details = rows.iloc[0]["details"]
    assert (details["before"]["group"], details["after"]["group"]) == (None, "2")
    assert store.keys() == {"Dương Quang": {"region": "tdmnpb", "group": "2"}}
    with pytest.raises(KeyError):
        store.save_commune(CommuneProfile("X", merged_into="Nowhere"))


def test_a_commune_records_its_province_and_the_evidence_for_its_group(store: Store) -> None:
    """Decision 51/2025/QĐ-TTg groups communes 1/2/3: the group is kept with what it rests on,
    and the commune with the province it reports to (issue 16, 17)."""
    evidence = "Quyết định xếp xã khu vực III (dữ liệu thử)"
    store.save_commune(
        CommuneProfile("Phong Quang", group="3", group_evidence=evidence, province="Thái Nguyên"),
        user="admin",
    )
    profile = store.commune("Phong Quang")
    assert profile is not None
    assert (profile.group, profile.group_evidence, profile.province) == (
        "3",
        evidence,
        "Thái Nguyên",
    )
    details = store.audit(None, entity="commune").iloc[0]["details"]
    assert details["after"]["province"] == "Thái Nguyên"


def test_villages_have_validity_dates(store: Store) -> None:
    store.save_commune(CommuneProfile("Dương Quang", villages=["Nà Ỏi", "Nà Cưởm"]))
    store.save_village(
        "Dương Quang", "Nà Cưởm", valid_to=dt.date(2024, 12, 31), merged_into="Nà Ỏi", user="admin"
    )
    names = [v.name for v in store.villages("Dương Quang")]
    assert names == ["Nà Cưởm", "Nà Ỏi"]
    assert [v.name for v in store.villages("Dương Quang", on=dt.date(2025, 3, 1))] == ["Nà Ỏi"]
    merged = store.villages("Dương Quang")[0]
    assert (merged.merged_into, merged.valid_to) == ("Nà Ỏi", dt.date(2024, 12, 31))
    assert store.audit(1)["action"].tolist() == ["village.updated"]


def test_a_merged_communes_village_records_the_village_it_came_from(store: Store) -> None:
    """After a merger of communes the new commune's village names the predecessor commune's
    village it continues (migration 0008): Phong Quang's Bản Giềng came from Dương Quang's,
    its Thôn 1 from Đôn Phong's. A village that does not exist is refused."""
    store.save_commune(CommuneProfile("Dương Quang", villages=["Bản Giềng", "Nà Dì"]))
    store.save_commune(CommuneProfile("Đôn Phong", villages=["Thôn 1"]))
    store.save_commune(CommuneProfile("Phong Quang"))
    store.merge_communes(["Dương Quang", "Đôn Phong"], "Phong Quang", dt.date(2025, 7, 1))
    since = dt.date(2025, 7, 1)
    for name, origin in (("Bản Giềng", "Dương Quang"), ("Thôn 1", "Đôn Phong")):
        store.save_village("Phong Quang", name, valid_from=since, came_from=(origin, name))
    found = {v.name: (v.came_from, v.valid_from) for v in store.villages("Phong Quang")}
    assert found == {
        "Bản Giềng": (("Dương Quang", "Bản Giềng"), since),
        "Thôn 1": (("Đôn Phong", "Thôn 1"), since),
    }
    assert [v.came_from for v in store.villages("Dương Quang")] == [None, None]
    details = store.audit(None, entity="village").iloc[0]["details"]
    assert details["after"]["came_from"] == ["Đôn Phong", "Thôn 1"]
    with pytest.raises(KeyError):
        store.save_village("Phong Quang", "Thôn 9", came_from=("Đôn Phong", "Thôn 9"))
    with pytest.raises(ValueError, match="came from"):  # register repair keeps the lineage
        store.merge_units("Bản Giềng", "Nà Dì", commune="Dương Quang")


def test_the_village_lineage_migration_goes_up_and_down(fresh_db_url: str) -> None:
    """Revision 0008 adds villages.came_from_id on top of 0007, and removes it again."""
    from alembic import command

    s = Store(fresh_db_url)
    try:
        cfg = engine_mod.alembic_config(fresh_db_url)

        def columns() -> set[str]:
            return {c["name"] for c in sa.inspect(s.engine).get_columns("villages")}

        command.upgrade(cfg, "0007")
        assert "came_from_id" not in columns()
        command.upgrade(cfg, "0008")
        assert "came_from_id" in columns()
        command.downgrade(cfg, "0007")
        assert "came_from_id" not in columns()
    finally:
        s.close()


def test_the_revisions_unit_index_migration_goes_up_and_down(fresh_db_url: str) -> None:
    """Revision 0009 adds the plain index on revisions(commune_id, period) on top of 0008,
    and removes it again."""
    from alembic import command

    s = Store(fresh_db_url)
    try:
        cfg = engine_mod.alembic_config(fresh_db_url)

        def indexes() -> dict[str, list[str | None]]:
            found = sa.inspect(s.engine).get_indexes("revisions")
            return {i["name"]: list(i["column_names"]) for i in found if i["name"]}

        command.upgrade(cfg, "0008")
        assert "ix_revisions_commune_period" not in indexes()
        command.upgrade(cfg, "0009")
        assert indexes()["ix_revisions_commune_period"] == ["commune_id", "period"]
        command.downgrade(cfg, "0008")
        assert "ix_revisions_commune_period" not in indexes()
    finally:
        s.close()


# --- criteria sets and users -------------------------------------------------------------


def test_criteria_sets_are_stored_as_revisions_with_before_and_after(store: Store) -> None:
    from ntm.criteria import get_set

    shipped = get_set("vn-ntm-xa-2021-2025")
    doc = shipped.model_dump(mode="json")
    doc["id"] = "bac-kan-2021-2025"
    crit = type(shipped).model_validate(doc)
    assert store.save_criteria_set(crit, user="lan", based_on=shipped.id) == 1
    assert store.save_criteria_set(crit, user="lan") == 1  # identical: nothing new

    rule = doc["criteria"][0]["indicators"][0]["thresholds"][0]
    rule["verified"] = True
    rule["source"] = "318/QĐ-TTg, checked by lan"
    edited = type(shipped).model_validate(doc)
    assert store.save_criteria_set(edited, user="lan") == 2

    # A stored set knows its revision, so that an assessment can say which one it used.
    assert store.criteria_set("bac-kan-2021-2025") == edited.model_copy(update={"revision": 2})
    assert store.criteria_set("bac-kan-2021-2025", revision=1) == crit.model_copy(
        update={"revision": 1}
    )
    assert store.criteria_sets() == [edited.model_copy(update={"revision": 2})]
    assert store.criteria_set_revisions()["revision"].tolist() == [1, 2]
    row = store.audit(1).iloc[0]
    assert (row["action"], row["user"], row["entity_id"]) == (
        "criteria_set.revised",
        "lan",
        "bac-kan-2021-2025",
    )
    changes = {c["path"]: (c["before"], c["after"]) for c in row["details"]["changes"]}
    assert changes["criteria.0.indicators.0.thresholds.0.verified"] == (False, True)
    with pytest.raises(KeyError):
        store.criteria_set("nope")


def test_users_table_keeps_the_hash_and_the_audit_never_shows_it(store: Store) -> None:
    store.save_user("lan", "staff", "$argon2id$v=19$fake", user="admin")
    store.save_user("lan", "admin", "$argon2id$v=19$other", user="admin")
    found = store.user("lan")
    assert found is not None and (found["role"], found["password_hash"]) == (
        "admin",
        "$argon2id$v=19$other",
    )
    assert "password_hash" not in store.users().columns
    audit_text = json.dumps(store.audit(None)["details"].tolist())
    assert "argon2" not in audit_text and '"password_changed": true' in audit_text
    assert store.delete_user("lan", user="admin") and store.user("lan") is None


# --- report = assess ---------------------------------------------------------------------


def _real_values(commune: str, period: int, villages: list[str], seed: int) -> pd.DataFrame:
    """Values for every code of the set in force, some villages, some missing."""
    from ntm.criteria import set_for_year

    crit = set_for_year(period)
    rows: list[dict[str, object]] = []
    for n, (ind, part) in enumerate(crit.measured_codes().values()):
        units: list[str | None] = [None, *villages] if ind.scope == "village" else [None]
        for k, village in enumerate(units):
            if n and (n + k + seed) % 7 == 0:
                continue  # missing
            value = (
                1.0
                if part.kind == "boolean" and (n + seed) % 3
                else float((n * 11 + k * 7 + seed) % 101)
            )
            if part.kind == "boolean" and not (n + seed) % 3:
                value = 0.0
            rows.append(
                {
                    "commune": commune,
                    "village": village,
                    "period": period,
                    "code": part.code,
                    "value": value,
                    "sheet": village or "Toàn xã",
                    "cell": f"D{n + 5}",
                }
            )
    return make_values(rows)


def test_report_equals_assess_of_the_same_values(store: Store) -> None:
    """What `ntm report` prints from the database equals assessing the stored returns' values."""
    from ntm.attainment import assess
    from ntm.cli.store_cmd import build_report

    frames, problems = [], []
    for i, (commune, period) in enumerate(
        [("Dương Quang", 2023), ("Dương Quang", 2024), ("Đôn Phong", 2024)]
    ):
        values = _real_values(commune, period, ["Bản Giềng", "Nà Rào"], seed=i)
        warn = Problem(
            Code.UNKNOWN_INDICATOR,
            file=f"{i}.xlsx",
            cell="A1",
            params={"code": "99", "criteria_set": "x"},
        )
        result = ReadResult(
            f"{i}.xlsx", values, [warn], ReturnMeta(commune=commune, period=period, region="tdmnpb")
        )
        assert (
            store.import_bytes(f"file {i}".encode(), f"{i}.xlsx", read_result=result).status
            == ACCEPTED
        )
        frames.append(values)
        problems.append(warn)
    expected = assess(
        pd.concat(frames, ignore_index=True),
        keys={"Dương Quang": {"region": "tdmnpb"}, "Đôn Phong": {"region": "tdmnpb"}},
    ).to_json(problems)
    report, _ = build_report(store)
    assert report == expected
    assert report["units"]

    only, _ = build_report(store, period=2023, commune="Dương Quang")
    assert {(u["commune"], u["period"]) for u in only["units"]} == {("Dương Quang", 2023)}


# --- command line ------------------------------------------------------------------------


def _run_cli(argv: list[str]) -> tuple[int, dict]:
    from ntm.cli import main

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = main(argv)
    return code, json.loads(buffer.getvalue())


def test_ntm_import_prints_each_file_and_exits_1_when_one_is_refused(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports_mod, "read_return_bytes", json_reader)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes(make_return(villages=(None, "Nà Rào")))
    bad.write_bytes(make_return(error=True))

    code, out = _run_cli(["import", str(good), "--db", db_url, "--user", "lan"])
    assert code == 0
    [entry] = out["files"]
    assert (entry["file"], entry["status"], entry["problems"]) == ("good.json", "accepted", [])
    assert [(r["village"], r["number"]) for r in entry["revisions"]] == [(None, 1), ("Nà Rào", 1)]

    code, out = _run_cli(["import", str(good), str(bad), "--db", db_url, "--user", "lan"])
    assert code == 1
    assert [f["status"] for f in out["files"]] == ["duplicate", "refused"]
    assert out["files"][1]["problems"][0]["code"] == "percent_out_of_range"
    assert out["files"][1]["problems"][0]["cell"] == "D7"

    with pytest.raises(SystemExit) as exc:
        _run_cli(["import", "--db", db_url])
    assert exc.value.code == 2

    code, out = _run_cli(["report", "--db", db_url, "--period", "2024"])
    assert code in (0, 1) and set(out) == {"criteria_set", "units", "problems"}


def test_round_trip_import_then_report_equals_assess_of_the_same_files(
    db_url: str, tmp_path: Path
) -> None:
    """ROUND TRIP (real workbooks, needs ntm.returns and ntm.template): `ntm import` then
    `ntm report` prints exactly what `ntm assess` prints for the same files."""
    pytest.importorskip("ntm.returns")
    template = pytest.importorskip("ntm.template")
    from ntm.criteria import set_for_year

    villages = ["Bản Giềng", "Nà Rào"]
    files = []
    for i, (commune, period) in enumerate(
        [("Dương Quang", 2023), ("Dương Quang", 2024), ("Đôn Phong", 2024)]
    ):
        wb = template.build_template(commune, period, villages, set_for_year(period), key="tdmnpb")
        template.fill_template(wb, _real_values(commune, period, villages, seed=i))
        path = tmp_path / f"{commune}-{period}.xlsx"
        wb.save(path)
        files.append(str(path))

    code, assessed = _run_cli(["assess", *files, "--format", "json"])
    assert code == 0 and len(assessed["units"]) == 9
    code, imported = _run_cli(["import", *files, "--db", db_url, "--user", "lan"])
    assert code == 0
    assert [f["status"] for f in imported["files"]] == [ACCEPTED] * 3
    code, reported = _run_cli(["report", "--db", db_url, "--format", "json"])
    assert code == 0
    # `reading` says how each file was read: a report from the database has no files.
    assert reported == {k: v for k, v in assessed.items() if k != "reading"}
