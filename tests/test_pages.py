"""The screens, run headless with Streamlit's AppTest (no browser).

Screens (screens/*.py) are run directly with seeded session state (DESIGN §8: AppTest keeps
no app.py frame across reruns of a multipage app). Each test's database is a SQLite file of its own,
named by `NTM_DATABASE_URL`; the app seeds an empty one from the bundled demo returns on first
use. Streamlit's caches outlive an AppTest, so the fixtures clear them. Writes need a login
(issue 8): the tests that upload or restore seed a logged-in staff or admin session
(`auth_ui.session_for`); tests/test_security.py covers who may do what.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import streamlit as st
from app_fixtures import duong_quang_demo, no_exception, seeded_with, use_database
from streamlit.testing.v1 import AppTest

from ntm import demo
from ntm.attainment import assess
from ntm.auth import Role, User
from ntm.i18n import t
from ntm.returns import read_return
from ntm.storage import CommuneProfile, Store
from ntm.ui import auth_ui, services, state
from ntm.values import VALUE_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p.name for p in (ROOT / "screens").glob("*.py"))
DEMO = ROOT / "data" / "demo"
XLSX = services.XLSX_MIME
COMMUNE = "Dương Quang"
LAGGING = "Nà Cưởm"
STAFF = User("Lan", Role.STAFF)
ADMIN = User("Hùng", Role.ADMIN)


def logged_in(user: User) -> dict[str, Any]:
    """Session state of `user` logged in (the account exists: writes look it up again)."""
    services.store().save_user(user.name, user.role.value, None, user="test")
    return auth_ui.session_for(user)


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database shared by the tests that only read, seeded with Dương Quang's 2021-2025
    demo returns (`app_fixtures.duong_quang_demo`)."""
    path = tmp_path_factory.mktemp("app")
    with seeded_with(duong_quang_demo(path / "demo")):
        yield from use_database(f"sqlite:///{path / 'ntm.db'}")


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own (seeded from Dương Quang's demo returns on first use)."""
    with seeded_with(duong_quang_demo(tmp_path / "demo")):
        yield from use_database(f"sqlite:///{tmp_path / 'ntm.db'}")


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database that stays empty: no demo returns to seed it from."""
    (tmp_path / "no-demo").mkdir()
    monkeypatch.setattr(demo, "folder", lambda: tmp_path / "no-demo")
    yield from use_database(f"sqlite:///{tmp_path / 'ntm.db'}")


def run_page(name: str, **seed: Any) -> AppTest:
    """Run screens/<name> once with session state seeded (commune, year, lang, …)."""
    at = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=30)
    for key, value in seed.items():
        at.session_state[key] = value
    return at.run()


def workbook(year: int, edit: dict[tuple[str, str], dict[str, Any]]) -> bytes:
    """A demo return with some cells changed: {(sheet, code): {column letter: value}}."""
    wb = openpyxl.load_workbook(DEMO / f"duong-quang-{year}.xlsx")
    for (sheet, code), cells in edit.items():
        ws = wb[sheet]
        row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == code)
        for column, value in cells.items():
            ws[f"{column}{row}"] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def commune_result(url: str, year: int) -> tuple[int, int]:
    """(criteria met, total) for the commune as the engine computes it from the database."""
    store = Store(url)
    try:
        values = store.current_values(commune=COMMUNE)[VALUE_COLUMNS]
        units = assess(values, keys=store.keys()).units
    finally:
        store.close()
    row = units[units["village"].isna() & (units["period"] == year)].iloc[0]
    return int(row["criteria_met"]), int(row["criteria_total"])


def current_value(url: str, village: str | None, year: int, code: str) -> float:
    store = Store(url)
    try:
        values = store.current_values(commune=COMMUNE, period=year)
    finally:
        store.close()
    match = values[(values["code"] == code) & (values["village"] == village)]
    return float(match["value"].iloc[0])


def plain(text: str) -> str:
    """Markdown-escaped text (user text is escaped before it is shown) read back."""
    return re.sub(r"\\(.)", r"\1", str(text))


def texts(at: AppTest) -> str:
    """Every piece of text the run drew (markdown, captions, alerts, metrics, tables)."""
    parts: list[str] = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "success", "warning"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(e.value) for e in at.error]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [t.value.to_string() for t in at.table]
    return plain("\n".join(parts))


# --- smoke: every page, both languages --------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(demo_db: str, page: str, lang: str) -> None:
    at = run_page(page, **{state.LANG: lang})
    no_exception(at)
    assert at.title or at.segmented_control  # drew its heading (or the presentation bar)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_presentation_mode(demo_db: str, page: str) -> None:
    at = run_page(page, **{state.PRESENT: True})
    no_exception(at)
    assert not at.sidebar.children  # no sidebar in presentation mode


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_empty_database(empty_db: str, page: str) -> None:
    at = run_page(page)
    no_exception(at)
    if page in ("tong_quan.py", "thon.py", "tieu_chi.py"):
        assert "Chưa có số liệu" in texts(at)


def test_every_page_runs_for_a_commune_without_data(empty_db: str) -> None:
    """A commune set up on Cài đặt before any upload: the template is offered at once."""
    services.store().save_commune(CommuneProfile(name="Xã Mới", region="tdmnpb", villages=["A"]))
    for page in PAGES:
        at = run_page(page)
        no_exception(at)
    assert run_page("nhap_lieu.py").get("download_button")


def test_every_page_file_is_in_the_navigation() -> None:
    from ntm.ui import widgets

    assert sorted(Path(path).name for path, *_ in widgets.PAGES) == PAGES


def test_app_entry_point_opens_the_overview(demo_db: str) -> None:
    """app.py: page config and st.navigation only; its default page is Tổng quan."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    no_exception(at)
    assert [t.value for t in at.title] == ["Tổng quan"]
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    calls = set(re.findall(r"\bst\.(\w+)\(", source))
    assert calls == {"navigation"}, "app.py draws nothing itself"


# --- Tổng quan --------------------------------------------------------------------------------


def test_overview_shows_the_engines_x_of_n_and_the_demo_badge(demo_db: str) -> None:
    at = run_page("tong_quan.py", **{state.YEAR: 2025})
    no_exception(at)
    met, total = commune_result(demo_db, 2025)
    assert total == 19
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Tiêu chí xã đã đạt"] == f"{met}/{total}"
    assert re.fullmatch(r"\d+/9", metrics["Thôn đạt chuẩn"])
    assert any("dữ liệu minh họa" in str(b.proto) for b in at.get("badge")) or (
        "dữ liệu minh họa" in texts(at)
    )
    assert re.search(r"\d+/\d+ ngưỡng đang dùng chưa được đối chiếu", texts(at))
    assert len(at.get("plotly_chart")) == 2


def test_overview_follows_the_year_and_says_what_changed(demo_db: str) -> None:
    at = run_page("tong_quan.py", **{state.YEAR: 2022})
    no_exception(at)
    met, total = commune_result(demo_db, 2022)
    before, _ = commune_result(demo_db, 2021)
    metric = next(m for m in at.metric if m.label == "Tiêu chí xã đã đạt")
    assert metric.value == f"{met}/{total}"
    change = met - before
    sign = "+" if change > 0 else "−" if change < 0 else ""
    assert metric.delta == f"{sign}{abs(change)} so với 2021"
    # The year switch in the sidebar changes the page.
    at.segmented_control(key=state.widget_key(state.YEAR)).set_value(2023).run()
    no_exception(at)
    assert at.session_state[state.YEAR] == 2023
    met23, _ = commune_result(demo_db, 2023)
    assert next(m for m in at.metric if m.label == "Tiêu chí xã đã đạt").value == f"{met23}/19"


# The Bắc Kạn village set's note on what it lacks, in each language (criteria/*.yaml).
MISSING_NOTE = {"vi": "Chưa chép các chỉ tiêu và ngưỡng", "en": "are not transcribed"}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("screen", ["tong_quan.py", "thon.py", "cai_dat.py"])
def test_text_from_data_is_shown_in_the_readers_language_only(
    demo_db: str, screen: str, lang: str
) -> None:
    """The criteria files give their notes per language: no sentence mixes Vietnamese and
    English, whichever language the reader chose."""
    other = "en" if lang == "vi" else "vi"
    at = run_page(screen, **{state.LANG: lang})
    no_exception(at)
    shown = texts(at) + "\n".join(str(e.value) for e in at.warning)
    assert MISSING_NOTE[other] not in shown
    if screen == "thon.py":  # the village page says what its set lacks
        assert MISSING_NOTE[lang] in shown


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_incomplete_set_problem_is_written_in_one_language(lang: str) -> None:
    from ntm.criteria import get_set
    from ntm.village_sets import assess_villages

    values = read_return(DEMO / "duong-quang-2025.xlsx").values
    judged = assess_villages(values, [get_set("vn-bac-kan-thon-2021-2025")])
    (problem,) = [p for p in judged.problems if p.code.value == "criteria_set_incomplete"]
    message = problem.message(lang)
    other = "en" if lang == "vi" else "vi"
    assert MISSING_NOTE[lang] in message and MISSING_NOTE[other] not in message


@pytest.mark.parametrize("present", [False, True], ids=["page", "presentation"])
@pytest.mark.parametrize(
    ("lang", "label", "change", "delta", "direction", "colour"),
    [
        ("vi", "Tiêu chí xã đã đạt", -4, "−4 so với 2024", "DOWN", "ORANGE"),
        ("en", "Criteria the commune meets", -4, "−4 since 2024", "DOWN", "ORANGE"),
        ("vi", "Tiêu chí xã đã đạt", 2, "+2 so với 2024", "UP", "BLUE"),
        ("en", "Criteria the commune meets", 2, "+2 since 2024", "UP", "BLUE"),
        ("vi", "Tiêu chí xã đã đạt", 0, "0 so với 2024", "NONE", "GRAY"),
    ],
    ids=["fall vi", "fall en", "rise vi", "rise en", "same"],
)
def test_a_fall_reads_down_in_the_worse_colour(
    demo_db: str,
    monkeypatch: pytest.MonkeyPatch,
    present: bool,
    lang: str,
    label: str,
    change: int,
    delta: str,
    direction: str,
    colour: str,
) -> None:
    """15/19 in 2024, then 11/19: "↓ −4 so với 2024" in orange (the charts' "worse"), not a
    green rise (Babel's minus sign is not Streamlit's "-"); both languages, both modes."""
    from streamlit.proto.Metric_pb2 import Metric as MetricProto

    real = services.overview

    def fell(commune: str, year: int, lang_: str) -> Any:
        ov = real(commune, year, lang_)
        assert ov is not None
        return dataclasses.replace(ov, criteria_met=15 + change, change=change, previous_year=2024)

    monkeypatch.setattr(services, "overview", fell)
    at = run_page("tong_quan.py", **{state.YEAR: 2025, state.LANG: lang, state.PRESENT: present})
    no_exception(at)
    metric = next(m for m in at.metric if m.label == label)
    assert (metric.value, metric.delta) == (f"{15 + change}/19", delta)
    assert metric.proto.direction == MetricProto.MetricDirection.Value(direction)
    assert metric.proto.color == MetricProto.MetricColor.Value(colour)


def test_overview_lists_what_blocks_with_gaps_and_villages(demo_db: str) -> None:
    """2021: unmet criteria each list their unmet indicators, the gap and the villages behind."""
    at = run_page("tong_quan.py", **{state.YEAR: 2021})
    no_exception(at)
    frames = [df.value for df in at.dataframe]
    blockers = [f for f in frames if "Thôn chưa đạt" in f.columns]
    assert blockers, "an unmet criterion table"
    rows = blockers[0]
    assert {"Chỉ tiêu", "Kết quả", "Ngưỡng", "Còn thiếu"} <= set(rows.columns)
    everything = "\n".join(f.to_string() for f in blockers)
    assert "điểm\u00a0%" in everything  # a gap in the indicator's own unit
    assert LAGGING in everything  # a lagging village named
    assert "chưa đối chiếu" in everything  # unverified thresholds tagged


def test_overview_in_english(demo_db: str) -> None:
    at = run_page("tong_quan.py", **{state.LANG: "en", state.YEAR: 2025})
    no_exception(at)
    assert [t.value for t in at.title] == ["Overview"]
    assert "Criteria the commune meets" in [m.label for m in at.metric]


def test_presentation_mode_from_the_address(demo_db: str) -> None:
    at = AppTest.from_file(str(ROOT / "screens" / "tong_quan.py"), default_timeout=30)
    at.query_params["present"] = "1"
    at.run()
    no_exception(at)
    assert at.session_state[state.PRESENT] is True
    assert not at.title  # no page title, no sidebar: the chart gets the screen
    assert len(at.get("plotly_chart")) == 1  # one chart per screen
    at.segmented_control(key=state.widget_key(state.SLIDE)).set_value("grid").run()
    assert len(at.get("plotly_chart")) == 1
    at.button(key="exit_present").click().run()
    no_exception(at)
    assert at.session_state[state.PRESENT] is False
    assert [t.value for t in at.title] == ["Tổng quan"]


# --- Thôn and Tiêu chí ------------------------------------------------------------------------


def test_village_page_shows_values_thresholds_statuses_and_gaps(demo_db: str) -> None:
    at = run_page("thon.py", **{state.YEAR: 2021, state.VILLAGE: LAGGING})
    no_exception(at)
    table = at.table[-1].value  # after the demo's province village set (test_village_sets)
    assert list(table.columns) == [
        "Chỉ tiêu",
        "Nội dung",
        "Kết quả",
        "Ngưỡng",
        "Đánh giá",
        "Còn thiếu",
    ]
    row = table[table["Chỉ tiêu"] == r"2\.2"].iloc[0]
    assert row["Kết quả"].endswith("%") and "," in row["Kết quả"]
    assert "≥ 70%" in row["Ngưỡng"] and "chưa đối chiếu" in row["Ngưỡng"]
    assert "Chưa đạt" in row["Đánh giá"]
    assert "điểm\u00a0%" in row["Còn thiếu"]
    # A village's answer to a "share of villages" indicator reads yes/no, not a percent.
    share = table[table["Chỉ tiêu"] == r"6\.3"].iloc[0]
    assert share["Kết quả"] in ("Có", "Không") and share["Ngưỡng"].startswith("Có")
    assert len(at.get("plotly_chart")) == 1


def test_criterion_page_draws_villages_and_years(demo_db: str) -> None:
    at = run_page("tieu_chi.py", **{state.YEAR: 2025, state.CRITERION: "2", state.INDICATOR: "2.2"})
    no_exception(at)
    assert len(at.get("plotly_chart")) == 2
    table = at.table[0].value
    assert "Toàn xã" in list(table.iloc[:, 0])
    assert LAGGING in list(table.iloc[:, 0])


# --- Nhập liệu --------------------------------------------------------------------------------


def uploader(at: AppTest) -> Any:
    return at.file_uploader(key=f"{state.UPLOADER}_{at.session_state[state.UPLOADER_ROUND]}")


def test_upload_preview_lists_problem_cells_and_saves_nothing(fresh_db: str) -> None:
    at = run_page("nhap_lieu.py", **{state.UPLOADER_ROUND: 0}, **logged_in(STAFF))
    no_exception(at)
    uploads_before = len(services.store().uploads())
    bad = workbook(2025, {(LAGGING, "2.3"): {"F": 120}})
    uploader(at).set_value(("bao-cao-loi.xlsx", bad, XLSX)).run()
    no_exception(at)
    assert any("bao-cao-loi.xlsx" in plain(e.value) and "lỗi" in e.value for e in at.error)
    problems = at.dataframe[-1].value
    assert {"Tệp", "Trang tính", "Ô", "Nội dung lỗi"} <= set(problems.columns)
    hit = problems[problems["Ô"] == "F7"]
    assert not hit.empty, problems.to_string()
    assert hit.iloc[0]["Tệp"] == "bao-cao-loi.xlsx"
    assert hit.iloc[0]["Trang tính"] == LAGGING
    confirm = at.button(key="confirm_upload")
    assert confirm.disabled
    assert len(services.store().uploads()) == uploads_before  # nothing stored


def test_upload_confirm_saves_and_the_village_page_shows_the_new_value(fresh_db: str) -> None:
    at = run_page("nhap_lieu.py", **{state.UPLOADER_ROUND: 0}, **logged_in(STAFF))
    assert current_value(fresh_db, LAGGING, 2025, "2.2") == pytest.approx(64.5)
    good = workbook(2025, {(LAGGING, "2.2"): {"F": 94.6, "G": 88, "H": 93}})
    bad = workbook(2024, {(LAGGING, "2.3"): {"F": 120}})
    uploader(at).set_value([("tot.xlsx", good, XLSX), ("loi.xlsx", bad, XLSX)]).run()
    no_exception(at)
    assert any("tot.xlsx" in plain(s.value) for s in at.success)
    assert any("loi.xlsx" in plain(e.value) for e in at.error)
    assert current_value(fresh_db, LAGGING, 2025, "2.2") == pytest.approx(64.5)  # not yet
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    saved = [plain(s.value) for s in at.success]
    assert any("Đã lưu tot" in s for s in saved), saved
    assert any("loi.xlsx" in plain(w.value) for w in at.warning)  # the file with errors
    assert current_value(fresh_db, LAGGING, 2025, "2.2") == pytest.approx(94.6)
    uploads = services.store().uploads()
    assert list(uploads["file"]).count("loi.xlsx") == 0
    assert uploads.iloc[0]["file"] == "tot.xlsx" and uploads.iloc[0]["user"] == "Lan"

    village = run_page("thon.py", **{state.YEAR: 2025, state.VILLAGE: LAGGING})
    no_exception(village)
    table = village.table[-1].value
    assert table[table["Chỉ tiêu"] == r"2\.2"].iloc[0]["Kết quả"] == "94,6%"


def test_upload_preview_says_what_was_understood_and_cross_checks_self_assessment(
    fresh_db: str,
) -> None:
    """An office's own form (the decision's grid with "Tự đánh giá"): the preview names the
    commune, year, region and values used, how each sheet was read, and the indicator whose
    self-assessment the threshold contradicts (issue 12)."""
    from office_corpus import decision_grid

    at = run_page("nhap_lieu.py", **{state.UPLOADER_ROUND: 0}, **logged_in(STAFF))
    uploader(at).set_value(("tu-danh-gia-2024.xlsx", decision_grid(), XLSX)).run()
    no_exception(at)
    captions = [plain(c.value).replace("**", "") for c in at.caption]
    line = next(c for c in captions if c.startswith("Đã hiểu:"))
    assert "xã Dương Quang" in line and "năm 2024" in line and "vùng tdmnpb" in line
    assert "dùng 20/20 giá trị" in line
    tables = [t.value for t in at.table]
    layout = next(t for t in tables if "Dạng bảng" in t.columns)
    assert layout.iloc[0]["Dạng bảng"].startswith("bảng theo mẫu quyết định")
    assert "D: ngưỡng (để tham khảo)" in plain(layout.iloc[0]["Các cột"])
    warning = next(w for w in at.warning if "tự đánh giá khác" in plain(w.value))
    assert "1 chỉ tiêu" in plain(warning.value)
    check = [plain(m.value) for m in at.markdown if "79,6%" in plain(m.value)]
    assert check and "14.2" in check[0] and "tự đánh giá Đạt, nhưng 79,6% < 85%" in check[0]
    assert "Tự đánh giá › E16" in check[0]


def test_overview_lists_self_assessments_the_thresholds_contradict(fresh_db: str) -> None:
    from office_corpus import decision_grid

    outcome = services.store().import_bytes(decision_grid(), "tu-danh-gia-2024.xlsx", user="t")
    assert outcome.status == "accepted"
    services.clear_caches()
    at = run_page("tong_quan.py", **{state.COMMUNE: COMMUNE, state.YEAR: 2024})
    no_exception(at)
    assert any("Tự đánh giá khác kết quả tính: 1 chỉ tiêu" in plain(w.value) for w in at.warning)
    assert any("tự đánh giá Đạt, nhưng 79,6% < 85%" in plain(m.value) for m in at.markdown)


def test_template_download_is_offered(demo_db: str) -> None:
    at = run_page("nhap_lieu.py", **{state.YEAR: 2025})
    no_exception(at)
    buttons = at.get("download_button")
    assert buttons, "a template download button"
    data = services.template_bytes(COMMUNE, 2025)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert "Toàn xã" in wb.sheetnames and LAGGING in wb.sheetnames


# --- Dữ liệu ----------------------------------------------------------------------------------


def test_restore_asks_for_confirmation_then_makes_a_new_revision(fresh_db: str) -> None:
    run_page("tong_quan.py")  # seeds the demo returns
    good = workbook(2025, {(LAGGING, "2.2"): {"F": 94.6, "G": 88, "H": 93}})
    services.save_upload("tot.xlsx", good, services.read_upload("tot.xlsx", good), STAFF)
    assert current_value(fresh_db, LAGGING, 2025, "2.2") == pytest.approx(94.6)

    at = run_page("du_lieu.py", **{state.YEAR: 2025}, **logged_in(ADMIN))
    no_exception(at)
    uploads = at.dataframe[0].value
    assert {"Tệp", "Người tải", "Thời gian"} <= set(uploads.columns)
    assert "tot.xlsx" in list(uploads["Tệp"]) and "demo" in list(uploads["Người tải"])
    assert at.get("download_button"), "the original file can be downloaded again"
    at.selectbox(key="rev_unit").set_value(LAGGING).run()
    revisions = at.dataframe[-1].value
    assert list(revisions["Phiên bản"]) == [1, 2]
    at.button(key="restore").click().run()
    no_exception(at)
    assert any("Khôi phục" in w.value for w in at.warning)  # asks first
    assert current_value(fresh_db, LAGGING, 2025, "2.2") == pytest.approx(94.6)
    at.button(key="restore_yes").click().run()
    no_exception(at)
    assert current_value(fresh_db, LAGGING, 2025, "2.2") == pytest.approx(64.5)
    assert list(at.dataframe[-1].value["Phiên bản"]) == [1, 2, 3]
    assert any("phiên bản 3" in s.value for s in at.success)


# --- Cài đặt ----------------------------------------------------------------------------------


def test_settings_save_a_new_commune_profile(empty_db: str) -> None:
    services.store().save_user("quan.tri", "admin", None, user="test")
    at = run_page("cai_dat.py", **auth_ui.session_for(User("quan.tri", Role.ADMIN)))
    no_exception(at)
    at.text_input(key="settings_name_new").set_value("Xã <b>Thử</b>")
    at.selectbox(key="settings_region_new").set_value("tdmnpb")
    at.text_area(key="settings_villages_new").set_value("Thôn 1\nThôn 2\n")
    at.button(key="settings_save_new").click().run()
    no_exception(at)
    profile = services.profile("Xã <b>Thử</b>")
    assert profile is not None and profile.region == "tdmnpb"
    assert profile.villages == ["Thôn 1", "Thôn 2"]
    assert any(r"Xã \<b\>Thử\</b\>" in s.value for s in at.success)  # shown as text


def test_settings_set_the_commune_group_with_its_evidence_and_the_change_is_logged(
    empty_db: str,
) -> None:
    """Cài đặt shows the three group definitions of Decision 51/2025/QĐ-TTg beside the choice;
    the group and its evidence are saved as a profile edit, with before and after in the log."""
    services.store().save_commune(CommuneProfile(name="Phong Quang", province="Thái Nguyên"))
    services.store().save_user("quan.tri", "admin", None, user="test")
    at = run_page(
        "cai_dat.py",
        **{state.COMMUNE: "Phong Quang"},
        **auth_ui.session_for(User("quan.tri", Role.ADMIN)),
    )
    no_exception(at)
    shown = texts(at).replace("**", "")
    for line in (
        "Nhóm 1: Xã giáp ranh đô thị hiện hữu",
        "Nhóm 2: Các xã còn lại, không thuộc nhóm 1 và nhóm 3",
        "Nhóm 3: Xã khu vực II, III thuộc vùng đồng bào dân tộc thiểu số và miền núi",
    ):
        assert line in shown
    evidence = "Quyết định xếp xã khu vực III (ví dụ, không phải văn bản thật)"
    at.selectbox(key="settings_group_Phong Quang").set_value("3")
    at.text_area(key="settings_group_evidence_Phong Quang").set_value(f"  {evidence}\n")
    at.button(key="settings_save_Phong Quang").click().run()
    no_exception(at)
    profile = services.profile("Phong Quang")
    assert profile is not None
    assert (profile.group, profile.group_evidence, profile.province) == (
        "3",
        evidence,
        "Thái Nguyên",
    )
    log = services.store().audit(None, entity="commune")
    change = log.iloc[0]["details"]
    assert (log.iloc[0]["user"], log.iloc[0]["action"]) == ("quan.tri", "commune.updated")
    assert (change["before"]["group"], change["after"]["group"]) == (None, "3")
    assert (change["before"]["group_evidence"], change["after"]["group_evidence"]) == (
        None,
        evidence,
    )


def test_settings_refuse_a_visitor_and_save_nothing(empty_db: str) -> None:
    """Region and set in force decide every threshold: only an admin may change a profile."""
    at = run_page("cai_dat.py")
    no_exception(at)
    assert any("Cần đăng nhập" in i.value for i in at.info)
    assert at.button(key="settings_save_new").disabled
    assert services.communes() == []


# --- the database: demo seeding, writes from elsewhere -----------------------------------------


@pytest.mark.parametrize(
    ("lang", "notice"),
    [
        ("vi", "Đang nạp dữ liệu minh họa…"),
        ("en", "Loading the illustrative data…"),
    ],
)
def test_the_first_visit_says_the_demo_is_loading_while_it_loads(
    fresh_db: str, monkeypatch: pytest.MonkeyPatch, lang: str, notice: str
) -> None:
    """An empty database being filled with the demo: the page says so meanwhile, and says
    nothing once the demo is in. (Loading is stopped half-way to see what the page shows.)"""
    loading = demo.seed

    def interrupted(store: Store, source: Path | None = None) -> list[Any]:
        raise RuntimeError("dừng giữa lúc nạp")

    monkeypatch.setattr(demo, "seed", interrupted)
    at = run_page("tong_quan.py", **{state.LANG: lang})
    assert [str(i.value) for i in at.info][:1] == [t("ui.demo_loading", lang)]
    assert t("ui.demo_loading", lang).startswith(notice)
    assert [str(e.value) for e in at.exception] == ["dừng giữa lúc nạp"]
    monkeypatch.setattr(demo, "seed", loading)
    at = run_page("tong_quan.py", **{state.LANG: lang})
    no_exception(at)
    assert not [i for i in at.info if str(i.value).startswith(notice)]
    assert at.metric  # the dashboard, with the demo in


@pytest.mark.parametrize(
    ("setting", "default_database", "seeded"),
    [
        (None, True, True),  # the README's first run: data/ntm.db gets the demo
        (None, False, False),  # a database named by URL (a province's server) starts empty
        ("1", False, True),
        ("0", True, False),
    ],
)
def test_the_demo_goes_only_where_it_is_wanted(
    setting: str | None,
    default_database: bool,
    seeded: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'ntm.db'}"
    if setting is None:
        monkeypatch.delenv("NTM_SEED_DEMO", raising=False)
    else:
        monkeypatch.setenv("NTM_SEED_DEMO", setting)
    if default_database:
        monkeypatch.setattr(demo, "default_url", lambda: url)
    assert demo.wanted(url) is seeded


def test_a_write_from_another_process_shows_at_the_next_page_run(fresh_db: str) -> None:
    """Another app instance or `ntm import` writes: cached pages do not keep old numbers."""
    at = run_page("thon.py", **{state.YEAR: 2025, state.VILLAGE: LAGGING})
    no_exception(at)

    def shown() -> str:
        table = at.table[-1].value
        return str(table[table["Chỉ tiêu"] == r"2\.2"].iloc[0]["Kết quả"])

    assert shown() == "64,5%"
    other = Store(fresh_db)  # not through the app's services: no cache is cleared
    try:
        data = workbook(2025, {(LAGGING, "2.2"): {"F": 91.2, "G": 88, "H": 93}})
        assert not other.import_bytes(data, "khac.xlsx", user="cli").refused
    finally:
        other.close()
    at.run()
    no_exception(at)
    assert shown() == "91,2%"
