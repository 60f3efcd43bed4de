"""What every `threatmon` command shares: exit codes, the --db option, the OS user,
JSON output and the printing of errors.

Every command calls the same functions the dashboard calls; the modules of this package
only parse arguments and print. Errors leave with exit code 2 and a message that names
what was wrong (``--json`` prints them as structured problems).
"""

from __future__ import annotations

import argparse
import getpass
import json
import math
import sys
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from threatmon.errors import ThreatmonError

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_ERROR = 2


class Command(NamedTuple):
    """One sub-command: what adds its parser to the sub-parsers, and what runs it."""

    register: Callable[[argparse._SubParsersAction], None]
    run: Callable[[argparse.Namespace], int]


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="store file, or a postgresql:// URL (default: $THREATMON_DB, "
        "else data/threatmon.duckdb)",
    )


def json_text(payload, *, indent: int | None = 2) -> str:
    """``payload`` as standard JSON, which every parser reads: no NaN or Infinity.

    A number that is not finite (a ratio over an expected 0, a missing float) and
    pandas' missing markers (``NA``, ``NaT``) are written as null; NumPy scalars as
    the Python numbers they hold; anything else JSON has no type for (dates, paths)
    as its text.
    """
    return json.dumps(
        _strict(payload), ensure_ascii=False, indent=indent, default=str, allow_nan=False
    )


def print_json(payload, *, indent: int | None = 2) -> None:
    """Print :func:`json_text` of ``payload``: every ``--json`` output goes through here."""
    print(json_text(payload, indent=indent))


def _strict(value):
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(item) for item in value]
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas, without importing it
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def report_error(error: ThreatmonError, as_json: bool) -> None:
    """Print an error for a person (stderr) or a program (JSON on stdout)."""
    problems = getattr(error, "problems", ())
    if as_json:
        print_json(
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
