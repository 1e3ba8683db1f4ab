"""The register of units in the database (issue 13), on SQLite and PostgreSQL: imports matched
to it, held files, aliases, codes, replace vs update, merge + undo, rename."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from storage_fixtures import count, json_reader, make_return

# pytest fixtures, requested by name:
from storage_fixtures import db_url as _db_url  # noqa: F401
from storage_fixtures import pg_session_url as _pg_session_url  # noqa: F401
from storage_fixtures import store as _store  # noqa: F401

from ntm.errors import Code
from ntm.resolve import Choices
from ntm.storage import ACCEPTED, HELD, UPDATE, CommuneProfile, Store

VILLAGES = ("Nà Dì", "Bản Giềng", "Nà Rào")
CODES = ("2.1", "2.2", "5.1")


def first_import(store: Store) -> None:
    """The commune's first return: it creates the commune and its village register."""
    outcome = store.import_bytes(
        make_return(villages=(None, *VILLAGES), codes=CODES, commune_code="01957"),
        "2024.json",
        "lan",
    )
    assert outcome.status == ACCEPTED
    assert [n.code for n in outcome.notices] == [
        Code.REGISTER_NEW_COMMUNE,
        Code.REGISTER_NEW_VILLAGES,
    ]
    assert outcome.problems == []  # notices are news, not problems of the file


def villages(store: Store, commune: str = "Dương Quang") -> list[str]:
    return sorted(v.name for v in store.villages(commune))


def test_spellings_of_a_known_unit_join_its_history(store: Store) -> None:
    first_import(store)
    data = make_return("Duong Quang", 2025, ("Na Di", "NÀ RÀO", "Thôn Bản Giềng"), seed=1)
    outcome = store.import_bytes(data, "2025.json", "lan")
    assert outcome.status == ACCEPTED and outcome.notices == []
    assert [(p.code, p.params["spelling"]) for p in outcome.problems] == [
        (Code.COMMUNE_NAME_MATCHED, "Duong Quang"),
        (Code.VILLAGE_NAME_MATCHED, "Na Di"),
    ]
    assert [c.name for c in store.communes()] == ["Dương Quang"]
    assert villages(store) == sorted(VILLAGES)
    assert sorted((r.village, r.period) for r in outcome.revisions) == [
        ("Bản Giềng", 2025),
        ("Nà Dì", 2025),
        ("Nà Rào", 2025),
    ]
    reg = store.register().commune("Dương Quang")
    assert reg is not None and reg.aliases == ("Duong Quang",)
    assert {v.name: v.aliases for v in reg.villages}["Nà Dì"] == ("Na Di",)
    assert store.uploads(commune="Dương Quang")["file"].tolist() == ["2025.json", "2024.json"]
    # The next file spelling it so is an exact match: no warning any more.
    again = store.import_bytes(make_return("Duong Quang", 2025, ("Na Di",), seed=2), "b.json")
    assert again.status == ACCEPTED and again.problems == []


def test_an_unknown_village_holds_the_file_and_stores_nothing(store: Store) -> None:
    first_import(store)
    before = {t: count(store, t) for t in ("uploads", "villages", "revisions", "audit_log")}
    outcome = store.import_bytes(make_return(villages=("Khuổi Mạn",), seed=3), "x.json", "lan")
    assert (outcome.status, outcome.upload_id) == (HELD, None)
    [held] = outcome.held
    assert (held.commune, held.spelling) == ("Dương Quang", "Khuổi Mạn")
    assert set(held.candidates) <= set(VILLAGES) and len(held.candidates) == 3
    assert [p.code for p in outcome.problems] == [Code.UNKNOWN_VILLAGE]
    assert {t: count(store, t) for t in before} == before
    assert outcome.to_json()["held"] == [
        {"commune": "Dương Quang", "name": "Khuổi Mạn", "candidates": list(held.candidates)}
    ]


def test_a_held_file_goes_in_once_staff_say_which_village_it_is(store: Store) -> None:
    first_import(store)
    data = make_return(villages=("Khuổi Mạn",), seed=3)
    assert store.import_bytes(data, "x.json").status == HELD
    outcome = store.import_bytes(data, "x.json", "lan", choices=Choices({"Khuổi Mạn": "Nà Rào"}))
    assert outcome.status == ACCEPTED
    assert [(r.village, r.number) for r in outcome.revisions] == [("Nà Rào", 2)]
    assert villages(store) == sorted(VILLAGES)
    reg = store.register().commune("Dương Quang")
    assert reg is not None and {v.name: v.aliases for v in reg.villages}["Nà Rào"] == ("Khuổi Mạn",)
    audit = store.audit(None, action="alias.added")
    assert audit.iloc[0]["details"] == {"alias": "Khuổi Mạn", "how": "map"}


