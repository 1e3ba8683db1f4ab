"""Criteria sets: the shipped files, threshold look-up, validation errors, the set for a year.

The shipped files are data (DESIGN §3): these tests state what the data must satisfy and what the
code does with it. Facts about the decisions come from shared reference criteria.md.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ntm.criteria import (
    AGGREGATIONS,
    CRITERIA_DIR,
    KINDS,
    CriteriaSet,
    ThresholdRule,
    load_file,
    parse_set,
    pick_threshold,
    set_for_year,
    shipped_sets,
)
from ntm.errors import CriteriaError, NoCriteriaSetError

SHIPPED_FILES = sorted(CRITERIA_DIR.glob("*.yaml"))
SET_2021 = "vn-ntm-xa-2021-2025"
SET_2026 = "vn-ntm-xa-2026-2030"


def _set(set_id: str) -> CriteriaSet:
    return shipped_sets()[set_id]


def _raw(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair of a decoded YAML document, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


# --- the shipped files -----------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_every_shipped_file_loads_as_a_criteria_set_named_like_its_file(path: Path) -> None:
    crit = load_file(path)
    assert crit.id == path.stem


def test_shipped_sets_are_the_two_national_commune_sets_and_bac_kan_villages() -> None:
    levels = {s.id: (s.level, s.province) for s in shipped_sets().values()}
    assert levels == {
        SET_2021: ("commune", ""),
        SET_2026: ("commune", ""),
        "vn-bac-kan-thon-2021-2025": ("village", "Bắc Kạn"),
    }


def test_bac_kan_village_set_has_the_16_criteria_of_decision_902_and_says_it_is_incomplete() -> (
    None
):
    """criteria.md §1: Decision 902/QĐ-UBND (16 Jun 2021), 16 criteria; indicators not known."""
    crit = _set("vn-bac-kan-thon-2021-2025")
    assert [c.number for c in crit.criteria] == [str(n) for n in range(1, 17)]
    assert crit.criteria[0].name.vi == "Ban phát triển thôn"
    assert crit.criteria[15].name.vi == "Hệ thống chính trị"
    assert crit.indicator_count() == 0
    assert not crit.complete and crit.missing
    assert crit.legal_basis.decision == "902/QĐ-UBND"


@pytest.mark.parametrize(
    ("year", "level", "expected"),
    [
        (2023, "commune", SET_2021),
        (2023, "village", "vn-bac-kan-thon-2021-2025"),
        (2027, "commune", SET_2026),
    ],
)
def test_set_for_year_chooses_by_level_so_a_village_set_never_judges_a_commune(
    year: int, level: str, expected: str
) -> None:
    assert set_for_year(year, level).id == expected  # type: ignore[arg-type]


def test_2021_2025_has_19_criteria_numbered_1_to_19_and_57_indicators() -> None:
    """Decision 318/QĐ-TTg Phụ lục I: 19 criteria, 57 indicators (criteria.md §1)."""
    crit = _set(SET_2021)
    assert [c.number for c in crit.criteria] == [str(n) for n in range(1, 20)]
    assert crit.indicator_count() == 57
    assert crit.expected_indicators == 57
    assert crit.complete
    assert crit.keyed_by == "region"
    assert crit.key_ids() == ["general", "tdmnpb", "dbsh", "btb", "dhntb", "tn", "dnb", "dbscl"]


@pytest.mark.parametrize(
    ("number", "name"),
    [
        ("1", "Quy hoạch"),
        ("3", "Thủy lợi và phòng, chống thiên tai"),
        ("11", "Nghèo đa chiều"),
        ("13", "Tổ chức sản xuất và phát triển kinh tế nông thôn"),
        ("17", "Môi trường và an toàn thực phẩm"),
        ("19", "Quốc phòng và An ninh"),
    ],
)
def test_2021_2025_criterion_names_are_the_decisions(number: str, name: str) -> None:
    names = {c.number: c.name.vi for c in _set(SET_2021).criteria}
    assert names[number] == name


def test_2021_2025_indicators_per_criterion() -> None:
    counts = {c.number: len(c.indicators) for c in _set(SET_2021).criteria}
    assert counts == {
        "1": 2, "2": 4, "3": 2, "4": 2, "5": 1, "6": 3, "7": 1, "8": 4, "9": 2, "10": 1,
        "11": 1, "12": 3, "13": 5, "14": 3, "15": 4, "16": 1, "17": 10, "18": 6, "19": 2,
    }  # fmt: skip


def test_2021_2025_only_the_confirmed_indicators_are_verified() -> None:
    """criteria.md §2 and §2a: 3.1, 3.2, 5, 6.1-6.3, 14.1, 15.3, 19.2 and 15.4 (TDMNPB, ĐBSH)
    are confirmed; 6.3 carries the official wording ("khu dân cư"), 100% in every region."""
    crit = _set(SET_2021)
    verified = {ind.code for _, ind in crit.indicators() if ind.verified}
    assert verified == {"3.1", "3.2", "5", "6.1", "6.2", "6.3", "14.1", "15.3", "19.2"}
    assert crit.unverified_count() == 48  # of 57; 15.4: other regions unknown
    six_three = crit.indicator("6.3")
    assert six_three is not None and six_three.name.vi == (
        "Tỷ lệ khu dân cư có nhà văn hóa hoặc nơi sinh hoạt văn hóa, thể thao phục vụ cộng đồng"
    )
    assert [(r.key, r.value) for r in six_three.thresholds] == [(None, 100)]
    assert "1064/HD-BVHTTDL" in six_three.thresholds[0].source
    rule_19_2 = crit.indicator("19.2")
    assert rule_19_2 is not None and "04/HD-BCA-V05" in rule_19_2.thresholds[0].source
    rule_15_4 = {r.key: r.verified for r in crit.measured_codes()["15.4"][1].thresholds}
    assert rule_15_4 == {"tdmnpb": True, "dbsh": True, None: False}


@pytest.mark.parametrize(
    ("indicator", "parts"),
    [("5", ["5b", "5c", "5a"]), ("12.2", ["12.2a", "12.2b"]), ("17.1", ["17.1a", "17.1b"])],
)
def test_2021_2025_multi_value_indicators_carry_parts(indicator: str, parts: list[str]) -> None:
    ind = _set(SET_2021).indicator(indicator)
    assert ind is not None
    assert [p.code for p in ind.parts] == parts
    assert ind.thresholds == []


@pytest.mark.parametrize(
    ("code", "scope", "aggregation"),
    [
        ("2.2", "village", "ratio"),
        ("4.2", "village", "ratio"),
        ("6.3", "village", "share"),
        ("9.1", "village", "all"),
        ("11", "village", "ratio"),
        ("16", "village", "share"),
        ("17.1", "village", "ratio"),
        ("17.10", "village", "ratio"),
        ("1.1", "commune", "commune_only"),
        ("10", "commune", "commune_only"),
    ],
)
def test_2021_2025_scope_and_aggregation(code: str, scope: str, aggregation: str) -> None:
    ind = _set(SET_2021).indicator(code)
    assert ind is not None
    assert (ind.scope, ind.aggregation) == (scope, aggregation)


def test_2021_2025_makeshift_housing_is_met_by_answering_no() -> None:
    ind = _set(SET_2021).indicator("9.1")
    assert ind is not None
    assert (ind.kind, ind.direction) == ("boolean", "==")
    assert [r.value for r in ind.thresholds] == [False]


def test_2026_2030_is_incomplete_with_ten_named_criteria_and_three_groups() -> None:
    """Decision 51/2025/QĐ-TTg: 10 criteria, 47 indicators not transcribed, groups 1/2/3."""
    crit = _set(SET_2026)
    assert [c.number for c in crit.criteria] == [str(n) for n in range(1, 11)]
    assert all(c.indicators == [] for c in crit.criteria)
    assert not crit.complete
    assert crit.missing
    assert crit.expected_indicators == 47
    assert crit.keyed_by == "group"
    assert crit.key_ids() == ["1", "2", "3"]
    # Each group's definition in both languages (Cài đặt shows it beside the choice); group 3
    # is the ethnic-minority and mountain one (drafts of mid-2025 numbered them the other way).
    assert all(k.definition.vi and k.definition.en for k in crit.keys)
    assert "khu vực II, III" in crit.keys[2].definition.vi
    assert (crit.years.first, crit.years.last) == (2026, 2030)
    assert crit.criteria[1].name.vi == "Hạ tầng kinh tế - xã hội"


@pytest.mark.parametrize("set_id", sorted(shipped_sets()))
def test_every_threshold_rule_names_its_source(set_id: str) -> None:
    crit = _set(set_id)
    without = [
        (code, rule)
        for code, (_, part) in crit.measured_codes().items()
        for rule in part.thresholds
        if not rule.source.strip()
    ]
    assert without == []


@pytest.mark.parametrize("set_id", sorted(shipped_sets()))
def test_every_judged_value_of_a_complete_set_has_a_rule(set_id: str) -> None:
    """Unknown thresholds are written down (`value: null`), not left out silently."""
    crit = _set(set_id)
    bare = [
        code
        for code, (_, part) in crit.measured_codes().items()
        if not part.informational and not part.thresholds
    ]
    assert bare == []


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_kinds_and_aggregations_in_files_are_known_rule_kinds(path: Path) -> None:
    used = list(_walk(_raw(path)))
    kinds = {value for key, value in used if key == "kind"}
    aggregations = {value for key, value in used if key == "aggregation"}
    assert kinds <= set(KINDS)
    assert aggregations <= set(AGGREGATIONS)


def test_every_kind_the_code_knows_is_used_by_the_2021_2025_set() -> None:
    """Cross-check both ways: no kind in the registry is dead (datasette test_docs style)."""
    used = {part.kind for _, (_, part) in _set(SET_2021).measured_codes().items()}
    assert used == set(KINDS)


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_shipped_text_is_unicode_nfc(path: Path) -> None:
    """Vietnamese text is stored precomposed (NFC), so matching by string is reliable."""
    text = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    strings = [value for _, value in _walk(_raw(path)) if isinstance(value, str)]
    assert [s for s in strings if not unicodedata.is_normalized("NFC", s)] == []


# --- threshold look-up -----------------------------------------------------------------------


def _r(**fields: Any) -> ThresholdRule:
    return ThresholdRule(source="test", **fields)


GENERAL_70 = _r(value=70)
TDMNPB_50 = _r(key="tdmnpb", value=50)

# (rules, key, year, denominator) -> (value, applies) of the chosen rule, or None for no rule.
PICK_SYNTHETIC = [
    pytest.param([GENERAL_70], "tdmnpb", 2023, None, (70, True), id="general rule applies to all"),
    pytest.param([GENERAL_70], None, 2023, None, (70, True), id="general rule, no key given"),
    pytest.param(
        [GENERAL_70, TDMNPB_50], "tdmnpb", 2023, None, (50, True), id="region beats general"
    ),
    pytest.param(
        [TDMNPB_50, GENERAL_70], "dbsh", 2023, None, (70, True), id="other region: general"
    ),
    pytest.param(
        [_r(key="general", value=60)], "dbsh", 2023, None, (60, True), id="key general = general"
    ),
    pytest.param([TDMNPB_50], "dbsh", 2023, None, None, id="no rule for the region"),
    pytest.param(
        [GENERAL_70, _r(year=2024, value=75)], "tdmnpb", 2024, None, (75, True), id="year rule"
    ),
    pytest.param(
        [GENERAL_70, _r(year=2024, value=75)], "tdmnpb", 2023, None, (70, True), id="other year"
    ),
    pytest.param(
        [_r(year=2024, value=75), TDMNPB_50], "tdmnpb", 2024, None, (50, True), id="key > year"
    ),
    pytest.param(
        [TDMNPB_50, _r(key="tdmnpb", year=2024, value=55), _r(year=2024, value=75)],
        "tdmnpb",
        2024,
        None,
        (55, True),
        id="key+year beats key",
    ),
    pytest.param([_r(value=None)], "tdmnpb", 2023, None, (None, True), id="value to supply"),
    pytest.param(
        [GENERAL_70, _r(key="dbsh", applies=False)], "dbsh", 2023, None, (None, False), id="n/a"
    ),
    pytest.param([], "tdmnpb", 2023, None, None, id="no rules"),
]


@pytest.mark.parametrize(("rules", "key", "year", "denominator", "expected"), PICK_SYNTHETIC)
def test_pick_threshold(
    rules: list[ThresholdRule],
    key: str | None,
    year: int,
    denominator: float | None,
    expected: tuple[float | None, bool] | None,
) -> None:
    rule = pick_threshold(rules, key, year, denominator)
    assert (None if rule is None else (rule.value, rule.applies)) == expected


# The shipped 2021-2025 set: (code, key, year, denominator) -> (value, applies) or None.
PICK_SHIPPED = [
    pytest.param("2.2", "tdmnpb", 2023, None, (70, True), id="2.2 general for TDMNPB"),
    pytest.param("10", "tdmnpb", 2024, None, (None, True), id="10 income: to supply"),
    pytest.param("11", "dbscl", 2024, None, (None, True), id="11 poverty: to supply"),
    pytest.param("5b", "tdmnpb", 2023, 4, (100, True), id="5b minimum standard TDMNPB"),
    pytest.param("5b", "dbsh", 2023, 4, (None, False), id="5b not required in ĐBSH"),
    pytest.param("5b", "dnb", 2023, 4, (None, False), id="5b not required in ĐNB"),
    pytest.param("5c", "tdmnpb", 2023, 4, (70, True), id="5c level 1, 4 schools"),
    pytest.param("5c", "tdmnpb", 2023, 3, (50, True), id="5c level 1, 3 schools"),
    pytest.param("5c", "tdmnpb", 2023, None, (70, True), id="5c level 1, count unknown"),
    pytest.param("5c", "dbsh", 2023, 2, (100, True), id="5c ĐBSH 100 even with 2 schools"),
    pytest.param("15.3", "tdmnpb", 2023, None, (24, True), id="15.3 TDMNPB"),
    pytest.param("15.3", "dbsh", 2023, None, (16.5, True), id="15.3 ĐBSH"),
    pytest.param("15.3", "general", 2023, None, None, id="15.3 no general value"),
    pytest.param("15.4", "dbsh", 2023, None, (70, True), id="15.4 ĐBSH"),
    pytest.param("15.4", "btb", 2023, None, (None, True), id="15.4 BTB to supply"),
    pytest.param("9.1", "tn", 2023, None, (False, True), id="9.1 answer must be no"),
    pytest.param("17.1b", "dbscl", 2023, None, (15, True), id="17.1b provisional 15"),
]


@pytest.mark.parametrize(("code", "key", "year", "denominator", "expected"), PICK_SHIPPED)
def test_pick_threshold_on_the_2021_2025_set(
    code: str,
    key: str,
    year: int,
    denominator: float | None,
    expected: tuple[float | bool | None, bool] | None,
) -> None:
    _, part = _set(SET_2021).measured_codes()[code]
    rule = pick_threshold(part.thresholds, key, year, denominator)
    assert (None if rule is None else (rule.value, rule.applies)) == expected


# --- invalid documents -----------------------------------------------------------------------

VALID: dict[str, Any] = {
    "id": "bo-thu",
    "title": {"vi": "Bộ tiêu chí thử", "en": "Test set"},
    "legal_basis": {"decision": "0/TEST", "date": "2022-01-01"},
    "years": {"first": 2021, "last": 2025},
    "keyed_by": "region",
    "keys": [{"id": "general", "name": "Chung"}, {"id": "tdmnpb", "name": "TDMNPB"}],
    "complete": True,
    "criteria": [
        {
            "number": "1",
            "name": "Quy hoạch",
            "indicators": [
                {
                    "code": "1.1",
                    "name": "Tỷ lệ",
                    "kind": "percent",
                    "thresholds": [{"value": 70, "source": "test"}],
                },
                {
                    "code": "1.2",
                    "name": "Có quy chế",
                    "kind": "boolean",
                    "direction": "==",
                    "thresholds": [{"value": True, "source": "test"}],
                },
            ],
        }
    ],
}

Mutation = Callable[[dict[str, Any]], None]


def _indicator(doc: dict[str, Any], index: int) -> dict[str, Any]:
    indicator: dict[str, Any] = doc["criteria"][0]["indicators"][index]
    return indicator


def _unknown_kind(doc: dict[str, Any]) -> None:
    _indicator(doc, 0)["kind"] = "ratio"


def _unknown_key(doc: dict[str, Any]) -> None:
    _indicator(doc, 0)["thresholds"].append({"key": "dbsh", "value": 80, "source": "test"})


def _duplicate_code(doc: dict[str, Any]) -> None:
    _indicator(doc, 1)["code"] = "1.1"


def _boolean_with_at_least(doc: dict[str, Any]) -> None:
    _indicator(doc, 1)["direction"] = ">="


def _incomplete_without_missing(doc: dict[str, Any]) -> None:
    doc["complete"] = False


def _village_without_aggregation(doc: dict[str, Any]) -> None:
    _indicator(doc, 0)["scope"] = "village"


def _threshold_not_a_number(doc: dict[str, Any]) -> None:
    _indicator(doc, 0)["thresholds"][0]["value"] = "bảy mươi"


def _id_not_file_name(doc: dict[str, Any]) -> None:
    doc["id"] = "ten-khac"


# (mutation, the path the error must name, a fragment of its message)
INVALID = [
    pytest.param(_unknown_kind, "criteria.0.indicators.0.kind", "boolean", id="unknown kind"),
    pytest.param(_boolean_with_at_least, "criteria.0.indicators.1", "'=='", id="boolean with >="),
    pytest.param(
        _village_without_aggregation,
        "criteria.0.indicators.0",
        "aggregation",
        id="village scope without aggregation",
    ),
    pytest.param(
        _threshold_not_a_number,
        "criteria.0.indicators.0.thresholds.0.value",
        "number",
        id="threshold not a number",
    ),
    pytest.param(_id_not_file_name, "id", "ten-khac", id="id not matching the file name"),
    pytest.param(
        _incomplete_without_missing,
        "missing",
        "missing",
        id="incomplete, no missing",
    ),
    pytest.param(
        _unknown_key,
        "criteria.0.indicators.0.thresholds.1.key",
        "dbsh",
        id="threshold key not among the set's keys",
    ),
    pytest.param(
        _duplicate_code,
        "criteria.0.indicators.1.code",
        "1.1",
        id="duplicate code",
    ),
]


def _write(tmp_path: Path, mutate: Mutation) -> Path:
    doc = copy.deepcopy(VALID)
    mutate(doc)
    path = tmp_path / "bo-thu.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_the_valid_document_loads(tmp_path: Path) -> None:
    crit = load_file(_write(tmp_path, lambda doc: None))
    assert crit.indicator_count() == 2


@pytest.mark.parametrize(("mutate", "where", "fragment"), INVALID)
def test_invalid_document_raises_criteria_error_naming_file_and_path(
    tmp_path: Path, mutate: Mutation, where: str, fragment: str
) -> None:
    path = _write(tmp_path, mutate)
    with pytest.raises(CriteriaError) as caught:
        load_file(path)
    error = caught.value
    assert error.source == str(path)
    assert str(path) in str(error)
    named = [msg for loc, msg in error.details if loc == where or loc.startswith(f"{where}.")]
    assert named, error.details
    assert any(fragment in msg for msg in named), error.details


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        pytest.param(_unknown_key, "'dbsh'", id="threshold key not among the set's keys"),
        pytest.param(_duplicate_code, "'1.1'", id="duplicate code"),
        pytest.param(_incomplete_without_missing, "missing", id="incomplete, no missing"),
    ],
)
def test_set_level_problems_name_the_offender_in_the_message(
    mutate: Mutation, fragment: str
) -> None:
    doc = copy.deepcopy(VALID)
    mutate(doc)
    with pytest.raises(CriteriaError) as caught:
        parse_set(doc, "doc")
    assert any(fragment in msg for _, msg in caught.value.details), caught.value.details


def test_not_yaml_is_a_criteria_error(tmp_path: Path) -> None:
    path = tmp_path / "hong.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CriteriaError) as caught:
        load_file(path)
    assert caught.value.details[0][0] == "(file)"


# --- the set in force for a year -------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "set_id", "complete"),
    [
        (2021, SET_2021, True),
        (2023, SET_2021, True),
        (2025, SET_2021, True),
        (2026, SET_2026, False),
        (2027, SET_2026, False),
        (2030, SET_2026, False),
    ],
)
def test_set_for_year(year: int, set_id: str, complete: bool) -> None:
    crit = set_for_year(year)
    assert (crit.id, crit.complete) == (set_id, complete)


@pytest.mark.parametrize("year", [2012, 2020, 2031])
def test_no_set_for_a_year_outside_every_set(year: int) -> None:
    with pytest.raises(NoCriteriaSetError) as caught:
        set_for_year(year)
    assert caught.value.year == year


def test_a_complete_set_beats_an_incomplete_one_for_the_same_year() -> None:
    """A user-imported complete 2026-2030 set is preferred to the shipped incomplete one."""
    shipped = _set(SET_2026)
    imported = shipped.model_copy(update={"id": "tinh-2026", "complete": True, "missing": []})
    assert set_for_year(2027, sets=[shipped, imported]).id == "tinh-2026"


def test_no_village_level_set_covers_2026_yet() -> None:
    """Village criteria are provincial (criteria.md §1): only Bắc Kạn's 2021-2025 set ships."""
    with pytest.raises(NoCriteriaSetError):
        set_for_year(2026, level="village")


