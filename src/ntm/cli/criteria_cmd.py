"""`ntm criteria list | show | export | import | correct | approve` (DESIGN §5, issues 5, 16).

`import` takes the app's criteria sheet (.xlsx with a "Chỉ tiêu" sheet: stored at once, as
before) or a decision's annex table (.docx, .pdf, any other .xlsx: stored as a draft a person
approves; ntm.cli.annex_cmd)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ntm.annex import ANNEX, file_kind
from ntm.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, annex_cmd
from ntm.criteria import CriteriaSet, shipped_sets
from ntm.criteria_sheet import export_bytes, read_sheet
from ntm.village_sets import clash_problems


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("criteria", help="bộ tiêu chí: liệt kê, xem, xuất, nhập")
    cmds = p.add_subparsers(dest="criteria_command", required=True, parser_class=type(p))

    ls = cmds.add_parser("list", help="liệt kê các bộ tiêu chí")
    ls.add_argument("--db", metavar="URL", help="cơ sở dữ liệu (mặc định: của ứng dụng)")
    ls.add_argument("--format", choices=["json", "table"], default="table")
    ls.set_defaults(func=run_list)

    show = cmds.add_parser("show", help="xem một bộ tiêu chí")
    show.add_argument("set_id", metavar="SET_ID")
    show.add_argument("--db", metavar="URL")
    show.add_argument("--format", choices=["json", "table"], default="json")
    show.add_argument("--draft", action="store_true", help="bản nháp đang chờ duyệt của bộ này")
    show.set_defaults(func=run_show)

    export = cmds.add_parser("export", help="xuất bộ tiêu chí ra tệp Excel")
    export.add_argument("set_id", metavar="SET_ID")
    export.add_argument("-o", "--output", type=Path, required=True)
    export.add_argument("--db", metavar="URL")
    export.set_defaults(func=run_export)

    imp = cmds.add_parser(
        "import",
        help="nhập bộ tiêu chí từ tệp Excel, hoặc phụ lục của quyết định (.docx/.pdf/.xlsx)",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--approve", action="store_true", help="phụ lục: duyệt ngay nếu không còn ô cần người xem"
    )
    imp.add_argument("--id", dest="new_id", required=True, metavar="NEW_ID")
    imp.add_argument("--based-on", metavar="SET_ID")
    imp.add_argument("--db", metavar="URL")
    imp.add_argument("--user", default="cli")
    imp.set_defaults(func=run_import)
    annex_cmd.register(cmds)
    cmds.choices["approve"].set_defaults(
        func=lambda a: annex_cmd.run_approve(a, _find, _set_list(a.db))
    )
    cmds.choices["correct"].set_defaults(func=annex_cmd.run_correct)


def _stored_sets(db: str | None) -> dict[str, CriteriaSet]:
    """Sets users imported or edited (latest revision of each), if the database has any."""
    from ntm.storage import Store

    store = Store(db)
    store.migrate()
    return {s.id: s for s in store.criteria_sets()}


def _all_sets(db: str | None) -> dict[str, tuple[CriteriaSet, str]]:
    sets = {k: (v, "file") for k, v in shipped_sets().items()}
    sets.update({k: (v, "database") for k, v in _stored_sets(db).items()})
    return sets


def _set_list(db: str | None) -> list[CriteriaSet]:
    return [s for s, _ in _all_sets(db).values()]


def _find(set_id: str, db: str | None) -> CriteriaSet | None:
    found = _all_sets(db).get(set_id)
    if found is None:
        print(f"ntm criteria: không có bộ tiêu chí {set_id!r}", file=sys.stderr)
        return None
    return found[0]


def set_json(crit: CriteriaSet) -> dict[str, Any]:
    """The `ntm criteria show --format json` shape (DESIGN §5), plus each set's state."""
    return {
        "id": crit.id,
        "title": crit.title.vi,
        "complete": crit.complete,
        "missing": [m.vi for m in crit.missing],
        "keyed_by": crit.keyed_by,
        "keys": [k.id for k in crit.keys],
        "years": [crit.years.first, crit.years.last],
        "legal_basis": crit.legal_basis.decision,
        "criteria": [
            {
                "number": c.number,
                "name": c.name.vi,
                "indicators": [
                    {
                        "code": i.code,
                        "name": i.name.vi,
                        "unit": i.unit,
                        "kind": i.kind,
                        "direction": i.direction,
                        "scope": i.scope,
                        "aggregation": i.aggregation,
                        "thresholds": _thresholds_json(i),
                        "verified": i.verified,
                    }
                    for i in c.indicators
                ],
            }
            for c in crit.criteria
        ],
    }


