"""Criteria management on Cài đặt (issue 5), run headless with AppTest on a database of its own.

- A threshold edited in the page's st.data_editor makes a new revision of the set (for the
  shipped set, the first stored revision of the same id), is audited with who and what changed
  (before → after), and changes the assessment at once.
- A criteria sheet with errors lists every problem with its cell and saves nothing.
- A viewer (or nobody logged in) sees a refusal instead of the uploader and the editor, and the
  service functions refuse too: nothing changes.
- Once a complete 2026-2030 set is imported, 2026 is assessed on it, keyed by the commune's
  group; before that, its criteria read "Chưa có ngưỡng" (not "Thiếu dữ liệu").
- The progress chart marks the change of criteria set and what is not comparable.

AppTest 1.67 cannot type into st.data_editor (`set_value` raises), but a keyed editor takes its
edit state (edited_rows / added_rows / deleted_rows) from session state before a run: that is
exactly what the browser sends, so the page's own code reads the edit.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from app_fixtures import no_exception, use_database
from hostile import LONG_HEADER, xlsx
from streamlit.testing.v1 import AppTest

from ntm import charts, demo
from ntm.attainment import assess
from ntm.auth import PermissionDenied, Role, User
from ntm.criteria import (
    CriteriaSet,
    Criterion,
    Indicator,
    ThresholdRule,
    get_set,
    shipped_sets,
)
from ntm.criteria_sheet import ROWS_SHEET, export_bytes
from ntm.returns import read_return
from ntm.storage import CommuneProfile, Store
from ntm.ui import auth_ui, services, state
from ntm.ui import criteria_service as cs
from ntm.values import VALUE_COLUMNS, ReadResult, ReturnMeta, make_values

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "screens" / "cai_dat.py")
XLSX = services.XLSX_MIME
OLD, NEW = "vn-ntm-xa-2021-2025", "vn-ntm-xa-2026-2030"
COMMUNE = "Dương Quang"
ADMIN = User("Hùng", Role.ADMIN)
VIEWER = User("Mai", Role.VIEWER)


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, seeded from the demo returns on first use."""
    yield from use_database(f"sqlite:///{tmp_path / 'ntm.db'}")


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database that stays empty (no demo returns to seed it from)."""
    (tmp_path / "no-demo").mkdir()
    monkeypatch.setattr(demo, "folder", lambda: tmp_path / "no-demo")
    yield from use_database(f"sqlite:///{tmp_path / 'ntm.db'}")


def run_page(user: User | None = None, **seed: Any) -> AppTest:
    """Run Cài đặt once, logged in as `user` (an account in the database) if given."""
    if user is not None:
        services.store().save_user(user.name, user.role.value, None)
    at = AppTest.from_file(PAGE, default_timeout=30)
    for key, value in {**(auth_ui.session_for(user) if user else {}), **seed}.items():
        at.session_state[key] = value
    return at.run()


def unescape(text: str) -> str:
    return text.replace("\\", "")


def alerts(at: AppTest, kind: str) -> list[str]:
    return [unescape(str(e.value)) for e in getattr(at, kind)]


def frames(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def edit(at: AppTest, rows: dict[int, dict[str, Any]]) -> AppTest:
    """Type into the page's threshold editor as the browser would, then rerun."""
    editor = at.data_editor[0]
    assert editor.key is not None
    at.session_state[editor.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="criteria_upload_0").set_value((name, data, XLSX))
    return at.run()


def stored_nothing(url: str) -> None:
    store = Store(url)
    try:
        assert store.criteria_sets() == []
        assert store.audit(entity="criteria_set").empty
    finally:
        store.close()


# --- editing a threshold in place ------------------------------------------------------------


