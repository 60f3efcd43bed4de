"""`threatmon`, command-line access to the store: :func:`main` (the console script) and
:func:`build_parser`; each module of this package parses and runs one group of commands."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from threatmon.cli import analysis, audit, loads, publish, store, users
from threatmon.cli.common import EXIT_ERROR, default_user, report_error
from threatmon.errors import ThreatmonError
from threatmon.store.audit import acting_through

#: Every sub-command, in the order `threatmon --help` lists them.
ORDER = (
    "demo",
    "ingest",
    "export",
    "briefing",
    "hotspots",
    "forecast",
    "alerts",
    "batches",
    "undo",
    "migrate",
    "info",
    "coverage",
    "users",
    "audit",
)
_GROUPS = {
    **store.COMMANDS,
    **loads.COMMANDS,
    **publish.COMMANDS,
    **analysis.COMMANDS,
    **users.COMMANDS,
    **audit.COMMANDS,
}
COMMANDS = {name: _GROUPS[name] for name in ORDER}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command (the docs test reads it)."""
    parser = argparse.ArgumentParser(
        prog="threatmon",
        description="Threat Monitor: incident store, demo data and analyses from the shell.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS.values():
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `threatmon` console script."""
    args = build_parser().parse_args(argv)
    try:
        # Every entry a command writes, in either log, says it came from the command line
        # and which operating-system user ran it, beside the user it names (--user).
        with acting_through("cli", default_user()):
            return COMMANDS[args.command].run(args)
    except ThreatmonError as error:
        report_error(error, getattr(args, "json", False))
        return EXIT_ERROR
