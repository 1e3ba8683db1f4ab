"""The bundled demo (issue 16): xã Phong Quang, tỉnh Thái Nguyên, formed on 1 Jul 2025 from
Dương Quang and Đôn Phong, in any database, and what it tells.

- `ntm demo --db URL` loads it into an empty database of either backend: the three profiles
  (the merger, the province, no group for Phong Quang), Phong Quang's villages with the
  predecessor village each came from, and the eleven returns, uploaded as "demo".
- The shipped returns are what scripts/make_demo_data.py writes (Dương Quang's numbers are
  those of the first demo), and Đôn Phong's generic village names are labelled so.
- Phong Quang's 2026 return is on the 2021-2025 form (the 2026-2030 set has no indicators): it
  is kept and not judged; 2026 is judged on vn-ntm-xa-2026-2030, every criterion unknown, with
  the set reported incomplete and the missing commune group named; no indicator is invented.
- The app opens on Phong Quang in 2026 and every page runs on the whole demo.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from app_fixtures import DEMO, ROOT, no_exception, ntm, seeded_with, use_database

# pytest fixtures, requested by name:
from storage_fixtures import fresh_db_url as _fresh_db_url  # noqa: F401
from streamlit.testing.v1 import AppTest

from ntm import demo
from ntm.criteria import CriteriaSet, Criterion, Indicator, ThresholdRule, get_set
from ntm.returns import read_return
from ntm.storage import Store
from ntm.ui import state

DQ = ["Bản Giềng", "Quan Nưa", "Nà Rào", "Bản Bung", "Nà Dì", "Nà Ỏi", "Nà Cưởm", "Bản Pẻn"]
DQ += ["Phặc Tràng"]
DP = [f"Thôn {n}" for n in range(1, 9)]
MERGER = dt.date(2025, 7, 1)
LAST_DAY = dt.date(2025, 6, 30)
YEARS = range(2021, 2026)


@functools.cache
def _script() -> ModuleType:
    """scripts/make_demo_data.py as a module (registered first: it defines dataclasses)."""
    path = ROOT / "scripts" / "make_demo_data.py"
    spec = importlib.util.spec_from_file_location("make_demo_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --- into any database ------------------------------------------------------------------------


def test_ntm_demo_loads_phong_quang_and_its_predecessors_into_any_database(
    fresh_db_url: str,
) -> None:
    done = ntm("demo", "--db", fresh_db_url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["loaded"] == 11
    with Store(fresh_db_url) as store:
        profiles = {
            p.name: (p.province, p.region, p.group, p.valid_from, p.valid_to, p.merged_into)
            for p in store.communes()
        }
        assert profiles == {
            "Phong Quang": ("Thái Nguyên", "tdmnpb", None, MERGER, None, None),
            "Dương Quang": ("Thái Nguyên", "tdmnpb", None, None, LAST_DAY, "Phong Quang"),
            "Đôn Phong": ("Thái Nguyên", "tdmnpb", None, None, LAST_DAY, "Phong Quang"),
        }
        lineage = {v.name: (v.came_from, v.valid_from) for v in store.villages("Phong Quang")}
        assert lineage == {
            **{name: (("Dương Quang", name), MERGER) for name in DQ},
            **{name: (("Đôn Phong", name), MERGER) for name in DP},
        }
        uploads = store.uploads()
        assert set(uploads["user"]) == {demo.DEMO_USER} and set(uploads["status"]) == {"accepted"}
        assert sorted(zip(uploads["commune"], uploads["period"], strict=True)) == sorted(
            [("Dương Quang", y) for y in range(2021, 2026)]
            + [("Đôn Phong", y) for y in range(2021, 2026)]
            + [("Phong Quang", 2026)]
        )


# --- what the demo tells ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'ntm.db'}"
    with Store(url) as store:
        store.migrate()
        assert len(demo.seed(store, DEMO)) == 11
    return url


def test_2026_is_judged_on_the_2026_2030_set_and_nothing_is_invented(demo_url: str) -> None:
    """`ntm report --commune "Phong Quang"`: the predecessors' years as they were (Dương Quang's
    numbers are the first demo's), and Phong Quang 2026 on vn-ntm-xa-2026-2030 with its ten
    criteria unknown; the problems say why, and name the missing commune group."""
    done = ntm("report", "--db", demo_url, "--commune", "Phong Quang", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    whole = {
        (u["commune"], u["period"]): (u["criteria_set"], u["criteria_met"], u["criteria_total"])
        for u in report["units"]
        if u["village"] is None
    }
    old, new = "vn-ntm-xa-2021-2025", "vn-ntm-xa-2026-2030"
    assert whole == {
        **{
            ("Dương Quang", y): (old, n, 19) for y, n in zip(YEARS, [6, 8, 10, 15, 17], strict=True)
        },
        **{("Đôn Phong", y): (old, n, 19) for y, n in zip(YEARS, [3, 6, 8, 13, 17], strict=True)},
        ("Phong Quang", 2026): (new, 0, 10),
    }
    unit = next(u for u in report["units"] if u["commune"] == "Phong Quang")
    assert unit["criteria"] == {str(n): None for n in range(1, 11)}
    assert unit["indicators"] == {}  # not one indicator judged: none exists in the set yet
    codes = [p["code"] for p in report["problems"]]
    assert codes == ["read_on_stated_set", "commune_group_missing", "criteria_set_incomplete"]
    group = report["problems"][1]["message"]
    assert group.startswith("Xã Phong Quang chưa có nhóm xã (1/2/3)")
    assert "Vào Cài đặt" in group and "năm 2026" in group


def test_the_2026_return_is_kept_under_the_codes_it_was_read_with(demo_url: str) -> None:
    """The values are stored (17 villages and the commune), under the 2021-2025 codes: the
    2026-2030 set measures none of them."""
    with Store(demo_url) as store:
        values = store.current_values("Phong Quang", 2026, include_merged=False)
    assert sorted(values["village"].dropna().unique()) == sorted(DQ + DP)
    assert values["village"].isna().any()
    assert not set(values["code"]) & set(get_set("vn-ntm-xa-2026-2030").measured_codes())
    assert set(values["code"]) <= set(get_set("vn-ntm-xa-2021-2025").measured_codes())


# --- a return for a year whose set in force has no indicators ---------------------------------


def _judged_2026() -> CriteriaSet:
    """A synthetic stand-in for an imported 2026-2030 set with indicators (test data, not the
    law's: one indicator "N.1" per criterion, a threshold for every group)."""
    shipped = get_set("vn-ntm-xa-2026-2030")
    criteria = [
        Criterion(
            number=c.number,
            name=c.name,
            indicators=[
                Indicator(
                    code=f"{c.number}.1",
                    name="thử",
                    unit="%",
                    kind="percent",
                    thresholds=[ThresholdRule(value=50.0)],
                )
            ],
        )
        for c in shipped.criteria
    ]
    return shipped.model_copy(update={"criteria": criteria, "complete": True, "missing": []})


OLD_SET, NEW_SET = "vn-ntm-xa-2021-2025", "vn-ntm-xa-2026-2030"


@pytest.mark.parametrize(
    ("file", "imported", "warned", "read_on", "judged_on", "kept"),
    [
        pytest.param(
            "phong-quang-2026.xlsx",
            False,
            "read_on_stated_set",
            OLD_SET,
            NEW_SET,
            253,
            id="2026 on the 2021-2025 form, the set in force empty: read on the form's, kept",
        ),
        pytest.param(
            "phong-quang-2026.xlsx",
            True,
            "form_of_other_period",
            NEW_SET,
            OLD_SET,  # the set the return names, as its metadata keep it
            0,
            id="2026 on the 2021-2025 form, the set in force has indicators: refused",
        ),
        pytest.param(
            "duong-quang-2025.xlsx", False, None, OLD_SET, OLD_SET, 157, id="2025 on its own set"
        ),
    ],
)
def test_a_return_is_read_on_the_set_it_names_only_when_the_set_in_force_has_no_indicators(
    file: str, imported: bool, warned: str | None, read_on: str, judged_on: str, kept: int
) -> None:
    extra = [_judged_2026()] if imported else []
    result = read_return(DEMO / file, extra_sets=extra)
    found = {p.code.value for p in result.problems}
    differs = {"read_on_stated_set", "criteria_set_differs", "form_of_other_period"}
    assert found & differs == ({warned} if warned else set())
    sets = {s.id: s for s in [get_set(OLD_SET), *extra]}
    assert set(result.values["code"]) <= set(sets[read_on].measured_codes())
    assert len(result.values) == kept
    assert result.meta.criteria_set == judged_on
    assert result.ok is (kept > 0)


@pytest.mark.parametrize(
    ("imported", "judged_2026", "warned"),
    [
        pytest.param(False, (0, 10), [], id="set in force still empty: kept, judged on nothing"),
        pytest.param(
            True, None, ["read_on_other_set"], id="official table imported: left out, resend"
        ),
    ],
)
def test_values_read_on_the_old_form_are_never_judged_on_the_new_sets_codes(
    tmp_path: Path, imported: bool, judged_2026: tuple[int, int] | None, warned: list[str]
) -> None:
    """The 2026 return on the 2021-2025 form carries codes ("1.1", "2.1" …) that the imported
    2026-2030 table may also use, for other indicators: once that table is in, the old-form
    values are left out of the judgement (kept stored) and the warning names the file."""
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    with Store(url) as store:
        store.migrate()
        demo.seed(store, DEMO)
        if imported:
            store.save_criteria_set(_judged_2026(), user="admin")
        stored = len(store.current_values("Phong Quang", 2026, include_merged=False))
    done = ntm("report", "--db", url, "--commune", "Phong Quang", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    whole = {
        u["period"]: (u["criteria_met"], u["criteria_total"])
        for u in report["units"]
        if u["commune"] == "Phong Quang" and u["village"] is None
    }
    assert whole.get(2026) == judged_2026
    other = [p for p in report["problems"] if p["code"] == "read_on_other_set"]
    assert [p["code"] for p in other] == warned
    if other:
        assert "phong-quang-2026.xlsx" in other[0]["message"]
        assert "nộp lại báo cáo năm 2026" in other[0]["message"]
    assert stored == 253  # nothing is deleted either way


# --- the files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        *(f"duong-quang-{y}.xlsx" for y in range(2021, 2026)),
        *(f"don-phong-{y}.xlsx" for y in range(2021, 2026)),
        "phong-quang-2026.xlsx",
    ],
)
def test_the_shipped_returns_are_what_the_script_writes(name: str) -> None:
    """`make demo-data` writes these values again (Dương Quang's are the first demo's: same
    seed, same story)."""
    script = _script()
    crit = get_set(script.SET_ID)
    stories = {s.slug: s for s in script.PREDECESSORS}
    slug, year = name.removesuffix(".xlsx").rsplit("-", 1)
    if slug == "phong-quang":
        expected = script.merged_values(crit)
    else:
        expected = script.demo_values(crit, stories[slug])
    expected = expected[expected["period"] == int(year)]
    found = read_return(DEMO / name).values
    columns = ["commune", "village", "period", "code", "value", "numerator", "denominator"]

    def rows(frame):
        return frame[columns].sort_values(columns[:4]).reset_index(drop=True)

    assert len(found) == len(expected)
    assert rows(found).astype(str).equals(rows(expected).astype(str))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("duong-quang-2021.xlsx", ["Dữ liệu minh họa", "không phải số liệu thật"]),
        ("don-phong-2021.xlsx", ["tên thôn là tên chung", "không phải tên thật"]),
        ("phong-quang-2026.xlsx", ["mẫu 2021-2025", "không được đánh giá", "tên chung"]),
    ],
)
def test_each_return_says_what_is_synthetic_or_generic(name: str, words: list[str]) -> None:
    wb = openpyxl.load_workbook(DEMO / name)
    text = " ".join(str(c) for row in wb["Thông tin"].values for c in row if c is not None)
    assert all(w in text for w in words), text


