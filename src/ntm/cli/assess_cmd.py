"""`ntm assess FILE... [--criteria SET_ID] [--village-set SET_ID] [--region R | --group G]
[--db URL] [--format json|table]`.

With `--db` the files' names are matched to that database's register of units as an import
would match them (ntm.register: a misspelt name is read as the unit it names, with a warning; a
village the register does not know is an error and its file is left out), and the village-level
aggregates count each commune's registered villages. Nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ntm.attainment import Assessment, PartKeys, assess
from ntm.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from ntm.criteria import CriteriaSet, get_set
from ntm.errors import Problem, has_errors
from ntm.returns import read_return
from ntm.selfcheck import self_assessment_json
from ntm.values import ReadResult, empty_values
from ntm.village_sets import assess_villages


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("assess", help="đánh giá mức đạt từ các tệp báo cáo Excel")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--criteria", metavar="SET_ID", help="bộ tiêu chí (mặc định: theo năm)")
    p.add_argument(
        "--village-set",
        metavar="SET_ID",
        action="append",
        default=[],
        help="bộ tiêu chí thôn của tỉnh: đánh giá thêm từng thôn theo bộ này (lặp lại được)",
    )
    key = p.add_mutually_exclusive_group()
    key.add_argument("--region", help="vùng (Quyết định 318/QĐ-TTg), ví dụ tdmnpb")
    key.add_argument("--group", help="nhóm xã 1/2/3 (Quyết định 51/2025/QĐ-TTg)")
    p.add_argument(
        "--db",
        metavar="URL",
        help="tìm --criteria/--village-set cả trong các bộ người dùng đã nhập vào cơ sở dữ liệu",
    )
    p.add_argument("--format", choices=["json", "table"], default="json")
    p.add_argument("--lang", choices=["vi", "en"], default="vi")
    p.set_defaults(func=run)


def read_files(
    paths: list[Path],
    criteria: CriteriaSet | None,
    village_sets: list[CriteriaSet] | None = None,
    extra_sets: list[CriteriaSet] | None = None,
    context: dict[str, Any] | None = None,
) -> tuple[list[ReadResult], list[Problem]]:
    """Read each file; `context`: how the database says returns are read (each commune's own
    set, village sets and region/group from its profile: `ReadingContext.kwargs`)."""
    kwargs = dict(context or {})
    kwargs["extra_sets"] = extra_sets or kwargs.get("extra_sets", ())
    results = [
        read_return(path, path.name, criteria=criteria, village_sets=village_sets or (), **kwargs)
        for path in paths
    ]
    problems = [p for r in results for p in r.problems]
    return results, problems


def keys_from_files(results: list[ReadResult]) -> dict[str, PartKeys]:
    """Each commune's region/group as its returns state them."""
    keys: dict[str, dict[str, str]] = {}
    for result in results:
        meta = result.meta
        if not meta.commune:
            continue
        entry = keys.setdefault(meta.commune, {})
        if meta.region:
            entry["region"] = meta.region
        if meta.group:
            entry["group"] = meta.group
    return dict(keys)


def _accepted_values(results: list[ReadResult]) -> pd.DataFrame:
    """The values of every return that has no error (refused files are left out)."""
    frames = [r.values for r in results if r.ok and not r.values.empty]
    return pd.concat(frames, ignore_index=True) if frames else empty_values()


def _keys(
    results: list[ReadResult], region: str | None = None, group: str | None = None
) -> dict[str, PartKeys]:
    keys: dict[str, PartKeys] = dict(keys_from_files(results))
    if region or group:
        forced = {"region": region} if region else {"group": group or ""}
        keys = {commune: forced for commune in _accepted_values(results)["commune"].unique()}
    return keys


def assess_results(
    results: list[ReadResult],
    criteria: CriteriaSet | None,
    region: str | None = None,
    group: str | None = None,
    extra_sets: list[CriteriaSet] | None = None,
    register: Any = None,
) -> Assessment:
    """Assess the values of every return that has no error (refused files are left out).
    `register`: (commune, year) → registered villages, for the village aggregates."""
    from ntm.views import group_problems

    values = _accepted_values(results)
    keys = _keys(results, region, group)
    result = assess(
        values, keys=keys, criteria=criteria, extra_sets=extra_sets or (), register=register
    )
    # A commune judged by group without one is told so, as in the app (never guessed).
    result.problems += [p for p in group_problems(result, keys) if p not in result.problems]
    return result


