"""A province's village (thôn) set for 2026-2030 (issue 16, item 6).

A commune follows a province's village set for the new period the same way as for 2021-2025:
the set is imported (`ntm criteria import FILE --id ID`, a village-level sheet with years
2026-2030) and listed in the commune's profile (`village_sets`, Cài đặt). Each village set is
applied only to the years it covers: a 2025 village is judged on the 2021-2025 set, a 2026
village on the 2026-2030 one, and a year neither covers on none; a return's village sheet is
read with the codes of the set covering its year only.

No village set of Thái Nguyên (Phong Quang's province) for 2026-2030 is known here, so none
ships: the sets below are synthetic test data (made-up codes and thresholds), not a province's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from app_fixtures import ROOT, ntm
from hostile import LONG_HEADER, xlsx
from test_village_sets import COMMUNE, village_set

from ntm import views
from ntm.criteria import CriteriaSet, ThresholdRule, shipped_sets
from ntm.criteria_sheet import export_bytes
from ntm.errors import Code
from ntm.returns import read_return
from ntm.storage import CommuneProfile, Store
from ntm.village_sets import village_set_for

OLD, NEW = "thu-thon-2021-2025", "thu-thon-2026-2030"


def _sets() -> tuple[CriteriaSet, CriteriaSet]:
    """The test set for 2021-2025 (T4.1 roads ≥ 80 %), and one for 2026-2030 where roads need
    ≥ 95 % and criterion 13 is measured by a new code, T13.2 (both made up)."""
    old = village_set(years=(2021, 2025)).model_copy(update={"id": OLD})
    new = village_set(years=(2026, 2030)).model_copy(update={"id": NEW})
    criteria = []
    for c in new.criteria:
        indicators = []
        for ind in c.indicators:
            if ind.code == "T4.1":
                rule = ThresholdRule(value=95.0, verified=True, source="test")
                ind = ind.model_copy(update={"thresholds": [rule]})
            if ind.code == "T13.1":
                ind = ind.model_copy(update={"code": "T13.2"})
            indicators.append(ind)
        criteria.append(c.model_copy(update={"indicators": indicators}))
    return old, new.model_copy(update={"criteria": criteria})


def _return(year: int, roads: float, income_code: str) -> bytes:
    head = [["Xã:", COMMUNE], ["Thôn/Bản:", "Nà Rào"], ["Năm:", year], [], LONG_HEADER]
    rows = [["T1.1", "", "Đạt"], ["T4.1", "", roads], [income_code, "", 60]]
    return xlsx({"Nà Rào": [*head, *rows]})


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2020, None), (2021, OLD), (2025, OLD), (2026, NEW), (2030, NEW), (2031, None)],
)
def test_each_village_set_covers_only_its_own_years(year: int, expected: str | None) -> None:
    found = village_set_for(year, list(_sets()))
    assert (found.id if found else None) == expected


@pytest.fixture
def url(tmp_path: Path) -> str:
    """Both sets imported through `ntm criteria import`, followed by the commune, and its
    returns for 2025 and 2026 (roads at 90 %: enough for 2021-2025, not for 2026-2030)."""
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    for crit in _sets():
        sheet = tmp_path / f"{crit.id}.xlsx"
        sheet.write_bytes(export_bytes(crit))
        done = ntm("criteria", "import", str(sheet), "--id", crit.id, "--db", url, "--user", "t")
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads(done.stdout)["problems"] == []
    with Store(url) as db:
        assert {s.id: (s.level, s.years.first, s.years.last) for s in db.criteria_sets()} == {
            OLD: ("village", 2021, 2025),
            NEW: ("village", 2026, 2030),
        }
        db.save_commune(CommuneProfile(name=COMMUNE, region="tdmnpb", village_sets=[OLD, NEW]))
        for year, code in ((2025, "T13.1"), (2026, "T13.2")):
            outcome = db.import_bytes(_return(year, 90, code), f"{year}.xlsx", user="t")
            assert outcome.status == "accepted", outcome.problems
    return url


@pytest.mark.parametrize(
    ("year", "judged_on", "roads", "met"),
    [
        pytest.param(2025, OLD, "met", 3, id="2025: the 2021-2025 set (90 ≥ 80)"),
        pytest.param(2026, NEW, "unmet", 2, id="2026: the 2026-2030 set (90 < 95)"),
    ],
)
def test_a_village_is_judged_on_the_set_covering_the_year(
    url: str, year: int, judged_on: str, roads: str, met: int
) -> None:
    with Store(url) as db:
        villages = views.commune_assessment(db, COMMUNE).villages
    assert villages is not None
    units = villages.units[villages.units["period"] == year]
    assert units[["village", "criteria_set", "criteria_met"]].to_dict("records") == [
        {"village": "Nà Rào", "criteria_set": judged_on, "criteria_met": met}
    ]
    crits = villages.criteria[villages.criteria["period"] == year]
    assert crits.set_index("criterion")["status"].to_dict() == {"1": "met", "4": roads, "13": "met"}


@pytest.mark.parametrize(
    ("year", "code", "kept"),
    [
        pytest.param(2025, "T13.1", True, id="2025, a 2021-2025 code: read"),
        pytest.param(2025, "T13.2", False, id="2025, a 2026-2030 code: unknown"),
        pytest.param(2026, "T13.2", True, id="2026, a 2026-2030 code: read"),
        pytest.param(2026, "T13.1", False, id="2026, a 2021-2025 code: unknown"),
    ],
)
def test_a_village_sheet_is_read_with_the_codes_of_the_set_covering_its_year(
    url: str, year: int, code: str, kept: bool
) -> None:
    with Store(url) as db:
        context = db.reading_context()
    result = read_return(_return(year, 90, code), f"{year}.xlsx", **context.kwargs())
    assert (code in set(result.values["code"])) == kept
    unknown = [p.params["code"] for p in result.problems if p.code is Code.UNKNOWN_INDICATOR]
    assert unknown == ([] if kept else [code])


def test_no_village_set_for_thai_nguyen_ships() -> None:
    """Phong Quang's province has no village set here, for either period; the demo's Phong
    Quang follows none (data/demo/communes.yaml)."""
    provinces: list[Any] = [s.province for s in shipped_sets().values() if s.level == "village"]
    assert "Thái Nguyên" not in provinces
    assert all(s.province == "Bắc Kạn" for s in shipped_sets().values() if s.level == "village")
    text = (ROOT / "data" / "demo" / "communes.yaml").read_text(encoding="utf-8")
    phong_quang = text.split("- name: Phong Quang", 1)[1].split("- name:", 1)[0]
    assert "village_sets" not in phong_quang
