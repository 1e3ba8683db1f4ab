"""The register of units (issue 13, ntm.register): how a spelling is matched, what a return's
names become, and village aggregates counted over the register (ntm.attainment)."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from ntm.attainment import assess
from ntm.errors import Code, Severity
from ntm.register import (
    CommuneEntry,
    Entry,
    Kind,
    Match,
    NameLookup,
    Register,
    folded_key,
    match,
    normal_key,
    suspected_duplicates,
    valid_in,
)
from ntm.resolve import Choices, resolve
from ntm.values import ReadResult, ReturnMeta, make_values

NFD = unicodedata.normalize("NFD", "xã  Dương  Quang")
VILLAGES = ("Nà Dì", "Bản Giềng", "Nà Cưởm", "Thôn 4", "Quan Nưa")
REGISTER = Register(
    (
        CommuneEntry(
            "Dương Quang",
            aliases=("Xã DQ",),
            code="01957",
            villages=(*(Entry(v) for v in VILLAGES[:-1]), Entry("Quan Nưa", ("Quan Nua 2",))),
        ),
        CommuneEntry("Đôn Phong", code="01960"),
    )
)

MATCHED, WARNED, HELD = "matched", "warned", "held"


def outcome(found: Match) -> str:
    if found.silent:
        return MATCHED
    return WARNED if found.warned else HELD


# spelling → matched (used silently) / warned (used, warning, alias) / held, and the unit.
COMMUNE_CASES = [
    pytest.param("Dương Quang", None, MATCHED, "Dương Quang", Kind.EXACT, id="exact"),
    pytest.param("Xã DQ", None, MATCHED, "Dương Quang", Kind.EXACT, id="alias"),
    pytest.param("XÃ DƯƠNG QUANG", None, MATCHED, "Dương Quang", Kind.NORMALISED, id="caps+prefix"),
    pytest.param(NFD, None, MATCHED, "Dương Quang", Kind.NORMALISED, id="NFD+spaces+prefix"),
    pytest.param("Dương Quang.", None, MATCHED, "Dương Quang", Kind.NORMALISED, id="punctuation"),
    pytest.param("Duong Quang", None, WARNED, "Dương Quang", Kind.FOLDED, id="no-diacritics"),
    pytest.param("Xa Duong Quang", None, WARNED, "Dương Quang", Kind.FOLDED, id="folded-prefix"),
    pytest.param("Dương Qaung", None, WARNED, "Dương Quang", Kind.NEAR, id="near-swapped"),
    pytest.param("Duong Quangg", None, WARNED, "Dương Quang", Kind.NEAR, id="near-doubled"),
    pytest.param("Đôn Phogn", None, WARNED, "Đôn Phong", Kind.NEAR, id="near-other"),
    pytest.param("Duong Quan", None, HELD, None, Kind.NONE, id="a-letter-less-is-another-name"),
    pytest.param("Phong Quang", None, HELD, None, Kind.NONE, id="unknown"),
    pytest.param("Tên khác", "01957", MATCHED, "Dương Quang", Kind.CODE, id="code-first"),
    pytest.param("Đôn Phong", "99999", MATCHED, "Đôn Phong", Kind.EXACT, id="unknown-code"),
]


@pytest.mark.parametrize(("spelling", "code", "expected", "unit", "kind"), COMMUNE_CASES)
def test_commune_spellings(
    spelling: str, code: str | None, expected: str, unit: str | None, kind: Kind
) -> None:
    found = match(spelling, REGISTER.communes, code)
    assert (outcome(found), found.name, found.kind) == (expected, unit, kind)


VILLAGE_CASES = [
    pytest.param("Nà Dì", MATCHED, "Nà Dì", Kind.EXACT, id="exact"),
    pytest.param("Thôn Nà Dì", MATCHED, "Nà Dì", Kind.NORMALISED, id="prefix"),
    pytest.param("NÀ DÌ", MATCHED, "Nà Dì", Kind.NORMALISED, id="caps"),
    pytest.param("  nà   dì ", MATCHED, "Nà Dì", Kind.NORMALISED, id="spaces"),
    pytest.param("Giềng", MATCHED, "Bản Giềng", Kind.NORMALISED, id="prefix-of-the-register"),
    pytest.param("Quan Nua 2", MATCHED, "Quan Nưa", Kind.EXACT, id="alias"),
    pytest.param("Na Di", WARNED, "Nà Dì", Kind.FOLDED, id="no-diacritics"),
    pytest.param("Nà Đì", WARNED, "Nà Dì", Kind.FOLDED, id="d-stroke"),
    pytest.param("Thon Na Cuom", WARNED, "Nà Cưởm", Kind.FOLDED, id="folded-prefix"),
    pytest.param("Nà Cưởmm", WARNED, "Nà Cưởm", Kind.NEAR, id="near"),
    pytest.param("Ban Gieng", WARNED, "Bản Giềng", Kind.FOLDED, id="folded-both-words"),
    pytest.param("Bản Giênng", WARNED, "Bản Giềng", Kind.NEAR, id="near-letter-doubled"),
    pytest.param("Nà Ìd", WARNED, "Nà Dì", Kind.NEAR, id="near-swapped"),
    pytest.param("Nà Dìa", HELD, None, Kind.NONE, id="letter-added-not-near"),
    pytest.param("Thôn 4", MATCHED, "Thôn 4", Kind.EXACT, id="numbered-exact"),
    pytest.param("thon 4", WARNED, "Thôn 4", Kind.FOLDED, id="numbered-folded"),
    pytest.param("Thôn 3", HELD, None, Kind.NONE, id="numbered-other-number"),
    pytest.param("Thôn 40", HELD, None, Kind.NONE, id="numbered-longer-number"),
    pytest.param("Khuổi Mạn", HELD, None, Kind.NONE, id="unknown"),
    pytest.param("Nà Mì", HELD, None, Kind.NONE, id="one-letter-off-short-name"),
]


@pytest.mark.parametrize(("spelling", "expected", "unit", "kind"), VILLAGE_CASES)
def test_village_spellings(spelling: str, expected: str, unit: str | None, kind: Kind) -> None:
    villages = REGISTER.communes[0].villages
    found = match(spelling, villages)
    assert (outcome(found), found.name, found.kind) == (expected, unit, kind)


def test_a_held_name_comes_with_the_nearest_names_best_first() -> None:
    villages = REGISTER.communes[0].villages
    assert match("Thôn 3", villages).candidates[0] == "Thôn 4"
    assert match("Na Dy", villages).candidates[0] == "Nà Dì"
    assert len(match("Khuổi Mạn", villages).candidates) == 3


@pytest.mark.parametrize(
    ("spelling", "registered"),
    [
        ("An Thuận", "An Thành"),  # real, different communes one syllable apart
        ("An Lộc", "An Lợi"),
        ("Bình Hải", "Vĩnh Hải"),
        ("Phùng Xá", "Phương Xá"),
        ("Quan Sơn", "Quang Sơn"),
        ("Nà Mì", "Nà Dì"),
        ("Thôn 3", "Thôn 4"),
        ("Dương Quang Hạ", "Dương Quang"),
    ],
)
def test_a_different_name_is_never_taken_for_a_near_one(spelling: str, registered: str) -> None:
    assert match(spelling, [Entry(registered)]).kind == Kind.NONE


def test_two_units_alike_are_ambiguous_not_guessed() -> None:
    """A spelling folding onto two registered names is held with both as candidates."""
    villages = (Entry("Nà Mò"), Entry("Nà Mỏ"))
    found = match("Na Mo", villages)
    assert (found.kind, found.name, found.candidates) == (Kind.AMBIGUOUS, None, ("Nà Mò", "Nà Mỏ"))


@pytest.mark.parametrize(
    ("name", "normal", "folded"),
    [
        ("Thôn Nà Dì", "nà dì", "na di"),
        ("Thôn 3", "thôn 3", "thon 3"),
        ("XÃ  ĐÔN PHONG", "đôn phong", "don phong"),
        ("Tổ dân phố 5", "dân phố 5", "dan pho 5"),
        ("Bản", "bản", "ban"),
    ],
)
def test_keys(name: str, normal: str, folded: str) -> None:
    assert (normal_key(name), folded_key(name)) == (normal, folded)


def test_suspected_duplicates_are_one_name_once_normalised() -> None:
    names = ["Nà Dì", "Na Di", "Thôn Nà Dì", "Nà Rào", "Thôn 3", "Thôn 4"]
    assert suspected_duplicates(names) == [["Na Di", "Nà Dì", "Thôn Nà Dì"]]


def test_a_unit_counts_for_a_year_when_it_exists_on_31_december() -> None:
    import datetime as dt

    assert valid_in(None, None, 2024)
    assert not valid_in(None, dt.date(2025, 6, 30), 2025)  # merged away mid-year
    assert valid_in(dt.date(2025, 7, 1), None, 2025)
    assert not valid_in(dt.date(2025, 7, 1), None, 2024)


def test_the_reading_context_finds_a_commune_by_its_other_spellings() -> None:
    lookup = NameLookup({"Dương Quang": "own-set"}, REGISTER.communes)
    assert lookup.get("Dương Quang") == "own-set"
    assert lookup.get("Duong Quang") == "own-set"
    assert lookup.get("Xã DQ") == "own-set"
    assert lookup.get("Duong Quan") is None  # a near match is not sure enough to read by
    assert lookup.get("Đôn Phong") is None


# --- a return's names --------------------------------------------------------------------------


def a_return(commune: str, villages: list[str | None], code: str | None = None) -> ReadResult:
    rows: list[dict[str, object]] = [
        {"commune": commune, "village": v, "period": 2025, "code": "2.2", "value": 80.0, "sheet": v}
        for v in villages
    ]
    meta = ReturnMeta(commune=commune, commune_code=code, period=2025, villages=villages[1:])  # type: ignore[arg-type]
    return ReadResult("r.xlsx", make_values(rows), [], meta)


def test_resolve_renames_to_the_register_and_warns_once_per_spelling() -> None:
    res = resolve(a_return("Duong Quang", [None, "Na Di", "NÀ DÌ", "Bản Giềng"]), REGISTER)
    assert list(res.result.values["commune"]) == ["Dương Quang"] * 4
    assert list(res.result.values["village"]) == [None, "Nà Dì", "Nà Dì", "Bản Giềng"]
    assert res.result.meta.commune == "Dương Quang"
    assert [(p.code, p.params["spelling"], p.params["name"]) for p in res.problems] == [
        (Code.COMMUNE_NAME_MATCHED, "Duong Quang", "Dương Quang"),
        (Code.VILLAGE_NAME_MATCHED, "Na Di", "Nà Dì"),
    ]
    assert all(p.level is Severity.WARNING for p in res.problems)
    assert [(a.commune, a.village, a.alias) for a in res.aliases] == [
        ("Dương Quang", None, "Duong Quang"),
        ("Dương Quang", "Nà Dì", "Na Di"),
    ]
    assert res.held == [] and res.notices == []


def test_resolve_holds_an_unknown_village_and_names_the_candidates() -> None:
    res = resolve(a_return("Dương Quang", [None, "Thôn 3"]), REGISTER)
    [held] = res.held
    assert (held.commune, held.spelling, held.candidates[0]) == ("Dương Quang", "Thôn 3", "Thôn 4")
    [problem] = res.problems
    assert problem.code == Code.UNKNOWN_VILLAGE and problem.is_error
    assert "Thôn 4" in problem.message() and "--map" in problem.message()


def test_choices_settle_a_held_village_as_a_known_one_or_a_new_one() -> None:
    mapped = resolve(
        a_return("Dương Quang", ["Thôn 3"]), REGISTER, Choices(names={"Thôn 3": "Thôn 4"})
    )
    assert mapped.held == [] and list(mapped.result.values["village"]) == ["Thôn 4"]
    assert [(a.village, a.alias, a.how) for a in mapped.aliases] == [("Thôn 4", "Thôn 3", "map")]
    new = resolve(a_return("Dương Quang", ["Thôn 3"]), REGISTER, Choices(new_villages={"Thôn 3"}))
    assert new.held == [] and new.new_villages == [("Dương Quang", "Thôn 3")]
    assert list(new.result.values["village"]) == ["Thôn 3"]


def test_a_new_commune_is_created_with_a_notice_and_its_villages_become_its_register() -> None:
    res = resolve(a_return("Phong Quang", [None, "Nà Dì", "NÀ DÌ", "Pác Nặm"]), REGISTER)
    assert res.held == [] and res.problems == []
    assert [(n.code, n.level) for n in res.notices] == [
        (Code.REGISTER_NEW_COMMUNE, Severity.NOTICE),
        (Code.REGISTER_NEW_VILLAGES, Severity.NOTICE),
    ]
    assert "Dương Quang" in res.notices[0].message()  # a similar name, to merge if it is one
    assert res.notices[1].params["villages"] == "Nà Dì, Pác Nặm"
    assert list(res.result.values["village"]) == [None, "Nà Dì", "Nà Dì", "Pác Nặm"]


def test_the_code_decides_and_a_different_name_is_warned_about() -> None:
    by_code = resolve(a_return("Tên cũ", [None], code="01957"), REGISTER)
    assert list(by_code.result.values["commune"]) == ["Dương Quang"]
    assert [p.code for p in by_code.problems] == [Code.COMMUNE_CODE_NAME_DIFFERS]
    assert by_code.aliases == []  # a name the code contradicts is not learnt
    wrong = resolve(a_return("Đôn Phong", [None], code="01957"), REGISTER)
    assert [p.code for p in wrong.problems] == [Code.COMMUNE_CODE_NAME_DIFFERS]
    mismatch = resolve(a_return("Đôn Phong", [None], code="12345"), REGISTER)
    assert [p.code for p in mismatch.problems] == [Code.COMMUNE_CODE_MISMATCH]
    assert mismatch.problems[0].is_error


# --- aggregates over the register ------------------------------------------------------------


def village_rows(values: dict[str | None, float]) -> list[dict[str, object]]:
    return [
        {"commune": "Xã A", "village": v, "period": 2024, "code": "2.2", "value": x}
        for v, x in values.items()
    ]


@pytest.fixture
def small_set() -> object:
    from test_attainment import SMALL_SET

    from ntm.criteria import parse_set

    return parse_set(SMALL_SET, "test")


def commune_value(result: object, code: str = "2.2") -> float:
    parts = result.parts  # type: ignore[attr-defined]
    row = parts[parts["village"].isna() & (parts["code"] == code)].iloc[0]
    return float(row["value"])


def test_without_a_register_the_aggregate_is_over_the_villages_that_reported(
    small_set: object,
) -> None:
    values = make_values(village_rows({"Thôn 1": 80.0, "Thôn 2": 60.0}))
    result = assess(values, criteria=small_set)  # type: ignore[arg-type]
    assert commune_value(result) == pytest.approx(70.0)  # unweighted mean of the two
    assert result.unreported.empty


def test_a_registered_village_without_a_value_leaves_the_aggregate_missing_and_is_named(
    small_set: object,
) -> None:
    values = make_values(village_rows({"Thôn 1": 80.0, "Thôn 2": 60.0}))
    register = {("Xã A", 2024): ["Thôn 1", "Thôn 2", "Thôn 3"]}
    result = assess(values, criteria=small_set, register=register)  # type: ignore[arg-type]
    assert np.isnan(commune_value(result))
    parts = result.parts
    status = parts[parts["village"].isna() & (parts["code"] == "2.2")]["status"].iloc[0]
    assert status == "missing"
    unreported = result.unreported
    assert unreported[unreported["code"] == "2.2"][["commune", "period", "village"]].to_dict(
        "records"
    ) == [{"commune": "Xã A", "period": 2024, "village": "Thôn 3"}]
    # 9.1 (all villages) was given by none: every registered village is named for it.
    assert sorted(unreported[unreported["code"] == "9.1"]["village"]) == [
        "Thôn 1",
        "Thôn 2",
        "Thôn 3",
    ]


def test_values_of_villages_outside_the_register_are_not_aggregated(small_set: object) -> None:
    values = make_values(village_rows({"Thôn 1": 80.0, "Thôn 2": 60.0, "Thôn Lạ": 0.0}))
    register = {("Xã A", 2024): ["Thôn 1", "Thôn 2"]}
    result = assess(values, criteria=small_set, register=register)  # type: ignore[arg-type]
    assert commune_value(result) == pytest.approx(70.0)
    unregistered = assess(values, criteria=small_set)  # type: ignore[arg-type]
    assert commune_value(unregistered) == pytest.approx(140.0 / 3)


def test_the_register_of_the_year_counts_not_another_years(small_set: object) -> None:
    rows = village_rows({"Thôn 1": 80.0, "Thôn 2": 60.0})
    rows += [{**r, "period": 2025} for r in rows]
    values = make_values(rows)
    # Thôn 3 joins in 2025: 2024 is complete, 2025 waits for it.
    register = {
        ("Xã A", 2024): ["Thôn 1", "Thôn 2"],
        ("Xã A", 2025): ["Thôn 1", "Thôn 2", "Thôn 3"],
    }
    result = assess(values, criteria=small_set, register=register)  # type: ignore[arg-type]
    parts = result.parts
    whole = parts[parts["village"].isna() & (parts["code"] == "2.2")].set_index("period")
    assert whole.loc[2024, "value"] == pytest.approx(70.0)
    assert np.isnan(whole.loc[2025, "value"])