def test_threshold_edit_in_the_data_editor_makes_an_audited_revision(demo_db: str) -> None:
    """Raise a met threshold of Dương Quang (TDMNPB) in 2025 above its value: the edit is a new
    revision of the shipped set, the change log says who changed what from what to what, the
    editor shows the new threshold and the indicator is no longer met."""
    at = run_page(ADMIN, **{state.COMMUNE: COMMUNE, state.YEAR: 2025})
    no_exception(at)
    assert at.data_editor[0].key == f"thr_{OLD}_tdmnpb_0"  # the commune's region, shipped file
    table = at.data_editor[0].value
    parts = services.assessment(COMMUNE).parts
    met = parts[
        parts["village"].isna()
        & (parts["period"] == 2025)
        & (parts["status"] == "met")
        & (parts["direction"] == ">=")
        & (parts["kind"] == "percent")
        & (parts["value"] < 95)
        & parts["code"].isin(table["code"])
    ].iloc[0]
    code, value, old = str(met["code"]), float(met["value"]), float(met["threshold"])
    new = float(int(value) + 1)
    row = int(table.index[table["code"] == code][0])
    assert table.loc[row, "threshold"] == old

    at = edit(at, {row: {"threshold": new, "verified": True, "source": "QĐ 318 bản chính"}})
    no_exception(at)
    pending = next(f for f in frames(at) if "Trước" in f.columns)
    assert pending.iloc[0].to_dict()["Mã"] == code
    assert Store(demo_db).criteria_sets() == [], "nothing is saved before the button"

    at.button(key="criteria_edit_save").click().run()
    no_exception(at)
    assert any("phiên bản 1" in s and OLD in s for s in alerts(at, "success"))
    store = Store(demo_db)
    stored = store.criteria_set(OLD)
    assert stored.revision == 1  # the first stored revision of the shipped id
    rules = {r.key: r for r in stored.indicator(code).measured[0].thresholds}  # type: ignore[union-attr]
    assert rules["tdmnpb"].value == new and rules["tdmnpb"].verified
    audit = store.audit(entity="criteria_set")
    assert list(audit["action"]) == ["criteria_set.created"]
    assert audit.iloc[0]["user"] == ADMIN.name and audit.iloc[0]["entity_id"] == OLD
    assert audit.iloc[0]["details"]["revision"] == 1

    # The page: the editor is now on revision 1 and shows the new threshold; the change log
    # names who and the threshold before → after.
    assert at.data_editor[0].key == f"thr_{OLD}_tdmnpb_1"
    shown = at.data_editor[0].value.set_index("code")
    assert shown.loc[code, "threshold"] == new
    log = next(f for f in frames(at) if "Người sửa" in f.columns)
    first = log.iloc[0]
    assert first["Người sửa"] == ADMIN.name and first["Phiên bản"] == 1
    before_text = cs.value_text(old, "percent", "vi")
    after_text = cs.value_text(new, "percent", "vi")
    assert (
        f"{code} · tdmnpb: {before_text} → {after_text} (đã đối chiếu)"
        in first["Thay đổi (trước → sau)"]
    )

    # The assessment uses the new revision at once, and says which revision it used.
    a = services.assessment(COMMUNE)
    now = a.parts[
        (a.parts["code"] == code) & a.parts["village"].isna() & (a.parts["period"] == 2025)
    ]
    assert now.iloc[0]["status"] == "unmet" and float(now.iloc[0]["threshold"]) == new
    assert {u["criteria_set_revision"] for u in a.to_json()["units"] if u["period"] == 2025} == {1}

    # A second edit is revision 2; its audit row carries the changed paths before/after.
    at = edit(at, {row: {"threshold": new + 1}})
    at.button(key="criteria_edit_save").click().run()
    no_exception(at)
    audit = store.audit(entity="criteria_set")
    assert list(audit["action"]) == ["criteria_set.revised", "criteria_set.created"]
    details = audit.iloc[0]["details"]
    assert details["revision"] == 2
    assert {"before": new, "after": new + 1} in [
        {k: c[k] for k in ("before", "after")} for c in details["changes"]
    ]
    assert store.criteria_set(OLD, revision=1).revision == 1  # the old revision stays
    store.close()


