"""Cài đặt › the annex draft (issue 16 item 4), run headless with AppTest on its own database.

An admin uploads the (make-believe) 2026-2030 annex: a draft is stored and shown cell by cell
beside the printed text, the cells a person must read marked in words; approval is disabled
until they are corrected in the table; then approving stores the set, verified, and 2026 is
judged on it. A viewer sees neither the uploader nor the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from annex_corpus import annex_2026, write_docx
from app_fixtures import no_exception, use_database
from streamlit.testing.v1 import AppTest

from ntm import demo
from ntm.auth import Role, User
from ntm.storage import Store
from ntm.storage.drafts import Drafts
from ntm.ui import auth_ui, services

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "screens" / "cai_dat.py")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SET_ID = "vn-ntm-xa-2026-2030"
ADMIN = User("Hùng", Role.ADMIN)
VIEWER = User("Mai", Role.VIEWER)


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "no-demo").mkdir()
    monkeypatch.setattr(demo, "folder", lambda: tmp_path / "no-demo")
    yield from use_database(f"sqlite:///{tmp_path / 'ntm.db'}")


@pytest.fixture(scope="module")
def annex_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return write_docx(annex_2026(), tmp_path_factory.mktemp("a") / "phu-luc-I.docx").read_bytes()


def run_page(user: User, **seed: Any) -> AppTest:
    services.store().save_user(user.name, user.role.value, None)
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in {**auth_ui.session_for(user), **seed}.items():
        at.session_state[key] = value
    return at.run()


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value).replace("\\", "") for e in getattr(at, kind)]


def annex_uploaders(at: AppTest) -> list[str]:
    return [str(u.key) for u in at.get("file_uploader") if str(u.key).startswith("annex")]


def button(at: AppTest, key: str) -> Any:
    return next(b for b in at.button if b.key == key)


def test_admin_reads_the_annex_corrects_the_flagged_cells_and_approves(
    empty_db: str, annex_bytes: bytes
) -> None:
    at = run_page(ADMIN)
    no_exception(at)
    assert annex_uploaders(at) == ["annex_upload_0"]
    at.file_uploader(key="annex_upload_0").set_value(("phu-luc-I.docx", annex_bytes, DOCX))
    at = at.run()
    button(at, "annex_read").click()
    at = at.run()
    no_exception(at)
    assert any("Đã lưu bản nháp 1" in s for s in texts(at, "success"))
    summary = " ".join(texts(at, "markdown"))
    assert "127 ô đọc được" in summary and "9 ô cần người xem" in summary
    assert Store(empty_db).criteria_sets() == []  # a draft judges nothing
    editor = next(e for e in at.data_editor if e.key and e.key.startswith("annex_cells_1_"))
    table = editor.value
    assert len(table) == 136
    flagged_rows = table[table["status"] == "CẦN NGƯỜI XEM"]
    assert list(flagged_rows["printed"].unique()) == ["100% (50% cứng hóa)", "70%"]
    assert button(at, "annex_approve").disabled
    # type a reading into every flagged row, as the browser would, then save
    positions = [table.index.get_loc(i) for i in flagged_rows.index]
    edits = {
        pos: {"correction": "100%" if table.iloc[pos]["printed"].startswith("100") else "≥ 70%"}
        for pos in positions
    }
    assert editor.key is not None
    at.session_state[editor.key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at = at.run()
    button(at, "annex_save").click()
    at = at.run()
    no_exception(at)
    assert any("Đã lưu 9 ô đã sửa" in s for s in texts(at, "success"))
    assert not button(at, "annex_approve").disabled
    button(at, "annex_approve").click()
    at = at.run()
    no_exception(at)
    assert any(f"Đã duyệt: bộ {SET_ID}, phiên bản 1" in s for s in texts(at, "success"))
    crit = services.criteria_sets()[SET_ID]
    assert (crit.revision, crit.complete, crit.unverified_count()) == (1, True, 0)
    info = Drafts(Store(empty_db)).info(1)
    assert (info.state, info.approved_by) == ("approved", ADMIN.name)


def test_a_viewer_sees_no_uploader_and_no_draft_table(empty_db: str, annex_bytes: bytes) -> None:
    at = run_page(VIEWER)
    no_exception(at)
    assert annex_uploaders(at) == []
    assert any("đăng nhập" in s.lower() or "quyền" in s.lower() for s in texts(at, "info"))
    assert not [e for e in at.data_editor if e.key and e.key.startswith("annex_cells")]