def test_a_new_village_is_added_only_when_said_so(store: Store) -> None:
    first_import(store)
    data = make_return(villages=("Khuổi Mạn",), seed=3)
    outcome = store.import_bytes(
        data, "x.json", "hung", choices=Choices(new_villages={"Khuổi Mạn"})
    )
    assert outcome.status == ACCEPTED
    assert villages(store) == sorted([*VILLAGES, "Khuổi Mạn"])


def test_a_village_set_up_on_cai_dat_is_the_register_before_any_upload(store: Store) -> None:
    store.save_commune(CommuneProfile("Dương Quang", villages=["Nà Dì"]))
    outcome = store.import_bytes(make_return(villages=("Nà Rào",)), "a.json")
    assert outcome.status == HELD
    assert store.import_bytes(make_return(villages=("Na Di",)), "b.json").status == ACCEPTED


def test_the_commune_code_is_kept_and_matched_first(store: Store) -> None:
    first_import(store)
    profile = store.commune("Dương Quang")
    assert profile is not None and profile.code == "01957"
    outcome = store.import_bytes(make_return("Phường Mới", 2025, commune_code="01957"), "c.json")
    assert outcome.status == ACCEPTED
    assert [r.commune for r in outcome.revisions] == ["Dương Quang"]
    assert [p.code for p in outcome.problems] == [Code.COMMUNE_CODE_NAME_DIFFERS]
    with pytest.raises(ValueError, match="01957"):
        store.save_commune(CommuneProfile("Đôn Phong", code="01957"))


def test_a_re_upload_says_what_it_replaces_and_replace_drops_what_it_does_not_repeat(
    store: Store,
) -> None:
    first_import(store)
    one_code = make_return(villages=("Nà Dì",), codes=("2.2",), seed=5)
    plans = store.plans(store.resolve(json_reader(one_code, "r.json")).result)
    [plan] = plans
    assert (plan.village, plan.replaces, plan.replaces_file) == ("Nà Dì", 1, "2024.json")
    assert plan.not_repeated == ("2.1", "5.1")
    outcome = store.import_bytes(one_code, "r.json")
    [unit] = outcome.to_json()["units"]
    assert unit["replaces"] == {"number": 1, "revision_id": plan.replaces_id, "file": "2024.json"}
    assert (unit["not_repeated"], unit["carried"], outcome.mode) == (["2.1", "5.1"], [], "replace")
    current = store.current_values(period=2024)
    assert sorted(current[current["village"] == "Nà Dì"]["code"]) == ["2.2"]


def test_update_carries_the_values_the_file_does_not_repeat_into_a_new_revision(
    store: Store,
) -> None:
    first_import(store)
    before = store.current_values(period=2024)
    old = before[before["village"] == "Nà Dì"].set_index("code")["value"]
    one_code = make_return(villages=("Nà Dì",), codes=("2.2",), seed=5)
    outcome = store.import_bytes(one_code, "r.json", mode=UPDATE)
    assert [(r.village, r.number) for r in outcome.revisions] == [("Nà Dì", 2)]
    assert outcome.units[0].carried == ("2.1", "5.1")
    current = store.current_values(period=2024)
    mine = current[current["village"] == "Nà Dì"].set_index("code")
    assert sorted(mine.index) == ["2.1", "2.2", "5.1"]
    assert mine.loc["2.1", "value"] == old["2.1"] and mine.loc["5.1", "value"] == old["5.1"]
    assert set(mine["revision"]) == {2}
    with store.engine.connect() as conn:
        carried = conn.execute(
            sa.text(
                "SELECT v.code, v.carried_from_id FROM indicator_values v "
                "WHERE v.revision_id = :r ORDER BY v.code"
            ),
            {"r": outcome.revisions[0].id},
        ).all()
    first = int(before[before["village"] == "Nà Dì"]["revision_id"].iloc[0])
    assert [tuple(r) for r in carried] == [("2.1", first), ("2.2", None), ("5.1", first)]
    # Nothing overwritten: revision 1 still holds its own values.
    assert len(store.revision_values(first)) == 3


def split_by_spelling(store: Store, *, commune: bool) -> None:
    """A village (or a whole commune) that is one unit stored under two spellings, as versions
    of the app before the register made them: units set up directly, then imported into."""
    first_import(store)
    if commune:
        store.save_village("Duong Quang", "Na Di")
        store.import_bytes(make_return("Duong Quang", 2024, (None, "Na Di"), seed=7), "old.json")
    else:
        store.save_village("Dương Quang", "Na Di")
        store.import_bytes(make_return("Dương Quang", 2024, ("Na Di",), seed=7), "old.json")
    store.import_bytes(make_return("Dương Quang", 2025, ("Nà Dì",), seed=8), "o2.json")


