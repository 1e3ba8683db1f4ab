"""`ntm criteria import ANNEX`, `correct`, `approve` and the draft in `show` (issue 16 item 4).

    ntm criteria import phu-luc-I.docx --id vn-ntm-xa-2026-2030 [--based-on SET] [--approve]
    ntm criteria show vn-ntm-xa-2026-2030 --draft
    ntm criteria correct vn-ntm-xa-2026-2030 2.3 2 "100%" --user quan.tri
    ntm criteria approve vn-ntm-xa-2026-2030 --user quan.tri

Import stores a DRAFT and prints a summary (cells parsed, flagged; every flagged cell with its
printed text and place); nothing judges with it. `correct` gives a person's reading of one cell
(indicator code, column: "general"/"chung" or a region/group id). `approve` refuses while any
cell is flagged (exit 1) and otherwise stores the set as the next revision of its id, verified
against the document (its name and sha256 are every threshold's source). `--approve` on import
does the same at once, for scripted use.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from ntm.annex import read_annex
from ntm.annex.draft import AnnexDraft, CorrectionError, NotReady, build_set, counts, flagged
from ntm.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from ntm.criteria import GENERAL_KEY, CriteriaSet
from ntm.errors import CriteriaError, has_errors
from ntm.village_sets import clash_problems

Finder = Callable[[str, str | None], CriteriaSet | None]
GENERAL_WORDS = {GENERAL_KEY, "chung", "chi-tieu-chung"}


def drafts_of(db: str | None) -> Any:
    from ntm.storage import Store
    from ntm.storage.drafts import Drafts

    return Drafts(Store(db).migrate())


def _print(obj: object) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=1, default=str)
    print()


def cell_json(index: int, cell: Any) -> dict[str, Any]:
    return {
        "index": index,
        "code": cell.code,
        "column": cell.column or "Chỉ tiêu chung",
        "key": cell.key or GENERAL_KEY,
        "text": cell.text,
        "where": cell.where.ref,
        "status": cell.status,
        "direction": cell.direction,
        "value": cell.value,
        "kind": cell.kind,
        "unit": cell.unit,
        "applies": cell.applies,
        "reason": cell.reason,
        "correction": cell.correction,
        "corrected_by": cell.corrected_by,
    }


def summary(draft: AnnexDraft, draft_id: int) -> dict[str, Any]:
    return {
        "id": draft.set_id,
        "state": "draft",
        "draft": draft_id,
        "based_on": draft.based_on,
        "source": draft.source.model_dump(),
        **counts(draft),
        "flagged_cells": [cell_json(i, c) for i, c in flagged(draft)],
        "skipped": [r.model_dump() for r in draft.skipped],
    }


def draft_json(draft: AnnexDraft, draft_id: int, base: CriteriaSet | None) -> dict[str, Any]:
    """The draft in `ntm criteria show`'s shape, each indicator with the cells it was read from."""
    from ntm.cli.criteria_cmd import set_json

    out: dict[str, Any] = summary(draft, draft_id)
    shape: dict[str, Any] = {"criteria": []}
    if base is not None:
        try:
            shape = set_json(build_set(draft, base))
        except CriteriaError as exc:
            out["invalid"] = [f"{path}: {message}" for path, message in exc.details]
    cells = [cell_json(i, c) for i, c in enumerate(draft.cells)]
    for criterion in shape["criteria"]:
        for indicator in criterion["indicators"]:
            indicator["cells"] = [c for c in cells if c["code"] == indicator["code"]]
    return {**out, **shape, "state": "draft"}


def run_import(args: argparse.Namespace, find: Finder, sets: list[CriteriaSet]) -> int:
    based_on = None
    if args.based_on:
        based_on = find(args.based_on, args.db)
        if based_on is None:
            return EXIT_USAGE
    data = args.file.read_bytes()
    draft, problems = read_annex(
        data, args.file.name, set_id=args.new_id, candidates=sets, based_on=based_on
    )
    if draft is None or has_errors(problems):
        _print({"id": args.new_id, "problems": [p.to_json() for p in problems]})
        return EXIT_PROBLEMS
    drafts = drafts_of(args.db)
    draft_id = drafts.save(draft, data, args.user)
    result = summary(draft, draft_id)
    result["problems"] = [p.to_json() for p in problems]
    code = EXIT_OK
    if args.approve:
        code = _approve(drafts, draft_id, draft, find, sets, args, result)
    _print(result)
    if code == EXIT_OK and not args.approve:
        print(
            f"đã lưu bản nháp {draft_id}: {result['parsed']} ô đọc được, {result['flagged']} ô cần "
            f"người xem; xem: ntm criteria show {args.new_id} --draft; duyệt: ntm criteria "
            f"approve {args.new_id} --user TÊN",
            file=sys.stderr,
        )
    return code


