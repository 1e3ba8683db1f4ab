"""Province village (thôn) criteria sets: each village judged on the set its commune follows.

Rules (ntm.village_sets; criteria.md §1: Bắc Kạn Decision 902/QĐ-UBND, "a village must meet
all"): a village is at the village standard when every criterion of the set is met; a missing
value or a threshold the set lacks leaves its criterion unknown; the commune's own assessment
never uses a village set.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from app_fixtures import ROOT, duong_quang_demo, no_exception, ntm, seeded_with, use_database
from hostile import LONG_HEADER, xlsx
from streamlit.testing.v1 import AppTest

from ntm import demo
from ntm.attainment import assess
from ntm.auth import Role, User
from ntm.criteria import CriteriaSet, parse_set, shipped_sets
from ntm.criteria_sheet import export_bytes
from ntm.errors import Code
from ntm.exports import report_from_store
from ntm.returns import read_return
from ntm.storage import CommuneProfile, Store
from ntm.template import build_template, fill_template
from ntm.ui import auth_ui, services, state
from ntm.values import VALUE_COLUMNS
from ntm.village_sets import assess_villages, clashing_codes, village_set_for

BAC_KAN = "vn-bac-kan-thon-2021-2025"
COMMUNE = "Dương Quang"
# A stored profile's region, as in the app (these tests are not about the region).
PROFILE = {COMMUNE: {"region": "tdmnpb"}}


def _rule(value: Any) -> list[dict[str, Any]]:
    return [{"value": value, "verified": True, "source": "test"}]


def village_set(
    t13_threshold: float | None = 40.0, years: tuple[int, int] = (2021, 2025)
) -> CriteriaSet:
    """Three village criteria: a yes/no, a percent and a money value (illustrative thresholds)."""
    doc = {
        "id": "thu-thon",
        "title": "Bộ tiêu chí thôn (thử)",
        "legal_basis": {"decision": "1/QĐ-UBND", "date": "2022-01-01"},
        "years": {"first": years[0], "last": years[1]},
        "level": "village",
        "province": "Thử",
        "keyed_by": "region",
        "keys": [{"id": "general", "name": "Chung"}],
        "complete": True,
        "criteria": [
            {
                "number": "1",
                "name": "Ban phát triển thôn",
                "indicators": [
                    {
                        "code": "T1.1",
                        "name": "Có ban phát triển thôn",
                        "kind": "boolean",
                        "direction": "==",
                        "thresholds": _rule(True),
                    }
                ],
            },
            {
                "number": "4",
                "name": "Giao thông",
                "indicators": [
                    {
                        "code": "T4.1",
                        "name": "Tỷ lệ đường thôn được cứng hóa",
                        "kind": "percent",
                        "thresholds": _rule(80.0),
                    }
                ],
            },
            {
                "number": "13",
                "name": "Kinh tế hộ",
                "indicators": [
                    {
                        "code": "T13.1",
                        "name": "Thu nhập bình quân",
                        "unit": "triệu đồng/người/năm",
                        "kind": "money",
                        "thresholds": _rule(t13_threshold),
                    }
                ],
            },
        ],
    }
    return parse_set(doc, "test")


def values(rows: Sequence[tuple[str | None, int, str, Any]]) -> pd.DataFrame:
    """(village, period, code, value) rows of the commune; booleans as 1/0."""
    frame = pd.DataFrame(
        [
            {
                "commune": COMMUNE,
                "village": village,
                "period": period,
                "code": code,
                "value": float(value),
                "numerator": float("nan"),
                "denominator": float("nan"),
            }
            for village, period, code, value in rows
        ]
    )
    return frame.reindex(columns=VALUE_COLUMNS)


def _statuses(result: Any, village: str, period: int = 2024) -> dict[str, str]:
    crits = result.criteria
    mine = crits[(crits["village"] == village) & (crits["period"] == period)]
    return dict(zip(mine["criterion"].astype(str), mine["status"], strict=True))


@pytest.mark.parametrize(
    ("given", "expected", "at_standard"),
    [
        (
            {"T1.1": True, "T4.1": 90, "T13.1": 50},
            {"1": "met", "4": "met", "13": "met"},
            True,
        ),
        (
            {"T1.1": True, "T4.1": 70, "T13.1": 50},
            {"1": "met", "4": "unmet", "13": "met"},
            False,
        ),
        (
            {"T1.1": False, "T4.1": 80, "T13.1": 40},
            {"1": "unmet", "4": "met", "13": "met"},
            False,
        ),
        (
            {"T1.1": True, "T4.1": 90},
            {"1": "met", "4": "met", "13": "unknown"},
            False,
        ),
        (
            {"2.2": 70},  # only a national indicator: every village criterion lacks its value
            {"1": "unknown", "4": "unknown", "13": "unknown"},
            False,
        ),
    ],
    ids=["all met", "one unmet", "boolean unmet", "value missing", "no village-set values"],
)
def test_a_village_is_at_standard_only_when_every_criterion_of_the_set_is_met(
    given: dict[str, Any], expected: dict[str, str], at_standard: bool
) -> None:
    rows = [("Nà Rào", 2024, code, value) for code, value in given.items()]
    result = assess_villages(values(rows), [village_set()])
    assert _statuses(result, "Nà Rào") == expected
    unit = result.units.iloc[0]
    assert (unit["commune"], unit["village"], unit["period"]) == (COMMUNE, "Nà Rào", 2024)
    assert (bool(unit["at_standard"]), int(unit["criteria_total"])) == (at_standard, 3)


def test_a_threshold_the_set_lacks_leaves_the_criterion_unknown_never_guessed() -> None:
    rows = [
        ("Nà Rào", 2024, "T1.1", True),
        ("Nà Rào", 2024, "T4.1", 90),
        ("Nà Rào", 2024, "T13.1", 99),
    ]
    result = assess_villages(values(rows), [village_set(t13_threshold=None)])
    assert _statuses(result, "Nà Rào")["13"] == "unknown"
    part = result.parts[result.parts["code"] == "T13.1"].iloc[0]
    assert part["status"] == "no_threshold"


def test_each_village_is_judged_on_its_own_values_and_the_commune_row_is_not_used() -> None:
    rows = [
        (None, 2024, "T4.1", 100),  # the commune as a whole: not a village
        ("Nà Rào", 2024, "T1.1", True),
        ("Nà Rào", 2024, "T4.1", 85),
        ("Nà Rào", 2024, "T13.1", 41),
        ("Bản Giềng", 2024, "T1.1", True),
        ("Bản Giềng", 2024, "T4.1", 60),
        ("Bản Giềng", 2024, "T13.1", 41),
    ]
    result = assess_villages(values(rows), [village_set()])
    at_standard = dict(zip(result.units["village"], result.units["at_standard"], strict=True))
    assert at_standard == {"Bản Giềng": False, "Nà Rào": True}
    assert result.units["village"].notna().all()


def test_a_values_frame_with_a_repeated_index_is_judged_all_the_same() -> None:
    frame = values([("Nà Rào", 2024, "T1.1", True), ("Bản Giềng", 2024, "T4.1", 90)])
    frame.index = pd.Index([0, 0])
    result = assess_villages(frame, [village_set()])
    met = dict(zip(result.units["village"], result.units["criteria_met"], strict=True))
    assert met == {"Bản Giềng": 1, "Nà Rào": 1}


def test_years_no_chosen_village_set_covers_are_not_judged() -> None:
    rows = [("Nà Rào", 2026, "T1.1", True), ("Nà Rào", 2024, "T1.1", True)]
    result = assess_villages(values(rows), [village_set(years=(2021, 2025))])
    assert sorted(result.units["period"].tolist()) == [2024]


def test_the_shipped_bac_kan_set_judges_every_village_and_says_it_is_incomplete() -> None:
    """No indicators are transcribed: all 16 criteria unknown, no village at standard."""
    rows = [("Nà Rào", 2024, "2.2", 70), ("Quan Nưa", 2024, "2.2", 75)]
    result = assess_villages(values(rows), [shipped_sets()[BAC_KAN]])
    assert result.units[["village", "criteria_met", "criteria_total", "at_standard"]].to_dict(
        "records"
    ) == [
        {"village": "Nà Rào", "criteria_met": 0, "criteria_total": 16, "at_standard": False},
        {"village": "Quan Nưa", "criteria_met": 0, "criteria_total": 16, "at_standard": False},
    ]
    assert [p.code for p in result.problems] == [Code.CRITERIA_SET_INCOMPLETE]


def test_the_commune_assessment_ignores_village_set_codes() -> None:
    national = [("Nà Rào", 2024, "2.2", 70), (None, 2024, "2.1", 100)]
    with_village_codes = [*national, ("Nà Rào", 2024, "T4.1", 90)]
    plain = assess(values(national)).units
    mixed = assess(values(with_village_codes)).units
    pd.testing.assert_frame_equal(plain, mixed)


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2021, BAC_KAN), (2025, BAC_KAN), (2026, None), (2020, None)],
)
def test_village_set_for_the_year(year: int, expected: str | None) -> None:
    found = village_set_for(year, [shipped_sets()[BAC_KAN]])
    assert (found.id if found else None) == expected


def _with_code(code: str) -> CriteriaSet:
    """The test village set with its first indicator renamed `code`."""
    first = village_set().criteria[0]
    indicator = first.indicators[0].model_copy(update={"code": code})
    return village_set().model_copy(
        update={"criteria": [first.model_copy(update={"indicators": [indicator]})]}
    )


@pytest.mark.parametrize(
    ("code", "clashes"),
    [
        ("T1.1", False),
        ("TC99.1", False),  # read as 99.1 when typed loosely: no commune code has that
        ("2.2", True),  # the same code
        ("TC2.2", True),  # "TC 2.2" is how staff write commune indicator 2.2
        ("12.2", True),  # a multi-part commune indicator's own code
    ],
)
def test_codes_a_return_could_not_tell_from_the_commune_sets_are_named(
    code: str, clashes: bool
) -> None:
    national = shipped_sets()["vn-ntm-xa-2021-2025"]
    assert clashing_codes(national, _with_code(code)) == ([code] if clashes else [])


def test_a_code_written_as_the_village_set_writes_it_is_not_read_as_a_national_code() -> None:
    result = read_return(
        _village_return("TC99.1", "Đạt"),
        "thon.xlsx",
        village_sets=[_with_code("TC99.1")],
        commune_keys=PROFILE,
    )
    assert sorted(result.values["code"]) == ["2.2", "TC99.1"]
    assert [p.code for p in result.problems] == []


def test_codes_shared_with_the_commune_set_are_named() -> None:
    national = shipped_sets()["vn-ntm-xa-2021-2025"]
    clashing = village_set().model_copy(
        update={
            "criteria": [
                village_set()
                .criteria[0]
                .model_copy(update={"indicators": [national.indicator("2.2")]})
            ]
        }
    )
    assert clashing_codes(national, village_set()) == []
    assert clashing_codes(national, clashing) == ["2.2"]


def _village_return(code: str, value: Any) -> bytes:
    sheet = [["Xã:", COMMUNE], ["Thôn/Bản:", "Nà Rào"], ["Năm:", 2024], [], LONG_HEADER]
    return xlsx({"Nà Rào": [*sheet, ["2.2", "", 70], [code, "", value]]})


@pytest.mark.parametrize(
    ("sets", "kept", "problems"),
    [
        ((), ["2.2"], [Code.UNKNOWN_INDICATOR]),
        (("thu-thon",), ["2.2", "T4.1"], []),
    ],
    ids=["without the village set", "with it"],
)
def test_a_village_sheet_may_carry_the_village_sets_codes(
    sets: tuple[str, ...], kept: list[str], problems: list[Code]
) -> None:
    chosen = [village_set()] if sets else []
    result = read_return(
        _village_return("T4.1", 90), "thon.xlsx", village_sets=chosen, commune_keys=PROFILE
    )
    assert sorted(result.values["code"]) == kept
    assert [p.code for p in result.problems] == problems


def test_a_village_set_value_out_of_range_is_reported_with_its_cell() -> None:
    result = read_return(
        _village_return("T4.1", 140),
        "thon.xlsx",
        village_sets=[village_set()],
        commune_keys=PROFILE,
    )
    found = [(p.code, p.sheet, p.cell) for p in result.problems]
    assert found == [(Code.PERCENT_OUT_OF_RANGE, "Nà Rào", "C7")]


# --- stored, imported and shown ---------------------------------------------------------------


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "no-demo").mkdir()
    monkeypatch.setattr(demo, "folder", lambda: tmp_path / "no-demo")
    yield from use_database(f"sqlite:///{tmp_path / 'ntm.db'}")


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[str]:
    """Seeded from data/demo: Dương Quang follows Bắc Kạn's village set (communes.yaml)."""
    with seeded_with(duong_quang_demo(tmp_path / "demo")):
        yield from use_database(f"sqlite:///{tmp_path / 'ntm.db'}")


