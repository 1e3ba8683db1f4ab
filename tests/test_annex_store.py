"""Annex drafts in the database and on the command line (issue 16 item 4).

- A draft is stored with the original document; nothing judges with it: it is not among the
  criteria sets (`Store.criteria_sets`, what every assessment reads) until it is approved.
- Approval is refused while a cell is flagged; then, in one transaction, the set becomes the
  next revision of its id with every threshold verified against the document (its sha256), and
  the draft records who approved it and when. Every step is in the audit log.
- `ntm criteria import ANNEX` prints the summary, `show` shows the draft with `"state":
  "draft"`, `correct` and `approve` finish it; the app's own criteria sheet still imports at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from annex_corpus import annex_2026, write_docx
from app_fixtures import ntm
from storage_fixtures import db_url as _db_url  # noqa: F401
from storage_fixtures import pg_session_url as _pg_session_url  # noqa: F401
from storage_fixtures import store as _store  # noqa: F401

from ntm.annex import read_annex
from ntm.annex.draft import AnnexDraft, CorrectionError, NotReady, flagged
from ntm.cli import main
from ntm.criteria import get_set, shipped_sets
from ntm.criteria_sheet import export_bytes
from ntm.storage import Store
from ntm.storage.drafts import APPROVED, DRAFT, SUPERSEDED, DraftClosed, Drafts

SET_ID = "vn-ntm-xa-2026-2030"


@pytest.fixture(scope="module")
def annex_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_docx(annex_2026(), tmp_path_factory.mktemp("annex") / "phu-luc-I.docx")


def _draft(path: Path) -> AnnexDraft:
    draft, _ = read_annex(
        path.read_bytes(), path.name, set_id=SET_ID, candidates=shipped_sets().values()
    )
    assert draft is not None
    return draft


def _fix_all(drafts: Drafts, draft_id: int) -> None:
    for index, cell in flagged(drafts.get(draft_id)):
        drafts.correct(draft_id, index, "100%" if cell.text.startswith("100") else "≥ 70%", "an")


def test_a_draft_is_kept_with_its_document_and_judges_nothing(
    store: Store, annex_file: Path
) -> None:
    drafts = Drafts(store)
    draft = _draft(annex_file)
    first = drafts.save(draft, annex_file.read_bytes(), "an")
    assert drafts.get(first) == draft
    assert drafts.original(first) == ("phu-luc-I.docx", annex_file.read_bytes())
    assert store.criteria_sets() == []  # what assessments read: the draft is not there
    second = drafts.save(draft, annex_file.read_bytes(), "binh")  # imported again
    assert [(i.id, i.state) for i in drafts.list(None)] == [(first, SUPERSEDED), (second, DRAFT)]
    info = drafts.open_for(SET_ID)
    assert info is not None and (info.id, info.user, info.sha256) == (
        second,
        "binh",
        draft.source.sha256,
    )
    actions = list(store.audit(entity="criteria_draft")["action"])
    assert sorted(actions) == sorted(
        ["criteria_draft.created", "criteria_draft.superseded", "criteria_draft.created"]
    )


def test_approval_is_refused_while_a_cell_is_flagged_then_stores_a_verified_set(
    store: Store, annex_file: Path
) -> None:
    drafts = Drafts(store)
    draft_id = drafts.save(_draft(annex_file), annex_file.read_bytes(), "an")
    base = get_set(SET_ID)
    with pytest.raises(NotReady):
        drafts.approve(draft_id, base, "an")
    assert store.criteria_sets() == [] and drafts.info(draft_id).state == DRAFT
    with pytest.raises(CorrectionError):
        drafts.correct(draft_id, flagged(drafts.get(draft_id))[0][0], "Có", "an")
    _fix_all(drafts, draft_id)
    revision = drafts.approve(draft_id, base, "quan.tri")
    assert revision == 1
    info = drafts.info(draft_id)
    assert (info.state, info.approved_by, info.criteria_revision) == (APPROVED, "quan.tri", 1)
    assert info.approved_at is not None
    (stored,) = store.criteria_sets()
    assert (stored.id, stored.revision, stored.indicator_count()) == (SET_ID, 1, 47)
    assert stored.unverified_count() == 0 and stored.complete
    sources = {r.source for _, ind in stored.indicators() for r in ind.thresholds}
    assert sources == {f"51/2025/QĐ-TTg Phụ lục I: phu-luc-I.docx (sha256 {info.sha256})"}
    with pytest.raises(DraftClosed):
        drafts.approve(draft_id, base, "quan.tri")
    log = store.audit(entity="criteria_draft")
    approved = log[log["action"] == "criteria_draft.approved"]
    assert len(approved) == 1
    details = approved.iloc[0]["details"]
    assert (details["sha256"], details["revision"]) == (info.sha256, 1)
    corrected = log[log["action"] == "criteria_draft.corrected"]
    assert len(corrected) == 9
    assert corrected.iloc[0]["details"]["printed"] == "100% (50% cứng hóa)"


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, Any]]:
    """`ntm ARGS` in this process (one real subprocess run is in the first CLI test)."""

    def call(*args: str) -> tuple[int, Any]:
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr().out
        return code, json.loads(out) if out.strip() else None

    return call


def test_cli_import_show_correct_approve(
    tmp_path: Path, annex_file: Path, run: Callable[..., tuple[int, Any]]
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'ntm.db'}"]
    done = ntm("criteria", "import", str(annex_file), "--id", SET_ID, "--user", "an", *db)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert "ntm criteria approve" in done.stderr  # says what to do next
    assert {k: out[k] for k in ("state", "cells", "parsed", "flagged", "indicator_count")} == {
        "state": "draft",
        "cells": 136,
        "parsed": 127,
        "flagged": 9,
        "indicator_count": 47,
    }
    assert out["flagged_cells"][0]["text"] == "100% (50% cứng hóa)"
    # the shipped set is still the one in use, and says a draft is waiting
    code, shown = run("criteria", "show", SET_ID, *db)
    assert (shown["state"], shown["open_draft"], shown["complete"]) == ("shipped", 1, False)
    code, shown = run("criteria", "show", SET_ID, "--draft", *db)
    assert code == 0 and shown["state"] == "draft"
    ind = shown["criteria"][1]["indicators"][0]
    assert ind["verified"] is False
    assert [(c["column"], c["text"], c["status"]) for c in ind["cells"]] == [
        ("Nhóm 1", "100%", "parsed"),
        ("Nhóm 2", "100% (50% cứng hóa)", "flagged"),
        ("Nhóm 3", "≥ 70%", "parsed"),
    ]
    code, refused = run("criteria", "approve", SET_ID, "--user", "quan.tri", *db)
    assert code == 1 and refused["approved"] is False and len(refused["flagged_cells"]) == 9
    code, fixed = run("criteria", "correct", SET_ID, "2.1", "2", "100%", "--user", "an", *db)
    assert code == 0 and (fixed["status"], fixed["value"]) == ("corrected", 100.0)
    code, bad = run("criteria", "correct", SET_ID, "2.7", "3", "70%", "--user", "an", *db)
    assert code == 1 and bad["reason"] == "no_direction"
    for cell in refused["flagged_cells"][1:]:
        text = "100%" if cell["text"].startswith("100") else "≥ 70%"
        where = (cell["code"], cell["key"], text)
        code, _ = run("criteria", "correct", SET_ID, *where, "--user", "an", *db)
        assert code == 0
    code, done = run("criteria", "approve", SET_ID, "--user", "quan.tri", *db)
    assert code == 0 and (done["state"], done["revision"], done["approved_by"]) == (
        "approved",
        1,
        "quan.tri",
    )
    code, shown = run("criteria", "show", SET_ID, *db)
    assert (shown["state"], shown["complete"]) == ("stored", True)
    assert "open_draft" not in shown
    assert all(i["verified"] for c in shown["criteria"] for i in c["indicators"])


def test_cli_approve_flag_refuses_a_draft_with_flagged_cells_but_keeps_it(
    tmp_path: Path, annex_file: Path, run: Callable[..., tuple[int, Any]]
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'ntm.db'}"]
    code, out = run("criteria", "import", str(annex_file), "--id", "nhap-thu", "--approve", *db)
    assert code == 1 and out["approved"] is False and out["state"] == "draft"
    code, shown = run("criteria", "show", "nhap-thu", *db)  # no set of that id: the draft
    assert code == 0 and shown["state"] == "draft" and shown["flagged"] == 9
    code, listed = run("criteria", "list", "--format", "json", *db)
    assert [(r["id"], r["state"]) for r in listed if r["source"] == "draft"] == [
        ("nhap-thu", "draft")
    ]


def test_cli_the_criteria_sheet_still_imports_at_once(
    tmp_path: Path, run: Callable[..., tuple[int, Any]]
) -> None:
    sheet = tmp_path / "bo-tieu-chi.xlsx"
    sheet.write_bytes(export_bytes(get_set("vn-ntm-xa-2021-2025")))
    db = ["--db", f"sqlite:///{tmp_path / 'ntm.db'}"]
    code, out = run("criteria", "import", str(sheet), "--id", "bo-cua-tinh", *db)
    assert code == 0 and out == {"id": "bo-cua-tinh", "problems": [], "revision": 1}
    code, shown = run("criteria", "show", "bo-cua-tinh", *db)
    assert shown["state"] == "stored" and len(shown["criteria"]) == 19