def snapshot(store: Store) -> list[tuple[object, ...]]:
    rev = store.revisions()
    return sorted(
        zip(
            rev["revision_id"],
            rev["commune"],
            rev["village"].fillna(""),
            rev["number"],
            strict=True,
        )
    )


def test_duplicates_are_listed(store: Store) -> None:
    split_by_spelling(store, commune=True)
    store.save_village("Dương Quang", "Thôn Bản Giềng")
    assert store.duplicates() == [
        {"commune": None, "names": ["Duong Quang", "Dương Quang"]},
        {"commune": "Dương Quang", "names": ["Bản Giềng", "Thôn Bản Giềng"]},
    ]


def test_merge_villages_moves_every_revision_and_undo_puts_them_back(store: Store) -> None:
    split_by_spelling(store, commune=False)
    before = snapshot(store)
    audit_id = store.merge_units("Na Di", "Nà Dì", commune="Dương Quang", user="hung")
    assert villages(store) == sorted(VILLAGES)
    revs = store.revisions(commune="Dương Quang", village="Nà Dì")
    assert revs[["period", "number", "file", "current"]].values.tolist() == [
        [2024, 1, "2024.json", False],
        [2024, 2, "old.json", True],  # numbered in the order the uploads came
        [2025, 1, "o2.json", True],
    ]
    reg = store.register().commune("Dương Quang")
    assert reg is not None and {v.name: v.aliases for v in reg.villages}["Nà Dì"] == ("Na Di",)
    merges = store.merges()
    assert merges[["source", "into", "undone"]].values.tolist() == [["Na Di", "Nà Dì", False]]
    store.undo_merge(audit_id, user="hung")
    assert snapshot(store) == before
    assert "Na Di" in villages(store)
    assert store.merges()["undone"].tolist() == [True]
    with pytest.raises(ValueError, match="undone already"):
        store.undo_merge(audit_id)


def test_merge_communes_moves_villages_and_history_and_undo_restores_them(store: Store) -> None:
    split_by_spelling(store, commune=True)
    before = snapshot(store)
    values_before = len(store.current_values())
    audit_id = store.merge_units("Duong Quang", "Dương Quang", user="hung")
    assert [c.name for c in store.communes()] == ["Dương Quang"]
    assert villages(store) == sorted(VILLAGES)  # "Na Di" of both joined Nà Dì
    revs = store.revisions(commune="Dương Quang", village=None, period=2024)
    assert revs["number"].tolist() == [1, 2]  # the later upload is current
    assert revs["file"].tolist() == ["2024.json", "old.json"]
    reg = store.register().commune("Dương Quang")
    assert reg is not None and "Duong Quang" in reg.aliases
    # The old upload is still listed under the commune (its name is now an alias).
    assert "old.json" in store.uploads(commune="Dương Quang")["file"].tolist()
    entry = store.audit(None, action="unit.merged").iloc[0]
    assert (entry["user"], entry["details"]["source"]) == ("hung", "Duong Quang")
    store.undo_merge(audit_id, user="hung")
    assert snapshot(store) == before
    assert sorted(c.name for c in store.communes()) == ["Duong Quang", "Dương Quang"]
    assert villages(store, "Duong Quang") == ["Na Di"]
    assert len(store.current_values()) == values_before
    assert store.audit(None, action="unit.merge_undone").iloc[0]["details"]["merge"] == audit_id


def test_rename_keeps_the_old_name_as_an_alias(store: Store) -> None:
    first_import(store)
    store.rename_unit("Dương Quang", "Nà Dì Mới", village="Nà Dì", user="hung")
    assert "Nà Dì Mới" in villages(store)
    outcome = store.import_bytes(make_return(villages=("Nà Dì",), seed=9), "n.json")
    assert outcome.status == ACCEPTED and [r.village for r in outcome.revisions] == ["Nà Dì Mới"]
    store.rename_unit("Dương Quang", "Xã Dương Quang Mới", user="hung")
    assert [c.name for c in store.communes()] == ["Xã Dương Quang Mới"]
    assert store.commune("Xã Dương Quang Mới").aliases == ["Dương Quang"]  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="merge"):
        store.rename_unit("Xã Dương Quang Mới", "Bản Giềng", village="Nà Rào")


def test_the_village_register_of_a_year_follows_validity_dates(store: Store) -> None:
    import datetime as dt

    first_import(store)
    store.save_village("Dương Quang", "Nà Rào", valid_to=dt.date(2024, 6, 30))
    store.save_village("Dương Quang", "Pác Nặm", valid_from=dt.date(2024, 7, 1))
    got = store.village_register([2023, 2024])
    assert sorted(got[("Dương Quang", 2023)]) == ["Bản Giềng", "Nà Dì", "Nà Rào"]
    assert sorted(got[("Dương Quang", 2024)]) == ["Bản Giềng", "Nà Dì", "Pác Nặm"]