def _stored(db: str | None) -> tuple[dict[str, CriteriaSet], Any, dict[str, Any]]:
    """With --db: the sets users imported or edited there (a stored revision replaces the
    shipped file of its id, as in the app), the database's register of units, and how it says
    returns are read (`Store.reading_context`: the profiles' sets and region/group, so that
    `ntm assess --db` and `ntm report` judge a file alike)."""
    if not db:
        return {}, None, {}
    import sqlalchemy as sa

    from ntm.storage import Store
    from ntm.storage.engine import sqlite_file

    # Read only: a mistyped URL must not create an empty database (no migrate, and an SQLite
    # file must exist already: connecting would create it).
    file = sqlite_file(db)
    if file is not None and not file.is_file():
        raise LookupError(f"không có cơ sở dữ liệu {file}")
    try:
        with Store(db) as store:
            context = store.reading_context()
            sets = {s.id: s for s in store.criteria_sets()}
            return sets, store.register(), context.kwargs()
    except sa.exc.SQLAlchemyError as exc:
        raise LookupError(f"không đọc được cơ sở dữ liệu ({type(exc).__name__})") from None


def matched(results: list[ReadResult], register: Any) -> list[ReadResult]:
    """Each return with its names matched to the register (read only: no alias is saved);
    the warnings, and an error for a held name, join its problems."""
    from ntm.resolve import resolve

    out = []
    for result in results:
        res = resolve(result, register)
        out.append(
            ReadResult(
                res.result.file,
                res.result.values,
                [*res.result.problems, *res.problems],
                res.result.meta,
                res.result.summary,
            )
        )
    return out


def run(args: argparse.Namespace) -> int:
    try:
        stored, database, context = _stored(args.db)
    except LookupError as exc:
        print(f"ntm assess: {exc}", file=sys.stderr)
        return EXIT_USAGE
    criteria = None
    if args.criteria:
        try:
            criteria = get_set(args.criteria, stored)
        except KeyError as exc:
            print(f"ntm assess: {exc.args[0]}", file=sys.stderr)
            return EXIT_USAGE
    village_sets = []
    for set_id in args.village_set:
        try:
            found = get_set(set_id, stored)
        except KeyError as exc:
            print(f"ntm assess: {exc.args[0]}", file=sys.stderr)
            return EXIT_USAGE
        if found.level != "village":
            print(f"ntm assess: {set_id} không phải bộ tiêu chí thôn", file=sys.stderr)
            return EXIT_USAGE
        village_sets.append(found)
    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        print(f"ntm assess: không tìm thấy tệp: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    extra = list(stored.values())
    results, problems = read_files(args.files, criteria, village_sets, extra, context)
    villages = None
    if database is not None:
        from ntm.storage import Store

        results = matched(results, database)
        problems = [p for r in results for p in r.problems]
        with Store(args.db) as store:
            years = {int(y) for r in results if not r.values.empty for y in r.values["period"]}
            villages = store.village_register(years)
    assessment = assess_results(results, criteria, args.region, args.group, extra, villages)
    out = assessment.to_json(problems, lang=args.lang)
    # The office's own verdicts the thresholds contradict (ntm.selfcheck), and what the reader
    # understood of each file (units, tables, columns, values used and not).
    checked = self_assessment_json(assessment, _accepted_values(results), args.lang)
    if checked is not None:
        out["self_assessment"] = checked
    out["reading"] = [r.summary.to_json(args.lang) for r in results if r.summary is not None]
    if village_sets:
        # Each village judged on the province set in force (ntm.village_sets): the same shape
        # as the top level, units of villages only.
        keys = _keys(results, args.region, args.group)
        judged = assess_villages(_accepted_values(results), village_sets, keys=keys)
        out["village_assessment"] = judged.to_json(lang=args.lang)
    if args.format == "json":
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print_table(out)
    all_problems = [*problems, *assessment.problems]
    return EXIT_PROBLEMS if has_errors(all_problems) else EXIT_OK


def print_table(out: dict[str, Any]) -> None:
    rows = [
        {
            "Xã": u["commune"],
            "Thôn": u["village"] or "(toàn xã)",
            "Năm": u["period"],
            "Đạt": f"{u['criteria_met']}/{u['criteria_total']}",
        }
        for u in out["units"]
    ]
    if rows:
        print(pd.DataFrame(rows).to_string(index=False))
    for p in out["problems"]:
        where = " › ".join(x for x in (p["file"], p["sheet"], p["cell"]) if x)
        print(f"[{p['severity']}] {where}: {p['message']}", file=sys.stderr)