def run_page(name: str, seed: dict[str, object], user: User | None = None) -> AppTest:
    if user is not None:
        services.store().save_user(user.name, user.role.value, None, user="test")
        seed = {**auth_ui.session_for(user), **seed}
    at = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=30)
    for key, value in seed.items():
        at.session_state[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


ADMIN = User("Hùng", Role.ADMIN)


def _return_with_village_set_values() -> bytes:
    """Nà Rào meets the three village criteria; Bản Giềng's roads (T4.1) fall short."""
    sheets = {
        village: [
            ["Xã:", COMMUNE],
            ["Thôn/Bản:", village],
            ["Năm:", 2024],
            [],
            LONG_HEADER,
            ["2.2", "", 75],
            ["T1.1", "", "Đạt"],
            ["T4.1", "", roads],
            ["T13.1", "", 45],
        ]
        for village, roads in (("Nà Rào", 90), ("Bản Giềng", 60))
    }
    return xlsx(sheets)


def test_a_commune_following_a_stored_village_set_sees_each_village_judged_on_it(
    empty_db: str,
) -> None:
    """Import a set, choose it for the commune, import a return with its codes: Thôn and Tổng
    quan show the province's verdict."""
    db = services.store()
    db.save_criteria_set(village_set(), user="test")
    db.save_commune(CommuneProfile(name=COMMUNE, region="tdmnpb", village_sets=["thu-thon"]))
    outcome = db.import_bytes(_return_with_village_set_values(), "2024.xlsx", user="test")
    assert [p.code for p in outcome.problems] == []
    services.clear_caches()

    shown = {}
    for village in ("Nà Rào", "Bản Giềng"):
        at = run_page("thon.py", {state.COMMUNE: COMMUNE, state.YEAR: 2024, state.VILLAGE: village})
        no_exception(at)
        shown[village] = (
            metrics(at)["Tiêu chí thôn (tỉnh Thử) đã đạt"],
            metrics(at)["Đạt chuẩn thôn nông thôn mới"],
        )
    assert shown == {"Nà Rào": ("3/3", "Có"), "Bản Giềng": ("2/3", "Chưa")}

    at = run_page("tong_quan.py", {state.COMMUNE: COMMUNE, state.YEAR: 2024})
    no_exception(at)
    assert metrics(at)["Thôn đạt chuẩn"] == "1/2"


def test_the_demo_village_page_says_the_bac_kan_set_has_no_indicators_yet(demo_db: str) -> None:
    at = run_page("thon.py", {state.YEAR: 2024, state.VILLAGE: "Nà Rào"})
    no_exception(at)
    assert metrics(at)["Tiêu chí thôn (tỉnh Bắc Kạn) đã đạt"] == "0/16"
    assert metrics(at)["Đạt chuẩn thôn nông thôn mới"] == "Chưa"
    warnings = [str(w.value).replace("\\", "") for w in at.warning]
    assert any("902/QĐ-UBND" in w and "chưa đầy đủ" in w for w in warnings)
    criteria = at.table[0].value
    assert len(criteria) == 16 and all("Chưa có ngưỡng" in s for s in criteria["Đánh giá"])


def test_settings_choose_a_village_set_for_the_commune(empty_db: str) -> None:
    services.store().save_commune(CommuneProfile(name=COMMUNE, region="tdmnpb"))
    services.clear_caches()
    at = run_page("cai_dat.py", {state.COMMUNE: COMMUNE}, ADMIN)
    no_exception(at)
    at.multiselect(key=f"settings_village_sets_{COMMUNE}").set_value([BAC_KAN])
    at.button(key=f"settings_save_{COMMUNE}").click().run()
    no_exception(at)
    profile = services.profile(COMMUNE)
    assert profile is not None and profile.village_sets == [BAC_KAN]


def test_settings_refuse_a_village_set_that_reuses_commune_codes(empty_db: str) -> None:
    national = shipped_sets()["vn-ntm-xa-2021-2025"]
    reusing = village_set().model_copy(
        update={
            "id": "thon-trung-ma",
            "criteria": [
                village_set()
                .criteria[0]
                .model_copy(update={"indicators": [national.indicator("2.2")]})
            ],
        }
    )
    services.store().save_criteria_set(reusing, user="test")
    services.store().save_commune(CommuneProfile(name=COMMUNE, region="tdmnpb"))
    services.clear_caches()
    at = run_page("cai_dat.py", {state.COMMUNE: COMMUNE}, ADMIN)
    at.multiselect(key=f"settings_village_sets_{COMMUNE}").set_value(["thon-trung-ma"])
    at.button(key=f"settings_save_{COMMUNE}").click().run()
    no_exception(at)
    errors = [str(e.value).replace("\\", "") for e in at.error]
    assert any("thon-trung-ma" in e and "2.2" in e for e in errors)
    profile = services.profile(COMMUNE)
    assert profile is not None and profile.village_sets == []


# --- the command line ---------------------------------------------------------------------------


def test_assess_with_a_village_set_judges_each_village_on_it() -> None:
    done = ntm("assess", str(ROOT / "data/demo/duong-quang-2024.xlsx"), "--village-set", BAC_KAN)
    assert done.returncode == 0, done.stderr
    judged = json.loads(done.stdout)["village_assessment"]
    assert judged["criteria_set"] == BAC_KAN
    assert len(judged["units"]) == 9
    assert {(u["criteria_met"], u["criteria_total"]) for u in judged["units"]} == {(0, 16)}
    assert all(u["village"] and u["period"] == 2024 for u in judged["units"])
    assert [p["code"] for p in judged["problems"]] == ["criteria_set_incomplete"]


def test_assess_refuses_a_commune_set_as_a_village_set() -> None:
    done = ntm(
        "assess",
        str(ROOT / "data/demo/duong-quang-2024.xlsx"),
        "--village-set",
        "vn-ntm-xa-2021-2025",
    )
    assert done.returncode == 2
    assert "không phải bộ tiêu chí thôn" in done.stderr


def test_report_carries_the_village_assessment_of_communes_that_follow_a_set(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    with Store(url) as db:
        db.migrate()
        db.save_criteria_set(village_set(), user="test")
        db.save_commune(CommuneProfile(name=COMMUNE, region="tdmnpb", village_sets=["thu-thon"]))
        db.import_bytes(_return_with_village_set_values(), "2024.xlsx", user="test")
    done = ntm("report", "--db", url, "--format", "json")
    assert done.returncode == 0, done.stderr
    judged = json.loads(done.stdout)["village_assessment"]
    verdicts = {
        u["village"]: (u["criteria_met"], u["criteria_total"], u["criteria"])
        for u in judged["units"]
    }
    assert verdicts == {
        "Bản Giềng": (2, 3, {"1": True, "4": False, "13": True}),
        "Nà Rào": (3, 3, {"1": True, "4": True, "13": True}),
    }
    assert judged["units"][1]["indicators"]["T4.1"]["value"] == 90.0


def test_exports_count_villages_at_standard_on_the_village_set_and_say_so(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'ntm.db'}") as db:
        db.migrate()
        db.save_criteria_set(village_set(), user="test")
        db.save_commune(CommuneProfile(name=COMMUNE, region="tdmnpb", village_sets=["thu-thon"]))
        db.import_bytes(_return_with_village_set_values(), "2024.xlsx", user="test")
        report = report_from_store(db, COMMUNE, 2024)
    assert (report.headline.villages_at_standard, report.headline.villages_total) == (1, 2)
    assert "Bộ tiêu chí thôn (thử) (3 tiêu chí" in report.footnote


def test_the_return_template_asks_each_village_for_the_village_sets_indicators() -> None:
    """The template a village fills carries the village set's codes after the national ones,
    and what it is filled with reads back (template → reader)."""
    national = shipped_sets()["vn-ntm-xa-2021-2025"]
    wb = build_template(
        COMMUNE, 2024, ["Nà Rào"], national, key="tdmnpb", village_set=village_set()
    )
    sheet = wb["Nà Rào"]
    codes = [sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)]
    assert codes[-3:] == ["T1.1", "T4.1", "T13.1"]
    labels = {sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)}
    assert "Thôn – 4. Giao thông" in labels
    filled = values([("Nà Rào", 2024, "T1.1", True), ("Nà Rào", 2024, "T4.1", 85)])
    fill_template(wb, filled)
    buffer = io.BytesIO()
    wb.save(buffer)
    result = read_return(
        buffer.getvalue(), "mau.xlsx", village_sets=[village_set()], commune_keys=PROFILE
    )
    got = result.values.set_index("code")["value"].to_dict()
    assert (got["T1.1"], got["T4.1"]) == (1.0, 85.0)
    assert not [p for p in result.problems if p.is_error]