# --- cross-field rules of the schema ----------------------------------------------------------


def _duplicate_multi_part_indicator(doc: dict[str, Any]) -> None:
    for index, part in enumerate(("a", "b")):
        _indicator(doc, index).update(
            code="5",
            thresholds=[],
            parts=[{"code": f"5{part}", "name": "Phần", "thresholds": [{"value": 1}]}],
        )
        _indicator(doc, index).pop("direction", None)
        _indicator(doc, index)["kind"] = "percent"


def _boolean_part_with_at_least(doc: dict[str, Any]) -> None:
    _indicator(doc, 0).update(
        thresholds=[],
        parts=[{"code": "1.1a", "name": "Phần", "kind": "boolean", "direction": ">="}],
    )


def _percent_with_yes_no_threshold(doc: dict[str, Any]) -> None:
    _indicator(doc, 0)["thresholds"] = [{"value": True, "source": "test"}]


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(_duplicate_multi_part_indicator, id="two indicators '5' with parts"),
        pytest.param(_boolean_part_with_at_least, id="boolean part with >="),
        pytest.param(_percent_with_yes_no_threshold, id="percent indicator, threshold TRUE"),
    ],
)
def test_schema_rejects(mutate: Mutation) -> None:
    doc = copy.deepcopy(VALID)
    mutate(doc)
    with pytest.raises(CriteriaError):
        parse_set(doc, "doc")
