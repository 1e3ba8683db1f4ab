"""The commune group (Decision 51/2025/QĐ-TTg: nhóm 1/2/3) is never guessed (issue 16).

- A commune judged in some year on a set keyed by group, whose profile has no group, carries
  the warning `commune_group_missing`: its name, the groups to choose from with their
  definitions, the years concerned, and where to choose (Cài đặt). With a group, or on a set
  keyed by region, there is none.
- The engine judges such a commune on the thresholds common to every group only: a threshold
  given per group reads "no threshold", never the threshold of some group.
- The warning is shown where problems are shown: beside Tổng quan's headline for the years it
  concerns (`views.notices`), on the exports (closing lines, XLSX summary) and in the
  `problems` of `ntm report` and `ntm assess`.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from app_fixtures import DEMO, ntm

from ntm import demo, views
from ntm.attainment import assess
from ntm.criteria import Criterion, Indicator, ThresholdRule, get_set
from ntm.errors import Code
from ntm.exports import report_from_store
from ntm.storage import Store
from ntm.values import make_values

MERGED = "Phong Quang"
SET_2026 = "vn-ntm-xa-2026-2030"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("group") / "ntm.db"
    with Store(f"sqlite:///{path}") as store:
        store.migrate()
        demo.seed(store, DEMO)
    return f"sqlite:///{path}"


def _with_group(url: str, group: str | None) -> None:
    with Store(url) as store:
        profile = store.commune(MERGED)
        assert profile is not None
        store.save_commune(dataclasses.replace(profile, group=group))


@pytest.mark.parametrize(
    ("commune", "year", "group", "warned", "key_name"),
    [
        pytest.param(MERGED, 2026, None, True, "chưa chọn nhóm xã", id="2026, no group: warned"),
        pytest.param(MERGED, 2026, "3", False, "Nhóm 3", id="2026, group 3: nothing"),
        pytest.param(MERGED, 2026, "1", False, "Nhóm 1", id="2026, group 1: nothing"),
        pytest.param(
            "Dương Quang", 2025, None, False, "Trung du", id="2025 by region: no group needed"
        ),
    ],
)
def test_a_commune_without_a_group_is_told_which_choice_is_needed(
    url: str, commune: str, year: int, group: str | None, warned: bool, key_name: str
) -> None:
    _with_group(url, group)
    with Store(url) as store:
        ca = views.commune_assessment(store, commune)
        deck = report_from_store(store, commune, year)
    codes = [p.code for p in views.notices(ca.problems, year)]
    assert codes == ([Code.COMMUNE_GROUP_MISSING] if warned else [])
    assert deck.key_name.startswith(key_name)
    closing = [line.text for line in deck.closing_lines()]
    if warned:
        message = views.notices(ca.problems, year)[0].message("vi")
        assert message.startswith(
            "Xã Phong Quang chưa có nhóm xã (1/2/3) cho Bộ tiêu chí quốc gia về xã nông thôn mới "
            "giai đoạn 2026-2030 (vn-ntm-xa-2026-2030), năm 2026"
        )
        assert "Vào Cài đặt › Hồ sơ xã để chọn nhóm" in message
        assert "Nhóm 3: Xã khu vực II, III thuộc vùng đồng bào dân tộc thiểu số" in message
        english = views.notices(ca.problems, year)[0].message("en")
        assert "Group 3: An Area II or III commune" in english and "Settings" in english
        assert deck.notices == [message] and message in closing
    else:
        assert deck.notices == [] and not any("nhóm xã (1/2/3)" in t for t in closing)


def test_the_warning_concerns_only_the_years_judged_by_group(url: str) -> None:
    """Phong Quang's history before 2026 (its predecessors', judged by region) is not warned."""
    _with_group(url, None)
    with Store(url) as store:
        ca = views.commune_assessment(store, MERGED)
    assert [p.code for p in views.notices(ca.problems, 2026)] == [Code.COMMUNE_GROUP_MISSING]
    assert views.notices(ca.problems, 2025) == []


def test_ntm_report_lists_the_missing_group_in_its_problems(url: str) -> None:
    _with_group(url, None)
    done = ntm("report", "--db", url, "--period", "2026", "--format", "json")
    assert done.returncode == 0, done.stderr
    problems = json.loads(done.stdout)["problems"]
    missing = [p for p in problems if p["code"] == "commune_group_missing"]
    assert len(missing) == 1 and missing[0]["severity"] == "warning"
    assert missing[0]["message"].startswith("Xã Phong Quang chưa có nhóm xã")
    assert "ntm report: Xã Phong Quang chưa có nhóm xã (1/2/3)" in done.stderr


@pytest.mark.parametrize(
    ("args", "warned"),
    [
        pytest.param([], True, id="no group given: warned"),
        pytest.param(["--group", "3"], False, id="--group 3: nothing"),
    ],
)
def test_ntm_assess_of_a_2026_file_says_the_same(args: list[str], warned: bool) -> None:
    done = ntm("assess", str(DEMO / "phong-quang-2026.xlsx"), *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    codes = [p["code"] for p in json.loads(done.stdout)["problems"]]
    assert ("commune_group_missing" in codes) == warned


def _by_group_set() -> tuple[object, pd.DataFrame]:
    """A synthetic test set keyed by group (not the law's indicators: the shipped 2026-2030 set
    has none): T.1 has a threshold per group, T.2 one common to every group."""
    shipped = get_set(SET_2026)
    percent = {"unit": "%", "kind": "percent"}
    per_group = [ThresholdRule(key=g, value=v) for g, v in (("1", 90.0), ("2", 70.0), ("3", 50.0))]
    crit = shipped.model_copy(
        update={
            "id": "thu-nhom",
            "criteria": [
                Criterion(
                    number="1",
                    name=shipped.criteria[0].name,
                    indicators=[
                        Indicator(
                            code="T.1", name="Thử theo nhóm", thresholds=per_group, **percent
                        ),
                        Indicator(
                            code="T.2",
                            name="Thử chung",
                            thresholds=[ThresholdRule(value=60.0)],
                            **percent,
                        ),
                    ],
                )
            ],
        }
    )
    values = make_values(
        [
            {"commune": "X", "village": None, "period": 2026, "code": "T.1", "value": 80.0},
            {"commune": "X", "village": None, "period": 2026, "code": "T.2", "value": 65.0},
        ]
    )
    return crit, values


@pytest.mark.parametrize(
    ("keys", "statuses", "warned"),
    [
        pytest.param({}, {"T.1": "no_threshold", "T.2": "met"}, True, id="no group: none picked"),
        pytest.param({"X": {"group": "2"}}, {"T.1": "met", "T.2": "met"}, False, id="group 2"),
        pytest.param({"X": {"group": "1"}}, {"T.1": "unmet", "T.2": "met"}, False, id="group 1"),
    ],
)
def test_the_engine_never_picks_a_group(
    keys: dict[str, dict[str, str]], statuses: dict[str, str], warned: bool
) -> None:
    crit, values = _by_group_set()
    result = assess(values, keys=keys, criteria=crit)  # type: ignore[arg-type]
    parts = result.parts.set_index("code")["status"].to_dict()
    assert parts == statuses
    found = [p.code for p in views.group_problems(result, keys)]
    assert found == ([Code.COMMUNE_GROUP_MISSING] if warned else [])


def test_the_shipped_demo_sets_no_group(tmp_path: Path) -> None:
    """Phong Quang's official group is not known here: the demo leaves it unset."""
    text = (DEMO / "communes.yaml").read_text(encoding="utf-8")
    assert "group:" not in text.replace("commune_group", "")