def test_ntm_template_from_the_database_includes_the_village_set(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    with Store(url) as db:
        db.migrate()
        db.save_criteria_set(village_set(), user="test")
        db.save_commune(
            CommuneProfile(
                name=COMMUNE, region="tdmnpb", village_sets=["thu-thon"], villages=["Nà Rào"]
            )
        )
    out = tmp_path / "mau.xlsx"
    done = ntm("template", "--db", url, "--commune", COMMUNE, "--period", "2024", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["village_set"] == "thu-thon"
    sheet = openpyxl.load_workbook(out)["Nà Rào"]
    assert "T4.1" in [sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)]


def test_a_village_set_value_on_the_commune_sheet_is_left_out_and_reported() -> None:
    sheets = {
        "Toàn xã": [
            ["Xã:", COMMUNE],
            ["Năm:", 2024],
            [],
            LONG_HEADER,
            ["2.1", "", 99],
            ["T4.1", "", 90],
        ]
    }
    result = read_return(
        xlsx(sheets), "xa.xlsx", village_sets=[village_set()], commune_keys=PROFILE
    )
    assert list(result.values["code"]) == ["2.1"]
    found = [(p.code, p.sheet, p.cell, p.params["criteria_set"]) for p in result.problems]
    assert found == [(Code.VILLAGE_CODE_FOR_COMMUNE, "Toàn xã", "C6", "thu-thon")]
    assert "ở trang của thôn" in result.problems[0].message("vi")


def test_assess_finds_a_village_set_stored_in_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    with Store(url) as db:
        db.migrate()
        db.save_criteria_set(village_set(), user="test")
    source = tmp_path / "2024.xlsx"
    source.write_bytes(_return_with_village_set_values())
    without = ntm("assess", str(source), "--village-set", "thu-thon")
    assert without.returncode == 2 and "thu-thon" in without.stderr
    done = ntm("assess", str(source), "--village-set", "thu-thon", "--db", url)
    assert done.returncode == 0, done.stderr
    units = json.loads(done.stdout)["village_assessment"]["units"]
    assert {u["village"]: u["criteria_met"] for u in units} == {"Bản Giềng": 2, "Nà Rào": 3}


def test_a_village_that_has_only_village_set_values_is_counted_and_shown(empty_db: str) -> None:
    """Total and count come from the same judgement: "1/1", never "1/0"."""
    rows = [["T1.1", "", "Đạt"], ["T4.1", "", 95], ["T13.1", "", 50]]
    sheet = [["Xã:", COMMUNE], ["Thôn/Bản:", "Nà Rào"], ["Năm:", 2024], [], LONG_HEADER, *rows]
    whole = [["Xã:", COMMUNE], ["Năm:", 2024], [], LONG_HEADER, ["2.1", "", 100]]
    db = services.store()
    db.save_criteria_set(village_set(), user="test")
    db.save_commune(CommuneProfile(name=COMMUNE, region="tdmnpb", village_sets=["thu-thon"]))
    outcome = db.import_bytes(xlsx({"Toàn xã": whole, "Nà Rào": sheet}), "2024.xlsx", user="t")
    assert outcome.status == "accepted"
    services.clear_caches()
    overview = services.overview(COMMUNE, 2024, "vi")
    assert overview is not None
    assert (overview.villages_at_standard, overview.villages_total) == (1, 1)
    at = run_page("thon.py", {state.COMMUNE: COMMUNE, state.YEAR: 2024})
    no_exception(at)
    assert metrics(at)["Tiêu chí thôn (tỉnh Thử) đã đạt"] == "3/3"
    assert metrics(at)["Tiêu chí xã có chỉ tiêu cấp thôn đã đạt"] == "—"


def test_a_village_set_is_read_only_for_the_communes_that_follow_it(tmp_path: Path) -> None:
    """Another commune's "T4.1" stays an unknown code (warned, not stored unjudged)."""
    with Store(f"sqlite:///{tmp_path / 'ntm.db'}") as db:
        db.migrate()
        db.save_criteria_set(village_set(), user="test")
        db.save_commune(CommuneProfile(name=COMMUNE, region="tdmnpb", village_sets=["thu-thon"]))
        db.save_commune(CommuneProfile(name="Đôn Phong", region="tdmnpb"))
        context = db.reading_context()
        assert [s.id for s in context.village_sets] == ["thu-thon"]
        sheet = [["Xã:", "Đôn Phong"], ["Thôn/Bản:", "Nà Rào"], ["Năm:", 2024], [], LONG_HEADER]
        data = xlsx({"Nà Rào": [*sheet, ["2.2", "", 70], ["T4.1", "", 90]]})
        other = read_return(data, "don-phong.xlsx", **context.kwargs())
        ours = read_return(_return_with_village_set_values(), "dq.xlsx", **context.kwargs())
    assert sorted(other.values["code"]) == ["2.2"]
    assert [p.code for p in other.problems] == [Code.UNKNOWN_INDICATOR]
    assert "T4.1" in set(ours.values["code"])


@pytest.mark.parametrize(
    ("code", "refused"),
    [("T1.1", False), ("2.2", True), ("TC2.2", True)],
)
def test_importing_a_village_set_whose_codes_a_return_could_not_tell_apart_is_refused(
    tmp_path: Path, code: str, refused: bool
) -> None:
    """`ntm criteria import` (and Cài đặt's import, which shares the check) refuses a village
    set beside the 2021-2025 commune set when a code clashes, naming the codes."""
    sheet = tmp_path / "thon.xlsx"
    sheet.write_bytes(export_bytes(_with_code(code)))
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    done = ntm("criteria", "import", str(sheet), "--id", "thu-thon", "--db", url, "--user", "t")
    problems = json.loads(done.stdout)["problems"]
    assert (done.returncode, bool(problems)) == ((1, True) if refused else (0, False))
    if refused:
        assert code in problems[0]["message"] and "vn-ntm-xa-2021-2025" in problems[0]["message"]


def test_the_export_change_line_counts_villages_on_the_village_set_too(tmp_path: Path) -> None:
    def year_return(year: int, roads: int) -> bytes:
        rows = [["2.2", "", 75], ["T1.1", "", "Đạt"], ["T4.1", "", roads], ["T13.1", "", 45]]
        head = [["Xã:", COMMUNE], ["Thôn/Bản:", "Nà Rào"], ["Năm:", year], [], LONG_HEADER]
        return xlsx({"Nà Rào": [*head, *rows]})

    with Store(f"sqlite:///{tmp_path / 'ntm.db'}") as db:
        db.migrate()
        db.save_criteria_set(village_set(), user="test")
        db.save_commune(CommuneProfile(name=COMMUNE, region="tdmnpb", village_sets=["thu-thon"]))
        db.import_bytes(year_return(2023, 60), "2023.xlsx", user="test")
        db.import_bytes(year_return(2024, 90), "2024.xlsx", user="test")
        report = report_from_store(db, COMMUNE, 2024)
    assert (report.changes.at_standard_before, report.changes.at_standard_after) == (0, 1)
    assert report.headline.villages_at_standard == 1


def test_assess_with_a_mistyped_database_stops_without_creating_one(tmp_path: Path) -> None:
    typo = tmp_path / "ntm-typo.db"
    done = ntm("assess", str(ROOT / "data/demo/duong-quang-2024.xlsx"), "--db", f"sqlite:///{typo}")
    assert done.returncode == 2 and "không có cơ sở dữ liệu" in done.stderr
    assert not typo.exists()