def test_an_edit_of_a_table_drawn_before_someone_else_saved_is_refused(empty_db: str) -> None:
    """Two admins edit the same set: the second save, made on the older table, would silently
    undo the first one, so it is refused (StaleRevision); an unchanged table saves nothing."""
    services.store().save_user(ADMIN.name, ADMIN.role.value, None)
    table = cs.threshold_table(OLD, "tdmnpb")
    assert cs.save_thresholds(OLD, "tdmnpb", table, ADMIN, base_revision=0) is None
    first = table.copy()
    first.loc[first["code"] == "4.2", "threshold"] = 97.0
    saved = cs.save_thresholds(OLD, "tdmnpb", first, ADMIN, base_revision=0)
    assert saved is not None and saved.revision == 1
    second = table.copy()
    second.loc[second["code"] == "2.2", "threshold"] = 75.0
    with pytest.raises(cs.StaleRevision):
        cs.save_thresholds(OLD, "tdmnpb", second, ADMIN, base_revision=0)
    assert cs.latest_revision(OLD) == 1


# --- importing a criteria sheet --------------------------------------------------------------


def _header(ws: Any) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[1]}


def _bad_sheet() -> tuple[bytes, set[str]]:
    """The shipped 2021-2025 sheet with four kinds of error; returns it and the cells to blame."""
    wb = openpyxl.load_workbook(io.BytesIO(export_bytes(get_set(OLD))))
    ws = wb[ROWS_SHEET]
    col = _header(ws)
    letter = openpyxl.utils.get_column_letter
    rows = {str(ws.cell(r, col["Mã giá trị"]).value): r for r in range(2, ws.max_row + 1)}
    blame = set()
    # unknown kind
    r = rows["2.1"]
    ws.cell(r, col["Loại"], "percentage")
    blame.add(f"{letter(col['Loại'])}{r}")
    # threshold not a number
    r = rows["4.2"]
    ws.cell(r, col["Ngưỡng: general"], "chín mươi")
    blame.add(f"{letter(col['Ngưỡng: general'])}{r}")
    # missing threshold for a region (a row with regional thresholds and no general one)
    r = rows["15.3"]
    assert ws.cell(r, col["Ngưỡng: general"]).value in (None, "")
    ws.cell(r, col["Ngưỡng: tn"]).value = None
    blame.add(f"{letter(col['Ngưỡng: tn'])}{r}")
    # duplicate code: the row of 1.1 again at the end
    src = rows["1.1"]
    dup = ws.max_row + 1
    for c in range(1, ws.max_column + 1):
        ws.cell(dup, c, ws.cell(src, c).value)
    blame.add(f"{letter(col['Mã giá trị'])}{dup}")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), blame


def test_import_with_errors_lists_every_problem_with_its_cell_and_saves_nothing(
    empty_db: str,
) -> None:
    data, blame = _bad_sheet()
    at = run_page(ADMIN)
    no_exception(at)
    at = upload(at, "bo-tieu-chi-sai.xlsx", data)
    no_exception(at)
    assert any("chưa lưu gì" in e for e in alerts(at, "error"))
    problems = next(f for f in frames(at) if "Ô" in f.columns)
    assert blame <= set(problems["Ô"]), problems.to_string()
    assert set(problems["Trang tính"]) == {ROWS_SHEET}
    messages = " ".join(problems["Nội dung lỗi"])
    for words in ("percentage", "không phải là số", "chưa có ngưỡng", "xuất hiện hai lần"):
        assert words in messages
    assert not any(b.key == "criteria_import_save" for b in at.button)
    stored_nothing(empty_db)


