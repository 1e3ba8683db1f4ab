"""`ntm template --commune NAME --period YEAR [--village NAME ...] [--criteria SET_ID]
[--region R | --group G] [--note TEXT] -o OUT.xlsx`: write the return template (DESIGN §4-5).

With `--db`, a commune set up in that database (Cài đặt, or earlier imports) fills in what the
command line leaves out: its villages, its region or group, and the criteria set it uses.

Prints a JSON summary of what was written on stdout; messages go to stderr. Exit 2 on a usage
error (unknown set, a set that does not cover the year, a region/group the set does not key
by, a village named twice) and when the database that may hold the set (`--db`, else the app's)
cannot be opened: a broken database is reported as such, never as an unknown set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from ntm.cli import EXIT_OK, EXIT_USAGE, first_line
from ntm.criteria import CriteriaSet, set_for_year, shipped_sets
from ntm.errors import NoCriteriaSetError
from ntm.formatting import sort_key
from ntm.storage import CommuneProfile
from ntm.template import build_template, nfc
from ntm.village_sets import village_set_for


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("template", help="tạo tệp mẫu báo cáo Excel cho một xã và một năm")
    p.add_argument("--commune", required=True, metavar="NAME", help="tên xã")
    p.add_argument("--period", required=True, type=int, metavar="YEAR", help="năm báo cáo")
    p.add_argument(
        "--village",
        action="append",
        default=[],
        metavar="NAME",
        help="tên thôn/bản (nhắc lại cho mỗi thôn)",
    )
    p.add_argument("--criteria", metavar="SET_ID", help="bộ tiêu chí (mặc định: theo năm)")
    key = p.add_mutually_exclusive_group()
    key.add_argument("--region", help="vùng (bộ tiêu chí theo vùng), ví dụ tdmnpb")
    key.add_argument("--group", help="nhóm xã 1/2/3 (bộ tiêu chí theo nhóm xã)")
    p.add_argument("--note", default="", help="ghi chú ghi vào trang Thông tin")
    p.add_argument(
        "--db",
        metavar="URL",
        help="lấy thôn, vùng/nhóm, bộ tiêu chí của xã và bộ tiêu chí người dùng từ cơ sở dữ liệu",
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.xlsx")
    p.set_defaults(func=run)


def _usage(message: str) -> int:
    print(f"ntm template: {message}", file=sys.stderr)
    return EXIT_USAGE


class _DatabaseError(Exception):
    """The database that may hold a set could not be opened or read."""


def _find_set(set_id: str, db: str | None) -> CriteriaSet | None:
    """A shipped set, else one a user imported (it lives in the database); None when neither.
    _DatabaseError when the database cannot be asked."""
    shipped = shipped_sets()
    if set_id in shipped:
        return shipped[set_id]
    from ntm.storage import Store
    from ntm.storage.engine import database_url, shown_url

    url = database_url(db)
    try:
        with Store(url) as store:
            store.migrate()
            return next((s for s in store.criteria_sets() if s.id == set_id), None)
    except (SQLAlchemyError, OSError) as exc:
        raise _DatabaseError(
            f"không mở được cơ sở dữ liệu {shown_url(url)}: {first_line(exc)}"
        ) from exc


def _stored_commune(commune: str, db: str) -> tuple[CommuneProfile | None, list[str]]:
    """The commune's stored profile, and the villages it has values for (when the profile lists
    none)."""
    from ntm.storage import Store

    store = Store(db)
    store.migrate()
    name = nfc(commune)
    profile = next((p for p in store.communes() if p.name == name), None)
    if profile is not None and profile.villages:
        return profile, sorted(set(profile.villages), key=sort_key)
    values = store.current_values(commune=name, include_merged=False)
    villages = sorted({str(v) for v in values["village"].dropna() if str(v)}, key=sort_key)
    return profile, villages


def _village_set(profile: CommuneProfile, period: int, db: str) -> CriteriaSet | None:
    """The province village set the stored commune follows for `period` (ntm.village_sets)."""
    chosen = [s for s in (_find_set(i, db) for i in profile.village_sets) if s is not None]
    return village_set_for(period, chosen)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except (_DatabaseError, SQLAlchemyError) as exc:
        return _usage(
            str(exc) if isinstance(exc, _DatabaseError) else f"cơ sở dữ liệu: {first_line(exc)}"
        )


def _run(args: argparse.Namespace) -> int:
    profile: CommuneProfile | None = None
    if args.db:
        profile, stored_villages = _stored_commune(args.commune, args.db)
        if not args.village:
            args.village = stored_villages
        if profile is not None and not args.criteria and profile.criteria_set:
            args.criteria = profile.criteria_set
    if args.criteria:
        criteria = _find_set(args.criteria, args.db)
        if criteria is None:
            return _usage(
                f"không có bộ tiêu chí {args.criteria!r}; có: {', '.join(sorted(shipped_sets()))}"
            )
        if not criteria.covers(args.period):
            years = f"{criteria.years.first}-{criteria.years.last}"
            return _usage(f"bộ tiêu chí {criteria.id} áp dụng cho {years}, không cho {args.period}")
    else:
        try:
            criteria = set_for_year(args.period)
        except NoCriteriaSetError:
            return _usage(f"không có bộ tiêu chí nào cho năm {args.period}")
    key = args.region or args.group
    if key is None and profile is not None:
        stored = profile.region if criteria.keyed_by == "region" else profile.group
        key = stored if stored in criteria.key_ids() else None
    elif key is not None:
        wanted = "region" if args.region else "group"
        if criteria.keyed_by != wanted:
            option = "--region" if criteria.keyed_by == "region" else "--group"
            return _usage(f"bộ tiêu chí {criteria.id} phân theo {criteria.keyed_by}: dùng {option}")
        if key not in criteria.key_ids():
            return _usage(f"{key!r} không có trong {criteria.id}: {', '.join(criteria.key_ids())}")
    if not criteria.complete:
        print(
            f"ntm template: cảnh báo: bộ tiêu chí {criteria.id} chưa đầy đủ: "
            + criteria.missing_text("vi"),
            file=sys.stderr,
        )
    village_set = _village_set(profile, args.period, args.db) if profile is not None else None
    try:
        wb = build_template(
            args.commune,
            args.period,
            args.village,
            criteria,
            key=key,
            note=args.note,
            village_set=village_set,
            commune_code=profile.code if profile is not None else None,
        )
    except ValueError as exc:
        return _usage(str(exc))
    try:
        wb.save(args.output)
    except OSError as exc:
        return _usage(f"không ghi được {args.output}: {exc.strerror}")
    summary = {
        "file": str(args.output),
        "commune": wb["Thông tin"]["B1"].value,
        "period": args.period,
        "criteria_set": criteria.id,
        "village_set": village_set.id if village_set else None,
        "key": key,
        "villages": [nfc(name) for name in args.village],
        "sheets": wb.sheetnames,
    }
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    print(f"ntm template: đã ghi {args.output}", file=sys.stderr)
    return EXIT_OK
