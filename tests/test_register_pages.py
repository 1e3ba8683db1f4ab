"""The register of units on the screens (issue 13), run headless with AppTest: the held-file
flow and the replace/update choice on Nhập liệu, duplicates / merge / undo on Dữ liệu, and what
Tổng quan says village aggregates count."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from app_fixtures import duong_quang_demo, no_exception, seeded_with, use_database
from test_pages import ADMIN, COMMUNE, DEMO, STAFF, XLSX, logged_in, plain, run_page, texts

from ntm.storage import Store
from ntm.ui import services, state, upload_flow


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, seeded from Dương Quang's demo returns on first use."""
    with seeded_with(duong_quang_demo(tmp_path / "demo")):
        yield from use_database(f"sqlite:///{tmp_path / 'ntm.db'}")


def demo_return(village: str = "Nà Dì", value: float = 91.0, drop: tuple[str, ...] = ()) -> bytes:
    """The demo's 2025 return with Nà Dì's sheet naming `village`, its 2.2 set to `value` and
    the codes `drop` emptied."""
    wb = openpyxl.load_workbook(DEMO / "duong-quang-2025.xlsx")
    ws = wb["Nà Dì"]
    ws["B2"] = village
    for r in range(6, ws.max_row + 1):
        code = ws.cell(r, 2).value
        if code == "2.2":
            ws.cell(r, 6).value = value
            ws.cell(r, 7).value = ws.cell(r, 8).value = None
        elif code in drop:
            for c in (6, 7, 8):
                ws.cell(r, c).value = None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def value_of(url: str, village: str, code: str, year: int = 2025) -> float:
    with Store(url) as store:
        values = store.current_values(commune=COMMUNE, period=year)
    found = values[(values["village"] == village) & (values["code"] == code)]
    return float(found["value"].iloc[0])


def upload(at: object, name: str, data: bytes) -> None:
    key = f"{state.UPLOADER}_{at.session_state[state.UPLOADER_ROUND]}"  # type: ignore[attr-defined]
    at.file_uploader(key=key).set_value((name, data, XLSX)).run()  # type: ignore[attr-defined]


def held_box(at: object) -> object:
    [box] = [s for s in at.selectbox if str(s.key).startswith("held_")]  # type: ignore[attr-defined]
    return box


def test_a_held_village_is_settled_on_the_upload_page_and_its_name_learnt(fresh_db: str) -> None:
    at = run_page("nhap_lieu.py", **{state.UPLOADER_ROUND: 0}, **logged_in(STAFF))
    upload(at, "moi.xlsx", demo_return("Khuổi Mạn", 91.0))
    no_exception(at)
    held = [plain(w.value) for w in at.warning if "moi.xlsx" in plain(w.value)]
    assert held and "giữ lại" in held[0]
    assert at.button(key="confirm_upload").disabled  # nothing to store yet
    problems = at.dataframe[-1].value
    assert "unknown_village" in problems.iloc[:, -1].tolist()
    box = held_box(at)
    assert "Khuổi Mạn" in box.label  # type: ignore[attr-defined]
    assert len(box.options) == 9  # type: ignore[attr-defined]  # the villages, nearest first
    assert not any("Thôn mới" in o for o in box.options)  # type: ignore[attr-defined]  # staff
    assert any("quản trị" in plain(c.value) for c in at.caption)
    box.set_value("Nà Dì")  # type: ignore[attr-defined]
    at.button(key=box.key.replace("held_", "held_use_")).click().run()  # type: ignore[attr-defined]
    no_exception(at)
    assert not any(str(s.key).startswith("held_") for s in at.selectbox)
    assert value_of(fresh_db, "Nà Dì", "2.2") != pytest.approx(91.0)  # not stored yet
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    assert any("Đã lưu moi.xlsx" in plain(s.value) for s in at.success)
    assert value_of(fresh_db, "Nà Dì", "2.2") == pytest.approx(91.0)
    with Store(fresh_db) as store:
        assert len(store.villages(COMMUNE)) == 9
        reg = store.register().commune(COMMUNE)
    assert reg is not None and {v.name: v.aliases for v in reg.villages}["Nà Dì"] == ("Khuổi Mạn",)


def test_an_admin_may_add_the_held_name_as_a_new_village(fresh_db: str) -> None:
    at = run_page("nhap_lieu.py", **{state.UPLOADER_ROUND: 0}, **logged_in(ADMIN))
    upload(at, "moi.xlsx", demo_return("Khuổi Mạn", 91.0))
    box = held_box(at)
    assert "Thôn mới (thêm vào danh mục)" in box.options  # type: ignore[attr-defined]
    box.set_value(upload_flow.NEW_VILLAGE)  # type: ignore[attr-defined]
    at.button(key=box.key.replace("held_", "held_use_")).click().run()  # type: ignore[attr-defined]
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    assert value_of(fresh_db, "Khuổi Mạn", "2.2") == pytest.approx(91.0)
    with Store(fresh_db) as store:
        assert len(store.villages(COMMUNE)) == 10
    assert [u["user"] for u in [services.store().uploads().iloc[0]]] == [ADMIN.name]


