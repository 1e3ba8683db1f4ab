"""`ntm user add NAME --role viewer|staff|admin [--password-stdin] [--db URL]`, `ntm user list`.

There is no default account and no default password: the first admin is made here. Without
`--password-stdin` the password is asked for twice on the terminal (never on the command line,
where other users of the machine could read it).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from ntm.auth import MIN_PASSWORD_LENGTH, Role, add_user
from ntm.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("user", help="tài khoản người dùng")
    cmds = p.add_subparsers(dest="user_command", required=True, parser_class=type(p))
    add = cmds.add_parser("add", help="tạo hoặc đặt lại mật khẩu một tài khoản")
    add.add_argument("name")
    add.add_argument("--role", choices=[r.value for r in Role], required=True)
    add.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ stdin")
    add.add_argument("--db", metavar="URL")
    add.set_defaults(func=run_add)
    ls = cmds.add_parser("list", help="liệt kê tài khoản")
    ls.add_argument("--db", metavar="URL")
    ls.set_defaults(func=run_list)
    role = cmds.add_parser("role", help="đổi vai trò của một tài khoản (giữ mật khẩu)")
    role.add_argument("name")
    role.add_argument("--role", choices=[r.value for r in Role], required=True)
    role.add_argument("--db", metavar="URL")
    role.set_defaults(func=run_role)
    delete = cmds.add_parser(
        "delete", help="xóa một tài khoản (các phiên đăng nhập mất quyền ngay)"
    )
    delete.add_argument("name")
    delete.add_argument("--db", metavar="URL")
    delete.set_defaults(func=run_delete)


def _password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    try:
        first = getpass.getpass("Mật khẩu: ")
        again = getpass.getpass("Nhập lại mật khẩu: ")
    except EOFError:  # no terminal and nothing on stdin (a script, a CI job)
        print(
            "\nntm user add: không đọc được mật khẩu; gõ mật khẩu tại terminal "
            "hoặc dùng --password-stdin",
            file=sys.stderr,
        )
        return None
    if again != first:
        print("ntm user add: hai lần nhập mật khẩu không khớp", file=sys.stderr)
        return None
    return first


def run_add(args: argparse.Namespace) -> int:
    from ntm.demo import is_reserved
    from ntm.storage import Store

    if is_reserved(args.name):
        print(f"ntm user add: tên {args.name!r} dành riêng cho dữ liệu minh họa", file=sys.stderr)
        return EXIT_USAGE
    password = _password(args.password_stdin)
    if password is None:
        return EXIT_USAGE
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"ntm user add: mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự", file=sys.stderr)
        return EXIT_USAGE
    store = Store(args.db)
    store.migrate()
    user = add_user(store, args.name, Role(args.role), password, by="cli")
    json.dump({"name": user.name, "role": user.role.value}, sys.stdout, ensure_ascii=False)
    print()
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    from ntm.storage import Store

    store = Store(args.db)
    store.migrate()
    rows = [{"name": r["name"], "role": r["role"]} for r in store.users().to_dict("records")]
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return EXIT_OK


def run_role(args: argparse.Namespace) -> int:
    from ntm.storage import Store

    store = Store(args.db)
    store.migrate()
    account = store.user(args.name)
    if account is None:
        print(f"ntm user role: không có tài khoản {args.name!r}", file=sys.stderr)
        return EXIT_PROBLEMS
    store.save_user(args.name, args.role, account["password_hash"], user="cli")
    json.dump({"name": args.name, "role": args.role}, sys.stdout, ensure_ascii=False)
    print()
    return EXIT_OK


def run_delete(args: argparse.Namespace) -> int:
    from ntm.storage import Store

    store = Store(args.db)
    store.migrate()
    if not store.delete_user(args.name, user="cli"):
        print(f"ntm user delete: không có tài khoản {args.name!r}", file=sys.stderr)
        return EXIT_PROBLEMS
    json.dump({"name": args.name, "deleted": True}, sys.stdout, ensure_ascii=False)
    print()
    return EXIT_OK