def _approve(
    drafts: Any,
    draft_id: int,
    draft: AnnexDraft,
    find: Finder,
    sets: list[CriteriaSet],
    args: argparse.Namespace,
    result: dict[str, Any],
) -> int:
    base = find(draft.based_on, args.db)
    if base is None:
        return EXIT_USAGE
    try:
        preview = build_set(draft, base)
    except CriteriaError as exc:
        result["approved"] = False
        result["invalid"] = [f"{path}: {message}" for path, message in exc.details]
        return EXIT_PROBLEMS
    clashes = clash_problems(
        preview, [s for s in sets if s.id != draft.set_id], draft.source.filename
    )
    if clashes:
        result["approved"] = False
        result["problems"] = [p.to_json() for p in clashes]
        return EXIT_PROBLEMS
    try:
        revision = drafts.approve(draft_id, base, args.user)
    except NotReady as exc:
        result["approved"] = False
        result["refused"] = str(exc)
        print(f"ntm criteria: không duyệt: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    info = drafts.info(draft_id)
    result.update(
        state="approved",
        approved=True,
        revision=revision,
        approved_by=info.approved_by,
        approved_at=info.approved_at.isoformat() if info.approved_at else None,
        sha256=info.sha256,
    )
    return EXIT_OK


def run_approve(args: argparse.Namespace, find: Finder, sets: list[CriteriaSet]) -> int:
    drafts = drafts_of(args.db)
    info = drafts.open_for(args.set_id)
    if info is None:
        print(f"ntm criteria: không có bản nháp nào của {args.set_id!r}", file=sys.stderr)
        return EXIT_USAGE
    draft = drafts.get(info.id)
    result: dict[str, Any] = {"id": args.set_id, "draft": info.id}
    code = _approve(drafts, info.id, draft, find, sets, args, result)
    if not result.get("approved"):
        result["flagged_cells"] = [cell_json(i, c) for i, c in flagged(draft)]
    _print(result)
    return code


def run_correct(args: argparse.Namespace) -> int:
    drafts = drafts_of(args.db)
    info = drafts.open_for(args.set_id)
    if info is None:
        print(f"ntm criteria: không có bản nháp nào của {args.set_id!r}", file=sys.stderr)
        return EXIT_USAGE
    draft = drafts.get(info.id)
    key = None if args.column.lower() in GENERAL_WORDS else args.column
    index = next(
        (i for i, c in enumerate(draft.cells) if c.code == args.code and c.key == key), None
    )
    if index is None:
        print(f"ntm criteria: bản nháp không có ô {args.code} / {args.column}", file=sys.stderr)
        return EXIT_USAGE
    try:
        fixed = drafts.correct(info.id, index, args.text, args.user)
    except CorrectionError as exc:
        _print({"id": args.set_id, "corrected": False, "reason": exc.reason, "text": exc.text})
        return EXIT_PROBLEMS
    _print({"id": args.set_id, "corrected": True, **cell_json(index, fixed.cells[index])})
    return EXIT_OK


def register(cmds: Any) -> None:
    approve = cmds.add_parser("approve", help="duyệt bản nháp đọc từ phụ lục của quyết định")
    approve.add_argument("set_id", metavar="SET_ID")
    approve.add_argument("--user", required=True, help="người duyệt (ghi vào nhật ký)")
    approve.add_argument("--db", metavar="URL")
    fix = cmds.add_parser("correct", help="sửa một ô của bản nháp (ô cần người đọc)")
    fix.add_argument("set_id", metavar="SET_ID")
    fix.add_argument("code", metavar="CODE", help="mã chỉ tiêu, ví dụ 2.2")
    fix.add_argument(
        "column", metavar="COLUMN", help='"general" (chỉ tiêu chung) hoặc mã vùng/nhóm'
    )
    fix.add_argument("text", metavar="TEXT", help='ngưỡng như in, ví dụ "≥ 70%", "Đạt"')
    fix.add_argument("--user", required=True)
    fix.add_argument("--db", metavar="URL")
