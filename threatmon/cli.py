"""`threatmon` — command-line access to the store.

Every command calls the same functions the dashboard calls; this module only
parses arguments and prints. Errors leave with exit code 2 and a message that
names what was wrong (``--json`` prints them as structured problems).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from collections.abc import Sequence

import pandas as pd

from data_loaders.errors import ThreatmonError

EXIT_OK = 0
EXIT_ERROR = 2


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="store file (default: $THREATMON_DB, else data/threatmon.duckdb)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command (the docs test reads it)."""
    parser = argparse.ArgumentParser(
        prog="threatmon",
        description="Threat Monitor: incident store, demo data and analyses from the shell.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="build the synthetic demo store (labelled DEMO)")
    _add_db(demo)
    demo.add_argument("--seed", type=int, default=None, help="random seed (default 20260224)")
    demo.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="row multiplier: 1 ≈ 500k incident rows, 20 ≈ 10M (default 1)",
    )
    demo.add_argument(
        "--force", action="store_true", help="replace a store that does not hold demo data"
    )
    demo.add_argument("--json", action="store_true", help="print the summary as JSON")

    batches = commands.add_parser("batches", help="list the loads in the store")
    _add_db(batches)
    batches.add_argument("--json", action="store_true", help="print as JSON")

    undo = commands.add_parser("undo", help="remove the rows of one load (audited)")
    undo.add_argument("batch_id", type=int, metavar="BATCH_ID")
    _add_db(undo)
    undo.add_argument("--user", default=None, help="who undoes it (default: the OS user)")
    undo.add_argument("--json", action="store_true", help="print the summary as JSON")

    migrate = commands.add_parser("migrate", help="create the store or bring its schema up to date")
    _add_db(migrate)

    info = commands.add_parser("info", help="what the store holds: period, rows, schema, demo")
    _add_db(info)
    info.add_argument("--json", action="store_true", help="print as JSON")
    return parser


def _print_json(payload) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def _cmd_demo(args) -> int:
    from data_loaders.demo import DemoSettings, build_demo_store
    from data_loaders.errors import StoreError
    from data_loaders.store import Store, resolve_db_path

    path = resolve_db_path(args.db)
    if path.exists() and not args.force:
        try:
            is_demo = Store(path).is_demo()
        except ThreatmonError:
            is_demo = False
        if not is_demo:
            raise StoreError(
                f"{path} exists and does not hold demo data; refusing to replace it. "
                "Use another --db, or --force to replace it."
            )
    if args.seed is None:
        settings = DemoSettings(scale=args.scale)
    else:
        settings = DemoSettings(seed=args.seed, scale=args.scale)
    started = time.perf_counter()
    summary = build_demo_store(path, settings)
    summary = {"db": str(path), **summary, "seconds": round(time.perf_counter() - started, 1)}
    if args.json:
        _print_json(summary)
    else:
        print(
            f"Demo store written to {path} (synthetic data, seed {settings.seed}, "
            f"scale {settings.scale:g})."
        )
        for key, value in summary.items():
            if key != "db":
                print(f"  {key}: {value}")
    return EXIT_OK


def _cmd_batches(args) -> int:
    from data_loaders.store import Store

    frame = Store(args.db).batches()
    if args.json:
        _print_json(json.loads(frame.to_json(orient="records", date_format="iso")))
    elif frame.empty:
        print("No loads yet.")
    else:
        columns = [
            "batch_id",
            "kind",
            "status",
            "file_name",
            "user_name",
            "loaded_at",
            "rows_loaded",
            "first_date",
            "last_date",
        ]
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(frame[columns].to_string(index=False))
    return EXIT_OK


def _cmd_undo(args) -> int:
    from data_loaders.writer import write_session

    with write_session(args.db, user=args.user or _default_user()) as writer:
        summary = writer.undo(args.batch_id)
    if args.json:
        _print_json(summary)
    else:
        print(
            f"Batch {summary['batch_id']} ({summary['file_name']}) undone: "
            f"{summary['rows_removed']} {summary['kind']} rows removed."
        )
    return EXIT_OK


def _cmd_migrate(args) -> int:
    from data_loaders.migrations import SCHEMA_VERSION
    from data_loaders.store import resolve_db_path
    from data_loaders.writer import write_session

    path = resolve_db_path(args.db)
    with write_session(path, user=_default_user()):
        pass
    print(f"{path} is at schema version {SCHEMA_VERSION}.")
    return EXIT_OK


def _cmd_info(args) -> int:
    from data_loaders.store import Store

    store = Store(args.db)
    coverage = store.coverage()
    meta = store.meta()
    payload = {
        "db": str(store.path),
        **coverage,
        "demo": meta.get("demo") == "true",
        "meta": {k: v for k, v in meta.items() if k != "demo_signals"},
    }
    if args.json:
        _print_json(payload)
    else:
        for key, value in payload.items():
            print(f"{key}: {value}")
    return EXIT_OK


COMMANDS = {
    "demo": _cmd_demo,
    "batches": _cmd_batches,
    "undo": _cmd_undo,
    "migrate": _cmd_migrate,
    "info": _cmd_info,
}


def report_error(error: ThreatmonError, as_json: bool) -> None:
    """Print an error for a person (stderr) or a program (JSON on stdout)."""
    problems = getattr(error, "problems", ())
    if as_json:
        _print_json(
            {
                "error": type(error).__name__,
                "message": str(error),
                "problems": [
                    {
                        "row": p.row,
                        "column": p.column,
                        "value": p.value,
                        "reason": p.reason,
                        "suggestion": p.suggestion,
                    }
                    for p in problems
                ],
            }
        )
        return
    print(f"error: {error}", file=sys.stderr)
    for problem in problems[:50]:
        print(f"  - {problem}", file=sys.stderr)
    if len(problems) > 50:
        print(f"  … and {len(problems) - 50} more.", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `threatmon` console script."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ThreatmonError as error:
        report_error(error, getattr(args, "json", False))
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