def test_an_imported_sheet_gets_the_upload_limits_of_returns(
    empty_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NTM_MAX_FILE_MB bounds the criteria uploader and the file read from it, as on Nhập liệu."""
    monkeypatch.setenv("NTM_MAX_FILE_MB", "0.001")
    at = run_page(ADMIN)
    assert at.get("file_uploader")[0].proto.max_upload_size_mb == 1
    crit = get_set("vn-ntm-xa-2021-2025")
    at = upload(at, "bo-tieu-chi.xlsx", export_bytes(crit))
    no_exception(at)
    problems = next(f for f in frames(at) if "Mã lỗi" in f.columns)
    assert list(problems["Mã lỗi"]) == ["file_too_large"]
    assert not any(b.key == "criteria_import_save" for b in at.button)
    stored_nothing(empty_db)


# --- who may change criteria ------------------------------------------------------------------


@pytest.mark.parametrize("user", [VIEWER, None], ids=["viewer", "not logged in"])
def test_a_viewer_sees_a_refusal_and_nothing_changes(empty_db: str, user: User | None) -> None:
    at = run_page(user)
    no_exception(at)
    refusals = alerts(at, "warning")
    assert any("nhập bộ tiêu chí" in w for w in refusals)
    assert any("sửa bộ tiêu chí" in w for w in refusals)
    assert not at.data_editor and not at.get("file_uploader")
    assert any("threshold" in f.columns for f in frames(at)), "thresholds are shown read-only"
    table = cs.threshold_table(OLD, "tdmnpb")
    table.loc[table["code"] == "4.2", "threshold"] = 1.0
    with pytest.raises(PermissionDenied):
        cs.save_thresholds(OLD, "tdmnpb", table, user)
    with pytest.raises(PermissionDenied):
        cs.save_import(get_set(OLD), user)
    stored_nothing(empty_db)


# --- the 2026-2030 set ------------------------------------------------------------------------


def _complete_2026() -> CriteriaSet:
    """A small synthetic 'complete' 2026-2030 set: one indicator per criterion, a threshold
    per commune group (90 / 70 / 50)."""
    shipped = shipped_sets()[NEW]
    criteria = [
        Criterion(
            number=c.number,
            name=c.name,
            indicators=[
                Indicator(
                    code=f"{c.number}.1",
                    name=f"Chỉ tiêu thử {c.number}.1",
                    unit="%",
                    kind="percent",
                    thresholds=[
                        ThresholdRule(key=g, value=v, verified=True, source="thử")
                        for g, v in (("1", 90.0), ("2", 70.0), ("3", 50.0))
                    ],
                )
            ],
        )
        for c in shipped.criteria
    ]
    return shipped.model_copy(
        update={"criteria": criteria, "complete": True, "missing": [], "expected_indicators": 10}
    )


def _store_values(url: str, commune: str, year: int) -> None:
    """The commune (group 2, region TDMNPB) and values for `year`: 80% on every 2026 test
    indicator, or only 1.1 for 2025 (its other values missing)."""
    store = Store(url).migrate()
    try:
        store.save_commune(CommuneProfile(name=commune, group="2", region="tdmnpb"))
        if year == 2025:
            rows = [{"commune": commune, "period": 2025, "code": "1.1", "value": 1.0}]
        else:
            rows = [
                {"commune": commune, "period": 2026, "code": f"{n}.1", "value": 80.0}
                for n in range(1, 11)
            ]
        read = ReadResult(f"{year}.xlsx", make_values(rows), [], ReturnMeta(commune=commune))
        outcome = store.import_bytes(str(year).encode(), f"{year}.xlsx", "test", read_result=read)
        assert outcome.status == "accepted"
    finally:
        store.close()
    services.clear_caches()


def test_2026_is_assessed_on_an_imported_complete_set_keyed_by_the_group(empty_db: str) -> None:
    commune = "Xã Thử"
    _store_values(empty_db, commune, 2026)
    seed = {state.COMMUNE: commune, state.YEAR: 2026}

    # Before: the shipped 2026-2030 set has no indicators. Cài đặt says so and how to fix it;
    # the criteria read "Chưa có ngưỡng", not "Thiếu dữ liệu".
    at = run_page(ADMIN, **seed)
    no_exception(at)
    warning = " ".join(alerts(at, "warning"))
    assert "2026" in warning and "chưa đầy đủ" in warning and "0/47" in warning
    assert "nhập tệp" in warning and NEW in warning
    ov = services.overview(commune, 2026, "vi")
    assert ov is not None and ov.criteria_set.endswith("2026-2030")
    assert set(ov.grid["status"]) == {"no_threshold"}
    progress = ov.progress.set_index("period")
    assert progress.loc[2026, "criteria_no_threshold"] == 10
    assert progress.loc[2026, "criteria_unknown"] == 0
    fig = charts.progress_chart(ov.progress, title="t", source="s", date="d")
    assert "Chưa có ngưỡng" in [tr.name for tr in fig.data if tr.type == "bar"]

    # Import the complete set as the next revision of the same id.
    at = upload(at, "bo-2026.xlsx", export_bytes(_complete_2026()))
    no_exception(at)
    info = " ".join(alerts(at, "info"))
    assert "Tệp hợp lệ" in info and "10 chỉ tiêu" in info and "phiên bản 1" in info
    at.button(key="criteria_import_save").click().run()
    no_exception(at)
    assert any(f"Đã lưu bộ {NEW}, phiên bản 1" in s for s in alerts(at, "success"))
    assert not any("chưa đầy đủ" in w for w in alerts(at, "warning"))

    # 2026 is now judged on it, with group 2's thresholds (80 ≥ 70: met; group 1 needs 90).
    a = services.assessment(commune)
    parts = a.parts[(a.parts["period"] == 2026) & a.parts["village"].isna()]
    assert set(parts["criteria_set"]) == {NEW}
    assert set(parts["threshold"]) == {70.0} and set(parts["status"]) == {"met"}
    unit = next(u for u in a.to_json()["units"] if u["period"] == 2026)
    assert unit["criteria_set_revision"] == 1 and unit["criteria_met"] == 10
    as_group_1 = assess(
        Store(empty_db).current_values(commune=commune)[VALUE_COLUMNS],
        keys={commune: {"group": "1"}},
        extra_sets=Store(empty_db).criteria_sets(),
    )
    assert set(as_group_1.parts.loc[as_group_1.parts["period"] == 2026, "status"]) == {"unmet"}

    # Tổng quan's progress crosses 2025 → 2026 with the crosswalk's comparable criteria; in
    # 2025 the values are missing: unknown for lack of data, not of a threshold.
    _store_values(empty_db, commune, 2025)
    ov = services.overview(commune, 2026, "vi")
    assert ov is not None
    progress = ov.progress.set_index("period")
    assert progress.loc[2025, "criteria_no_threshold"] == 0
    assert progress.loc[2025, "criteria_unknown"] > 0
    assert progress.loc[2026, "not_comparable"] == "4, 7"
    assert progress.loc[2026, "comparable_total"] == 8 and progress.loc[2026, "comparable_met"] == 8


def _return_2026(commune: str) -> bytes:
    """A workbook as staff bring it: the commune's 2026 values of the imported set's codes."""
    rows = [[f"{n}.1", "", 80] for n in range(1, 11)]
    return xlsx({"Toàn xã": [["Xã:", commune], ["Năm:", 2026], [], LONG_HEADER, *rows]})


@pytest.mark.parametrize(
    ("imported", "status", "stored_values"),
    [(False, "refused", 0), (True, "accepted", 10)],
    ids=["before the set is imported", "after"],
)
def test_a_2026_return_is_read_against_the_set_imported_into_the_database(
    empty_db: str, imported: bool, status: str, stored_values: int
) -> None:
    """The reader chooses the set as the assessment does (Store.reading_context): once the
    47 indicators are imported, a 2026 workbook's codes are known, not dropped as unknown."""
    db = services.store()
    db.save_commune(CommuneProfile(name="Hòa Bình", group="2"))
    if imported:
        db.save_criteria_set(_complete_2026(), user="test")
    outcome = db.import_bytes(_return_2026("Hòa Bình"), "2026.xlsx", user="test")
    assert outcome.status == status
    assert len(db.current_values(commune="Hòa Bình")) == stored_values
    preview = services.read_upload("2026.xlsx", _return_2026("Hòa Bình"))
    assert len(preview.values) == stored_values


def test_the_reader_follows_the_set_a_commune_profile_names() -> None:
    own = _complete_2026().model_copy(update={"id": "bo-rieng-2026"})
    result = read_return(
        _return_2026("Hòa Bình"),
        "2026.xlsx",
        extra_sets=[own],
        commune_sets={"Hòa Bình": "bo-rieng-2026"},
    )
    assert result.meta.criteria_set == "bo-rieng-2026"
    assert len(result.values) == 10


# --- the progress chart across a change of set ------------------------------------------------


def _two_periods() -> tuple[pd.DataFrame, pd.DataFrame]:
    units = pd.DataFrame(
        {
            "period": [2024, 2025, 2026],
            "criteria_set": [OLD, OLD, NEW],
            "criteria_met": [12, 15, 0],
            "criteria_unmet": [5, 2, 0],
            "criteria_unknown": [2, 2, 0],
            "criteria_no_threshold": [0, 0, 10],
            "criteria_total": [19, 19, 10],
        }
    )
    old = [c.number for c in shipped_sets()[OLD].criteria]
    new = [c.number for c in shipped_sets()[NEW].criteria]
    criteria = pd.DataFrame(
        [
            {"period": p, "criterion": n, "status": "met" if int(n) <= k else "unmet"}
            for p, k in ((2024, 12), (2025, 15))
            for n in old
        ]
        + [{"period": 2026, "criterion": n, "status": "unknown"} for n in new]
    )
    return units, criteria


def test_progress_chart_shows_the_break_and_what_is_not_comparable() -> None:
    units, criteria = _two_periods()
    frame = charts.crosswalk_columns(units, criteria, shipped_sets(), "vi")
    assert list(frame["set_label"]) == ["318/QĐ-TTg · 19 tiêu chí"] * 2 + [
        "51/2025/QĐ-TTg · 10 tiêu chí"
    ]
    assert list(frame["comparable_total"]) == [13, 13, 8]
    # Comparable: TC 1-4, 7, 11, 13-19; met: TC 1-12 (2024), TC 1-15 (2025).
    assert list(frame["comparable_met"]) == [6, 9, 0]
    fig = charts.progress_chart(frame, title="t", source="s", date="d")
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert [(s.x0, s.line.dash) for s in lines] == [(1.5, "dash")]  # between 2025 and 2026
    notes = [a.text for a in fig.layout.annotations]
    assert "Đổi bộ tiêu chí" in notes
    assert any("không so sánh được: TC 5, 6, 8, 9, 10, 12" in n for n in notes)
    assert any("không so sánh được: TC 4, 7" in n for n in notes)
    share = next(tr for tr in fig.data if tr.name == "Tiêu chí so sánh được đã đạt (%)")
    assert share.yaxis == "y2" and list(share.text) == ["6/13", "9/13", "0/8"]
    bars = [tr.name for tr in fig.data if tr.type == "bar"]
    assert bars == ["Đạt", "Chưa đạt", "Thiếu dữ liệu", "Chưa có ngưỡng"]

    # Without a crosswalk the break itself is labelled "không so sánh được".
    bare = charts.crosswalk_columns(units, criteria, shipped_sets(), "vi", walks=lambda a, b: None)
    fig = charts.progress_chart(bare, title="t", source="s", date="d")
    assert "Đổi bộ tiêu chí · không so sánh được" in [a.text for a in fig.layout.annotations]
    assert not any(tr.name == "Tiêu chí so sánh được đã đạt (%)" for tr in fig.data)

    # One set only: the chart is as it always was.
    plain = units.iloc[:2].drop(columns=["criteria_set", "criteria_no_threshold"])
    fig = charts.progress_chart(plain, title="t", source="s", date="d")
    assert not fig.layout.shapes and not fig.layout.annotations
