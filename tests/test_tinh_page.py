"""The Tỉnh page (screens/tinh.py), run headless with AppTest (issue 17).

On the province of tests/test_views_province.py (its tables state every commune's numbers):
the page shows the view's numbers, filters by group, lists the communes close to standard,
offers both exports, opens a commune's Tổng quan, and draws every presentation slide. On the
demo it shows Thái Nguyên: Phong Quang in 2026 with the engine's numbers, its predecessors
listed as merged into it before. The numbers themselves are checked against the engine in
tests/test_views_province.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_fixtures import no_exception, use_database
from streamlit.testing.v1 import AppTest
from test_views_province import BK, TN, build_store

from ntm.attainment import assess
from ntm.storage import Store
from ntm.ui import state
from ntm.values import VALUE_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "screens" / "tinh.py")


@pytest.fixture(scope="module")
def province_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from use_database(build_store(tmp_path_factory.mktemp("tinh-page") / "ntm.db"))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from use_database(f"sqlite:///{tmp_path_factory.mktemp('tinh-demo') / 'ntm.db'}")


def run(**seed: Any) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in seed.items():
        at.session_state[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown).replace("\\", "")


@pytest.mark.parametrize(
    ("label", "seed", "at_standard", "close"),
    [
        ("Thái Nguyên", {}, "1/6", ["Bình Minh", "Cẩm Giàng"]),
        ("group 1", {state.PROVINCE_GROUP: "1"}, "1/3", ["Bình Minh"]),
        ("group 2", {state.PROVINCE_GROUP: "2"}, "0/3", ["Cẩm Giàng"]),
        ("region tdmnpb", {state.PROVINCE_REGION: "tdmnpb"}, "0/3", ["Cẩm Giàng"]),
    ],
)
def test_the_page_shows_the_provinces_numbers(
    province_db: str, label: str, seed: dict[str, Any], at_standard: str, close: list[str]
) -> None:
    at = run(**{state.PROVINCE: TN, state.YEAR: 2025, **seed})
    no_exception(at)
    shown = metrics(at)
    assert shown["Số xã đạt chuẩn"] == at_standard, label
    assert shown["Gần đạt chuẩn (thiếu ≤ 2 tiêu chí)"] == str(len(close)), label
    text = markdown(at)
    for commune in close:
        assert f"{commune}: đạt" in text, label
    assert "Đồng Tâm: đạt" not in text  # three criteria short: not close


def test_the_page_says_what_is_not_counted_and_offers_both_exports(province_db: str) -> None:
    at = run(**{state.PROVINCE: TN, state.YEAR: 2025})
    captions = "\n".join(str(c.value) for c in at.caption).replace("\\", "")
    assert "Chưa có số liệu năm 2025 (tính vào tổng, chưa đạt chuẩn): Nà Mới" in captions
    assert "Phú Thượng → An Bình" in captions
    assert any("2 bộ tiêu chí" in str(i.value) for i in at.info)
    downloads = at.get("download_button")
    assert len(downloads) == 2
    assert [s.label for s in at.selectbox][:3] == ["Tỉnh", "Nhóm xã", "Vùng"]
    assert at.selectbox[0].options == [BK, TN, "Chưa ghi tỉnh"]


def test_choosing_another_province_and_year(province_db: str) -> None:
    at = run(**{state.PROVINCE: TN, state.YEAR: 2025})
    at.selectbox[0].select(BK).run()
    no_exception(at)
    assert metrics(at)["Số xã đạt chuẩn"] == "1/1"
    at.selectbox[0].select(TN).run()
    at.segmented_control[0].set_value(2024).run()
    # An Bình and Phú Thượng (not merged yet) at standard; the five others sent nothing for 2024.
    assert metrics(at)["Số xã đạt chuẩn"] == "2/7"


def test_a_commune_opens_on_tong_quan(province_db: str) -> None:
    """Through app.py (st.switch_page needs the navigation): the commune and year chosen on
    Tỉnh are what Tổng quan shows."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state[state.PROVINCE] = TN
    at.session_state[state.YEAR] = 2025
    at.run()
    at.switch_page("screens/tinh.py").run()
    at.selectbox(key=state.widget_key(state.PROVINCE_COMMUNE)).select("Bình Minh").run()
    at.button(key="open_commune").click().run()
    no_exception(at)
    assert [t.value for t in at.title] == ["Tổng quan"]
    assert at.session_state[state.COMMUNE] == "Bình Minh"
    assert metrics(at)["Tiêu chí xã đã đạt"] == "3/4"


@pytest.mark.parametrize(
    "slide", ["province_summary", "province_trend", "province_grid", "province_close"]
)
def test_every_presentation_slide(province_db: str, slide: str) -> None:
    at = run(**{state.PROVINCE: TN, state.YEAR: 2025, state.PRESENT: True, state.SLIDE: slide})
    no_exception(at)
    assert not at.sidebar.children
    if slide == "province_close":
        assert "Bình Minh: đạt 3/4, thiếu 1 tiêu chí" in markdown(at)


def test_the_demo_is_shown_under_thai_nguyen(demo_db: str) -> None:
    """The demo records its province (issue 16): Thái Nguyên. In 2026 Phong Quang is counted
    with the engine's numbers; in 2025, the merger year, Phong Quang sent no return: its two
    predecessors are counted, each under its own name and said to be before the merger, and
    Phong Quang is not a commune without data."""
    at = run(**{state.YEAR: 2026})
    no_exception(at)
    assert at.selectbox[0].value == "Thái Nguyên"
    with Store(demo_db) as store:
        units = assess(store.current_values()[VALUE_COLUMNS], keys=store.keys()).units
    whole = units[units["village"].isna() & (units["period"] == 2026)]
    assert list(whole["commune"]) == ["Phong Quang"]
    at_standard = int(whole["at_standard"].sum())
    assert metrics(at)["Số xã đạt chuẩn"] == f"{at_standard}/{len(whole)}"
    short = int((whole["criteria_total"] - whole["criteria_met"]).iloc[0])
    close = "1" if 0 < short <= 2 else "0"
    assert metrics(at)["Gần đạt chuẩn (thiếu ≤ 2 tiêu chí)"] == close
    before = run(**{state.YEAR: 2025})
    no_exception(before)
    captions = "\n".join(str(c.value) for c in before.caption).replace("\\", "")
    assert "trước sáp nhập" in captions
    assert "Dương Quang → Phong Quang" in captions and "Đôn Phong → Phong Quang" in captions
    assert "Chưa có số liệu" not in captions
    last = units[units["village"].isna() & (units["period"] == 2025)]
    assert sorted(last["commune"]) == ["Dương Quang", "Đôn Phong"]
    assert metrics(before)["Số xã đạt chuẩn"] == f"{int(last['at_standard'].sum())}/2"
