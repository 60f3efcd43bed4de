"""`threatmon users`: the dashboard's accounts (add, passwd, disable, enable, role, list)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

import pandas as pd

from threatmon.cli.common import EXIT_OK, Command, add_db, default_user, print_json
from threatmon.errors import ValidationError


def _add_users(commands) -> None:
    users = commands.add_parser(
        "users", help="dashboard accounts: add, passwd, disable, enable, role, list"
    )
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")

    def common(parser: argparse.ArgumentParser) -> None:
        add_db(parser)
        parser.add_argument(
            "--accounts",
            metavar="PATH",
            help="accounts file or postgresql:// URL (default: $THREATMON_ACCOUNTS, else "
            "the store's own database if --db is a PostgreSQL URL, else the store's path "
            "+ .accounts.sqlite)",
        )

    def password_source(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of stdin instead of prompting",
        )

    add = actions.add_parser("add", help="create an account")
    add.add_argument("name", metavar="NAME", help="user name (for OIDC: the e-mail or username)")
    add.add_argument("--role", required=True, help="viewer, analyst or admin")
    add.add_argument(
        "--scope", default="", help="countries this user may see and load, e.g. MD or MD,RO"
    )
    add.add_argument(
        "--oidc", action="store_true", help="signs in through the identity provider; no password"
    )
    password_source(add)
    common(add)

    passwd = actions.add_parser("passwd", help="set a new password (also lifts a lockout)")
    passwd.add_argument("name", metavar="NAME")
    password_source(passwd)
    common(passwd)

    for action, text in (("disable", "stop an account signing in"), ("enable", "undo disable")):
        parser = actions.add_parser(action, help=text)
        parser.add_argument("name", metavar="NAME")
        common(parser)

    role = actions.add_parser("role", help="change an account's role or country scope")
    role.add_argument("name", metavar="NAME")
    role.add_argument("--role", required=True, help="viewer, analyst or admin")
    role.add_argument("--scope", default=None, help="new scope; empty string: all countries")
    common(role)

    listing = actions.add_parser("list", help="list the accounts (never their passwords)")
    common(listing)
    listing.add_argument("--json", action="store_true", help="print as JSON")


def _read_password(args, name: str) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password for {name}: ")
    if getpass.getpass("Again: ") != first:
        raise ValidationError("The two passwords differ; nothing was changed.")
    return first


def _cmd_users(args) -> int:
    from threatmon.access.accounts import Accounts, resolve_accounts_path
    from threatmon.access.roles import LOCAL, OIDC, parse_scope

    accounts = Accounts(resolve_accounts_path(args.accounts, args.db))
    by = default_user()
    try:
        scope = parse_scope(getattr(args, "scope", None))
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if args.action == "add":
        password = None if args.oidc else _read_password(args, args.name)
        auth = OIDC if args.oidc else LOCAL
        who = accounts.add(args.name, args.role, password=password, scope=scope, auth=auth, by=by)
        print(
            f"Added {who.name}: {who.role.value}, {who.scope_text()}, "
            f"{'signs in through OIDC' if args.oidc else 'local password'}."
        )
    elif args.action == "passwd":
        accounts.set_password(args.name, _read_password(args, args.name), by=by)
        print(f"New password set for {args.name}.")
    elif args.action in ("disable", "enable"):
        accounts.set_disabled(args.name, args.action == "disable", by=by)
        print(f"{args.name} is {args.action}d.")
    elif args.action == "role":
        accounts.set_role(args.name, args.role, scope if args.scope is not None else None, by=by)
        who = accounts.principal(args.name)
        print(f"{args.name} is now {args.role}" + (f", {who.scope_text()}." if who else "."))
    else:
        frame = accounts.users()
        if args.json:
            print_json(json.loads(frame.to_json(orient="records")))
        elif frame.empty:
            print(f"No accounts in {accounts.location}. Add one with `threatmon users add`.")
        else:
            frame = frame.assign(scope=frame["scope"].replace("", "all"))
            with pd.option_context("display.width", 200, "display.max_columns", 20):
                print(frame.to_string(index=False))
    return EXIT_OK


COMMANDS = {"users": Command(_add_users, _cmd_users)}