def test_a_re_upload_dropping_values_asks_replace_or_update(fresh_db: str) -> None:
    at = run_page("nhap_lieu.py", **{state.UPLOADER_ROUND: 0}, **logged_in(STAFF))
    before = value_of(fresh_db, "Nà Dì", "2.3")
    upload(at, "sua.xlsx", demo_return("Nà Dì", 95.0, drop=("2.3",)))
    no_exception(at)
    summary = at.dataframe[0].value if at.dataframe else at.table[0].value
    shown = summary.to_string()
    assert "thay phiên bản 1 (duong-quang-2025.xlsx)" in plain(shown)
    losing = [plain(w.value) for w in at.warning if "2.3" in plain(w.value)]
    assert losing and "Nà Dì năm 2025" in losing[0]
    assert at.button(key="confirm_upload").disabled  # a choice is needed first
    at.radio(key="upload_mode").set_value("update").run()
    assert not at.button(key="confirm_upload").disabled
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    assert value_of(fresh_db, "Nà Dì", "2.2") == pytest.approx(95.0)
    assert value_of(fresh_db, "Nà Dì", "2.3") == pytest.approx(before)  # kept
    revisions = services.store().revisions(commune=COMMUNE, village="Nà Dì", period=2025)
    assert revisions["number"].tolist() == [1, 2]


def test_data_page_lists_duplicates_merges_them_and_undoes_it(fresh_db: str) -> None:
    run_page("tong_quan.py")  # seeds the demo returns
    with Store(fresh_db) as store:  # a village split by spelling, as older versions stored it
        store.save_village(COMMUNE, "Na Di")
        data = demo_return("Na Di", 88.0)
        assert store.import_bytes(data, "cu.xlsx", user="cli").status == "accepted"
    at = run_page("du_lieu.py", **{state.YEAR: 2025}, **logged_in(ADMIN))
    no_exception(at)
    assert "Na Di, Nà Dì" in texts(at) or any(
        "Na Di, Nà Dì" in df.value.to_string() for df in at.dataframe
    )
    at.radio(key="merge_level").set_value("village").run()
    at.selectbox(key="merge_source_village").set_value("Na Di").run()
    at.selectbox(key="merge_into_village").set_value("Nà Dì").run()
    at.button(key="merge").click().run()
    no_exception(at)
    assert any('Gộp "Na Di" vào "Nà Dì"' in plain(w.value) for w in at.warning)
    at.button(key="merge_yes").click().run()
    no_exception(at)
    with Store(fresh_db) as store:
        assert "Na Di" not in [v.name for v in store.villages(COMMUNE)]
    assert value_of(fresh_db, "Nà Dì", "2.2") == pytest.approx(88.0)  # its latest upload
    assert any("Đã gộp" in plain(s.value) for s in at.success)
    at.button(key="undo_merge").click().run()
    no_exception(at)
    with Store(fresh_db) as store:
        assert "Na Di" in [v.name for v in store.villages(COMMUNE)]
        assert store.merges()["undone"].tolist() == [True]


def test_data_page_repairs_are_for_admins_only(fresh_db: str) -> None:
    run_page("tong_quan.py")
    at = run_page("du_lieu.py", **logged_in(STAFF))
    no_exception(at)
    assert not [b for b in at.button if b.key in ("merge", "rename", "undo_merge")]
    assert "quản trị" in texts(at)


def test_overview_says_the_aggregates_count_the_register_and_names_who_is_missing(
    fresh_db: str,
) -> None:
    at = run_page("tong_quan.py", **{state.YEAR: 2025})
    no_exception(at)
    assert "tổng hợp từ 9 thôn trong danh mục" in texts(at)
    with Store(fresh_db) as store:
        store.save_village(COMMUNE, "Pác Nặm")  # registered, has sent nothing
    at = run_page("tong_quan.py", **{state.YEAR: 2025})
    no_exception(at)
    assert "tổng hợp từ 10 thôn trong danh mục" in texts(at)
    unknown = "\n".join(df.value.to_string() for df in at.dataframe)
    assert "chưa có số liệu của thôn Pác Nặm" in unknown
    metric = next(m for m in at.metric if m.label == "Thôn đạt chuẩn")
    assert metric.value.endswith("/10")


def test_settings_keep_the_commune_code_and_show_its_other_spellings(fresh_db: str) -> None:
    run_page("tong_quan.py")  # seeds the demo returns
    services.store().add_alias(COMMUNE, "Duong Quang", user="test")
    at = run_page("cai_dat.py", **logged_in(ADMIN))
    no_exception(at)
    assert "Tên gọi khác đã gặp: Duong Quang" in texts(at)
    key = f"settings_code_{COMMUNE}"
    at.text_input(key=key).set_value("01957")
    at.button(key=f"settings_save_{COMMUNE}").click().run()
    no_exception(at)
    profile = services.profile(COMMUNE)
    assert profile is not None and profile.code == "01957"
    template = openpyxl.load_workbook(io.BytesIO(services.template_bytes(COMMUNE, 2025)))
    info = template["Thông tin"]
    assert {info.cell(r, 1).value: info.cell(r, 2).value for r in range(1, 8)}["Mã xã"] == "01957"