def _thresholds_json(ind: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in ind.measured:
        rules = [r.model_dump(exclude_defaults=True) for r in part.thresholds]
        if ind.parts:
            out[part.code] = rules
        else:
            out = {"rules": rules}
    return out


def run_list(args: argparse.Namespace) -> int:
    sets = _all_sets(args.db)
    rows: list[dict[str, Any]] = [
        {
            "id": s.id,
            "title": s.title.vi,
            "years": [s.years.first, s.years.last],
            "level": s.level,
            "complete": s.complete,
            "indicators": s.indicator_count(),
            "unverified": s.unverified_count(),
            "source": origin,
            "state": "shipped" if origin == "file" else "stored",
        }
        for s, origin in sets.values()
    ]
    for info in annex_cmd.drafts_of(args.db).list():
        base = sets[info.based_on][0] if info.based_on in sets else None
        rows.append(
            {
                "id": info.set_id,
                "title": f"bản nháp {info.id} từ {info.filename}",
                "years": [base.years.first, base.years.last] if base else [None, None],
                "level": "commune",
                "complete": False,
                "indicators": 0,
                "unverified": 0,
                "source": "draft",
                "state": "draft",
            }
        )
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for r in rows:
            state = "đầy đủ" if r["complete"] else "CHƯA ĐẦY ĐỦ"
            print(
                f"{r['id']:<28} {r['years'][0]}-{r['years'][1]}  {r['indicators']:>3} chỉ tiêu "
                f"({r['unverified']} chưa đối chiếu)  {state}  [{r['source']}]  {r['title']}"
            )
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    found = _all_sets(args.db).get(args.set_id)
    draft = annex_cmd.drafts_of(args.db).open_for(args.set_id)
    if draft is not None and (args.draft or found is None):
        return _show_draft(args, draft.id)
    if found is None:
        print(f"ntm criteria: không có bộ tiêu chí {args.set_id!r}", file=sys.stderr)
        return EXIT_USAGE
    crit, origin = found
    if args.format == "json":
        shown = {**set_json(crit), "state": "shipped" if origin == "file" else "stored"}
        if draft is not None:
            shown["open_draft"] = draft.id
        json.dump(shown, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(f"{crit.id}: {crit.title.vi} ({crit.legal_basis.decision})")
        for c in crit.criteria:
            print(f"  {c.number}. {c.name.vi}")
            for i in c.indicators:
                mark = "" if i.verified else "  [chưa đối chiếu]"
                print(f"     {i.code:<6} {i.name.vi}{mark}")
    return EXIT_OK


def _show_draft(args: argparse.Namespace, draft_id: int) -> int:
    draft = annex_cmd.drafts_of(args.db).get(draft_id)
    base = _all_sets(args.db).get(draft.based_on)
    shown = annex_cmd.draft_json(draft, draft_id, base[0] if base else None)
    if args.format == "json":
        json.dump(shown, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
        return EXIT_OK
    print(
        f"{draft.set_id}: BẢN NHÁP {draft_id} từ {draft.source.filename} ({shown['parsed']} ô "
        f"đọc được, {shown['flagged']} ô cần người xem, {shown['corrected']} ô đã sửa)"
    )
    for cell in draft.cells:
        mark = {"flagged": "  [CẦN NGƯỜI XEM]", "corrected": "  [đã sửa]"}.get(cell.status, "")
        print(f"  {cell.code:<6} {cell.column or 'Chỉ tiêu chung':<28} {cell.text}{mark}")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    crit = _find(args.set_id, args.db)
    if crit is None:
        return EXIT_USAGE
    args.output.write_bytes(export_bytes(crit))
    print(f"đã ghi {args.output}", file=sys.stderr)
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"ntm criteria import: không tìm thấy tệp {args.file}", file=sys.stderr)
        return EXIT_USAGE
    if file_kind(args.file.name, args.file.read_bytes()) == ANNEX:
        return annex_cmd.run_import(args, _find, _set_list(args.db))
    if args.approve:
        print("ntm criteria import: --approve chỉ dùng cho phụ lục (.docx, .pdf)", file=sys.stderr)
        return EXIT_USAGE
    based_on = None
    if args.based_on:
        based_on = _find(args.based_on, args.db)
        if based_on is None:
            return EXIT_USAGE
    from ntm import config

    limits = config.settings().limits()  # the upload limits of returns (NTM_MAX_FILE_MB …)
    crit, problems = read_sheet(
        args.file, args.file.name, set_id=args.new_id, based_on=based_on, limits=limits
    )
    if crit is not None:
        # A village set beside a commune set: their codes must differ (ntm.village_sets).
        others = [s for s, _ in _all_sets(args.db).values()]
        problems = clash_problems(crit, others, args.file.name)
        crit = None if problems else crit
    result: dict[str, Any] = {"id": args.new_id, "problems": [p.to_json() for p in problems]}
    if crit is not None:
        from ntm.storage import Store

        store = Store(args.db)
        store.migrate()
        result["revision"] = store.save_criteria_set(crit, user=args.user, based_on=args.based_on)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return EXIT_PROBLEMS if crit is None else EXIT_OK