# --- the app on the whole demo ------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("app") / "ntm.db"
    with seeded_with(DEMO):
        yield from use_database(f"sqlite:///{path}")


def _page(name: str, **seed: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=30)
    for key, value in seed.items():
        at.session_state[key] = value
    return at.run()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "screens").glob("*.py")))
def test_every_page_runs_on_the_whole_demo(app_url: str, page: str, lang: str) -> None:
    no_exception(_page(page, **{state.LANG: lang}))


def test_the_app_opens_on_phong_quang_2026_and_says_the_group_is_missing(app_url: str) -> None:
    """Tổng quan: 0/10, and the notice naming the missing group and where to set it."""
    at = _page("tong_quan.py")
    no_exception(at)
    assert (at.session_state[state.COMMUNE], at.session_state[state.YEAR]) == ("Phong Quang", 2026)
    assert {m.label: m.value for m in at.metric}["Tiêu chí xã đã đạt"] == "0/10"
    warnings = [str(w.value).replace("\\", "") for w in at.warning]
    assert any(w.startswith("Xã Phong Quang chưa có nhóm xã (1/2/3)") for w in warnings), warnings


def test_the_village_page_of_2026_says_nothing_can_be_judged_yet(app_url: str) -> None:
    """Phong Quang's villages sent 2026 values; the 2026-2030 set has no indicator to judge
    them on, and Thôn says so (not that there is no data)."""
    at = _page("thon.py")
    no_exception(at)
    shown = [str(i.value).replace("\\", "") for i in at.info]
    assert shown == [
        "Năm 2026 được đánh giá theo Bộ tiêu chí quốc gia về xã nông thôn mới giai đoạn "
        "2026-2030, bộ này chưa có chỉ tiêu nào: chưa đánh giá được thôn nào (số liệu đã nhận "
        "vẫn được lưu)."
    ]
    # Which predecessor each village came from (the register's lineage, migration 0008).
    lineage = "\n".join(str(c.value) for c in at.caption).replace("\\", "")
    assert (
        "Thôn của xã Phong Quang theo xã cũ trước sáp nhập: Đôn Phong: Thôn 1, Thôn 2, Thôn 3, "
        "Thôn 4, Thôn 5, Thôn 6, Thôn 7, Thôn 8; Dương Quang: Bản Bung, Bản Giềng, Bản Pẻn, "
        "Nà Cưởm, Nà Dì, Nà Ỏi, Nà Rào, Phặc Tràng, Quan Nưa" in lineage
    )
