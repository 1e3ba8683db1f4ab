"""`ntm import FILE... [--db URL] [--user NAME]` and `ntm report [--db URL] [--period YEAR] …`.

`ntm import` stores each file (DESIGN §6) and prints
`{"files": [{"file", "upload_id", "revisions", "status", "duplicate_of", "problems", "notices",
"held", "mode", "units"}]}`; exit 1 if any file was refused or held (or is the same bytes as a
refused file), 2 on a usage error. Names are matched to the register (ntm.register): a file
naming a village the register does not know is `held` (nothing stored) with the nearest names,
unless `--map "Na Di=Nà Dì"` says which village it is (saved as an alias) or `--new-village`
adds it. `units` says, per unit, the revision the file replaces and the current values it does
not repeat; `--mode replace` (the default) leaves those out of the new revision, `--mode
update` carries them over.

`ntm report` assesses the current revisions in the database (`ntm.views.assess_store`, the
screens' and the exports' own call) and prints the `ntm assess` JSON (DESIGN §5): each commune
is judged with its stored region/group, against the criteria set stored for it or else the set
in force for the year (sets users imported count; a profile naming an unknown set is judged on
the set in force with the warning `unknown_criteria_set`); `problems` are the warnings stored
with the uploads behind the current values, then the assessment's. `--format table` prints, for
people, each commune's headline, criteria and what blocks the rest (`ntm.cli.report_table`).

`--commune NAME` reports the commune with the communes merged into it (issue 16): each
predecessor's units before the merger, judged on its own profile, under its own name and with
`"successor": NAME` (a unit of any commune merged into another carries its `successor`).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from ntm.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from ntm.errors import Problem, has_errors


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser(
        "import", help="lưu các tệp báo cáo vào cơ sở dữ liệu (mỗi tệp một phiên bản)"
    )
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument("--db", metavar="URL", help="cơ sở dữ liệu (mặc định: của ứng dụng)")
    imp.add_argument(
        "--user", default=None, help="người tải lên (mặc định: NTM_USER hoặc tên đăng nhập)"
    )
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="TÊN=TÊN_ĐÚNG",
        help='tên trong tệp là thôn/xã đã có, ví dụ --map "Na Di=Nà Dì" (lưu làm tên gọi khác; '
        "lặp lại được)",
    )
    imp.add_argument(
        "--new-village",
        action="append",
        default=[],
        metavar="TÊN",
        help="thêm thôn mới vào danh mục của xã (tên như trong tệp; lặp lại được)",
    )
    imp.add_argument(
        "--mode",
        choices=["replace", "update"],
        default="replace",
        help="tệp gửi lại cho cùng thôn/xã và năm: replace (mặc định) = tệp là toàn bộ số liệu "
        "của đơn vị, giá trị hiện hành không có trong tệp không còn hiện hành; update = chỉ cập "
        "nhật các giá trị có trong tệp, giữ các giá trị khác. Cả hai đều tạo phiên bản mới.",
    )
    imp.add_argument("--lang", choices=["vi", "en"], default="vi")
    imp.set_defaults(func=run_import)

    rep = sub.add_parser(
        "report", help="đánh giá mức đạt từ các phiên bản hiện hành trong cơ sở dữ liệu"
    )
    rep.add_argument("--db", metavar="URL", help="cơ sở dữ liệu (mặc định: của ứng dụng)")
    rep.add_argument("--period", type=int, metavar="YEAR")
    rep.add_argument("--commune", metavar="NAME")
    rep.add_argument("--format", choices=["json", "table"], default="json")
    rep.add_argument("--lang", choices=["vi", "en"], default="vi")
    rep.set_defaults(func=run_report)


def default_user() -> str:
    if os.environ.get("NTM_USER"):
        return os.environ["NTM_USER"]
    try:
        return getpass.getuser()
    except Exception:  # no login name in a bare container
        return "cli"


def choices_from(maps: list[str], new_villages: list[str]) -> Any:
    """`--map "Na Di=Nà Dì"` and `--new-village NAME` as `ntm.register.Choices`; ValueError
    for a --map without '='."""
    from ntm.register import spelled
    from ntm.resolve import Choices

    names = {}
    for item in maps:
        spelling, sep, name = item.partition("=")
        if not sep or not spelling.strip() or not name.strip():
            raise ValueError(f'--map cần dạng "TÊN TRONG TỆP=TÊN ĐÚNG", không phải {item!r}')
        names[spelled(spelling)] = spelled(name)
    return Choices(names, {spelled(n) for n in new_villages if n.strip()})


def _explain(outcome: Any, lang: str) -> None:
    """What happened to one file, in sentences, on stderr."""
    print(f"{outcome.file}: {outcome.status}", file=sys.stderr)
    for problem in [*outcome.notices, *(p for p in outcome.problems if p.code.value in _NAMES)]:
        print(f"  {problem.message(lang)}", file=sys.stderr)
    for unit in outcome.units:
        if unit.replaces is None:
            continue
        where = f"{unit.commune}/{unit.village or 'toàn xã'} {unit.period}"
        line = f"  {where}: thay phiên bản {unit.replaces} ({unit.replaces_file})"
        if unit.not_repeated:
            kept = "giữ lại" if unit.carried else "không còn hiện hành"
            line += f"; {len(unit.not_repeated)} giá trị không có trong tệp ({kept}): "
            line += ", ".join(unit.not_repeated)
        print(line, file=sys.stderr)


_NAMES = {"commune_name_matched", "village_name_matched", "unknown_village"}


def run_import(args: argparse.Namespace) -> int:
    from ntm.storage import HELD, Store

    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        print(f"ntm import: không tìm thấy tệp: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    from ntm.demo import is_reserved

    try:
        choices = choices_from(args.map, args.new_village)
    except ValueError as exc:
        print(f"ntm import: {exc}", file=sys.stderr)
        return EXIT_USAGE
    user = args.user or default_user()
    if is_reserved(user):
        print(
            f"ntm import: tên người tải lên {user!r} dành riêng cho dữ liệu minh họa; "
            "dùng --user với tên khác",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with Store(args.db) as store:
        store.migrate()
        outcomes = [
            store.import_file(path, user=user, choices=choices, mode=args.mode)
            for path in args.files
        ]
    out = {"files": [o.to_json(args.lang) for o in outcomes]}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    for o in outcomes:
        _explain(o, args.lang)
    failed = any(o.refused or o.status == HELD for o in outcomes)
    return EXIT_PROBLEMS if failed else EXIT_OK


def build_report(
    store: Any, period: int | None = None, commune: str | None = None, lang: str = "vi"
) -> tuple[dict[str, Any], list[Problem]]:
    """The `ntm assess` JSON of the current revisions, and every problem behind it.

    Assessed by `ntm.views.assess_store`, the screens' and the exports' own call: each commune
    on the set its profile names (or the set in force, with the warning `unknown_criteria_set`
    when that name is not a known commune set), its village register, its village sets."""
    from ntm import views
    from ntm.attainment import criteria_set_json
    from ntm.selfcheck import self_assessment_json
    from ntm.values import VALUE_COLUMNS

    judged = views.assess_store(store, commune=commune, period=period)
    values = judged.values[VALUE_COLUMNS]
    stored_problems: list[Problem] = store.current_problems(commune=commune, period=period)
    outputs: list[dict[str, Any]] = []
    assessment_problems: list[Problem] = []
    # The self-assessments the thresholds contradict (ntm.selfcheck), when values carry any.
    checked: list[dict[str, Any]] | None = None
    for group in judged.communes:
        part = values[values["commune"].isin(group.communes)] if group.communes else values
        assessment_problems.extend(group.assessment.problems)
        outputs.append(group.assessment.to_json([], lang))
        found = self_assessment_json(group.assessment, part, lang)
        if found is not None:
            checked = [*(checked or []), *found]
    # A unit of a commune merged into another says so ("successor": "Phong Quang", issue 16):
    # its numbers are its own, before the merger, never the successor's.
    successors = {n: p.merged_into for n, p in judged.profiles.items() if p.merged_into}
    for o in outputs:
        _mark_successors(o["units"], successors)
    village = _village_report(judged.villages, lang)
    if village:
        _mark_successors(village["units"], successors)
    if len(outputs) == 1:
        out = outputs[0]
        out["problems"] = [p.to_json(lang) for p in stored_problems] + out["problems"]
        if checked is not None:
            out["self_assessment"] = checked
        if village:
            out["village_assessment"] = village
        return out, [*stored_problems, *assessment_problems]
    units = [u for o in outputs for u in o["units"]]
    units.sort(
        key=lambda u: (u["commune"], u["period"], u["village"] is not None, u["village"] or "")
    )
    set_ids: set[str] = set()
    for o in outputs:
        ids = o["criteria_set"]
        set_ids.update([ids] if isinstance(ids, str) else ids)
    problems_json: list[dict[str, Any]] = [p.to_json(lang) for p in stored_problems]
    for o in outputs:
        problems_json.extend(p for p in o["problems"] if p not in problems_json)
    combined: dict[str, Any] = {
        "criteria_set": criteria_set_json(set_ids),
        "units": units,
        "problems": problems_json,
    }
    if checked is not None:
        combined["self_assessment"] = checked
    if village:
        combined["village_assessment"] = village
    return combined, [*stored_problems, *assessment_problems]


def _mark_successors(units: list[dict[str, Any]], successors: dict[str, str]) -> None:
    for unit in units:
        if unit["commune"] in successors:
            unit["successor"] = successors[unit["commune"]]


def _village_report(groups: Any, lang: str) -> dict[str, Any] | None:
    """Villages judged on the province village sets their communes follow (ntm.village_sets),
    in the shape of the top level; None when no commune follows one."""
    from ntm.attainment import criteria_set_json

    if not groups:
        return None
    units: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    set_ids: set[str] = set()
    for group in groups:
        out = group.assessment.to_json(lang=lang)
        units.extend(out["units"])
        problems.extend(p for p in out["problems"] if p not in problems)
        set_ids.update(group.assessment.sets)
    units.sort(key=lambda u: (u["commune"], u["period"], u["village"] or ""))
    return {
        "criteria_set": criteria_set_json(set_ids),
        "units": units,
        "problems": problems,
    }


def run_report(args: argparse.Namespace) -> int:
    from ntm.cli.report_table import print_views
    from ntm.storage import Store
    from ntm.views.notices import PROFILE_CODES

    with Store(args.db) as store:
        store.migrate()
        out, problems = build_report(store, args.period, args.commune, args.lang)
        if args.format == "table":
            print_views(store, args.period, args.commune, args.lang)
    for problem in problems:  # what the profile lacks is said on stderr too (views.notices)
        if problem.code in PROFILE_CODES:
            print(f"ntm report: {problem.message(args.lang)}", file=sys.stderr)
    if not out["units"]:
        which = " ".join(
            part
            for part in (
                f"xã {args.commune}" if args.commune else "",
                f"năm {args.period}" if args.period else "",
            )
            if part
        )
        print(f"ntm report: không có số liệu {which}".rstrip() + " (no data)", file=sys.stderr)
    if args.format == "json":
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for p in out["problems"]:
            where = " › ".join(x for x in (p["file"], p["sheet"], p["cell"]) if x)
            print(f"[{p['severity']}] {where}: {p['message']}", file=sys.stderr)
    return EXIT_PROBLEMS if has_errors(problems) else EXIT_OK
