"""`ntm demo [--db URL]`: load the bundled demo into an empty database (ntm.demo): the profiles
of Phong Quang and the two communes it was formed from, its villages' lineage, then the returns.

Without `--db`, the app's own database, and only when the demo belongs there (the default
database, or the `seed_demo` setting): `make run` calls it before the app serves, so the first
visitor finds the dashboard ready. With `--db URL` that database, when it is empty. A database
that already holds uploads is left as it is.

Prints `{"database": URL (password hidden), "loaded": N}` on stdout (N = returns imported, 0
when nothing was to do); a database that cannot be opened is a usage error (exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys

from ntm.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, first_line


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("demo", help="nạp dữ liệu minh họa vào cơ sở dữ liệu trống")
    p.add_argument("--db", metavar="URL", help="cơ sở dữ liệu (mặc định: của ứng dụng)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from ntm import demo
    from ntm.storage import Store
    from ntm.storage.engine import database_url, shown_url

    url = database_url(args.db)
    loaded = 0
    if args.db or demo.wanted(url):
        try:
            with Store(url) as store:
                store.migrate()
                if demo.needs_seed(store):
                    print("ntm demo: đang nạp dữ liệu minh họa…", file=sys.stderr)
                outcomes = demo.seed(store)
        except (SQLAlchemyError, OSError) as exc:
            print(
                f"ntm demo: không mở được cơ sở dữ liệu {shown_url(url)}: {first_line(exc)}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        loaded = sum(1 for o in outcomes if not o.refused)
        if len(outcomes) != loaded:
            print("ntm demo: có tệp minh họa bị từ chối", file=sys.stderr)
            return EXIT_PROBLEMS
    json.dump({"database": shown_url(url), "loaded": loaded}, sys.stdout, ensure_ascii=False)
    print()
    return EXIT_OK
