"""The `ntm` command line (DESIGN §5). JSON goes to stdout, messages to stderr.

Exit codes: 0 no error-severity problem, 1 when there is one (valid inputs are still
processed), 2 on a usage error. Each command lives in its own module exposing
`register(subparsers)`; the module sets `func` on its parser, which returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

# One module per command family. Add a module here when it lands.
COMMAND_MODULES = [
    "ntm.cli.assess_cmd",
    "ntm.cli.criteria_cmd",
    "ntm.cli.user_cmd",
    "ntm.cli.store_cmd",
    "ntm.cli.export_cmd",
    "ntm.cli.template_cmd",
    "ntm.cli.demo_cmd",
]


def first_line(exc: BaseException) -> str:
    """An error's first line (a driver's message, without the SQL and links that follow)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"ntm: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ntm", description="NTM criteria dashboard: command line")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`ntm report | head`): no traceback, and no second error when
        # Python flushes stdout at exit (the documented recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEMS
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
