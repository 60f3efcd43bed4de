"""`threatmon audit verify`: check the audit trail outside the dashboard.

The same check as the Audit page (:func:`threatmon.store.audit_check.verify_trail`): both
logs' hash chains and MACs, the anchor file and the batches against their log entries.
"""

from __future__ import annotations

import sys

from threatmon.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, Command, add_db, print_json


def _add_audit(commands) -> None:
    group = commands.add_parser("audit", help="check the audit trail (both logs, the anchor)")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify",
        help="check both logs' chains and MACs, the anchor and every batch's log entries; "
        "exit code 1 on any finding",
    )
    add_db(verify)
    verify.add_argument(
        "--accounts",
        metavar="PATH",
        help="accounts file or postgresql:// URL holding the access log (default: as for "
        "`threatmon users`)",
    )
    verify.add_argument("--json", action="store_true", help="print the result as JSON")


def _cmd_audit(args) -> int:
    from threatmon.access.accounts import Accounts, resolve_accounts_path
    from threatmon.errors import NoStoreError
    from threatmon.store.audit_check import verify_trail
    from threatmon.store.reader import Store

    store = Store(args.db)
    if not store.exists():
        raise NoStoreError(f"No store at {store.label}; nothing to verify.")
    try:
        result = verify_trail(store, Accounts(resolve_accounts_path(args.accounts, args.db)))
    except ValueError as error:  # the audit key's settings (threatmon.settings)
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print_json(result.to_json())
    else:
        for finding in result.findings:
            print(finding.text())
        for note in result.notes:
            print(f"note: {note}")
        print(result.summary())
    return EXIT_OK if result.ok else EXIT_REJECTED


COMMANDS = {"audit": Command(_add_audit, _cmd_audit)}
