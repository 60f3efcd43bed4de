"""`threatmon export` and `briefing`: a selection to CSV/XLSX or to the PDF briefing,
logged like the dashboard's downloads."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from threatmon.cli.common import EXIT_OK, EXIT_USAGE, Command, add_db, default_user
from threatmon.i18n import DEFAULT_LANGUAGE, LANGUAGES


def _add_export(commands) -> None:
    export = commands.add_parser(
        "export", help="write incidents, flows or their monthly sums to CSV/XLSX"
    )
    add_db(export)
    export.add_argument(
        "--level",
        choices=("incidents", "aggregate", "rows"),
        default=None,
        help="incidents: the stored rows (incidents) or monthly counts by region and crime "
        "type (aggregate); flows: the stored rows (rows, the default) or monthly sums by "
        "country and crossing point (aggregate)",
    )
    export.add_argument(
        "--format",
        dest="fmt",
        choices=("csv", "xlsx"),
        default="csv",
        help="file format (default csv)",
    )
    export.add_argument(
        "--out", default=None, metavar="PATH", help="output file (default: standard output for CSV)"
    )
    _add_filters(export)
    export.add_argument(
        "--kind",
        choices=("incidents", "flows"),
        default="incidents",
        help="what to export (default incidents)",
    )


def _add_briefing(commands) -> None:
    briefing = commands.add_parser(
        "briefing", help="the steering committee's PDF briefing for a selection"
    )
    add_db(briefing)
    briefing.add_argument(
        "--out",
        default=None,
        metavar="FILE.pdf",
        help="output file (default: threatmon-briefing-YYYY-MM_YYYY-MM.pdf here)",
    )
    _add_filters(briefing, period="default: the last 12 complete months, in whole months")
    briefing.add_argument(
        "--viewer",
        action="store_true",
        help="as a viewer gets it: sensitive crime types only in a suppressed table",
    )
    briefing.add_argument(
        "--lang",
        choices=tuple(LANGUAGES),
        default=DEFAULT_LANGUAGE,
        help="language of the PDF: en (English, the default), ro (Romanian) or uk "
        "(Ukrainian); the messages printed here stay in English",
    )


def _add_filters(parser: argparse.ArgumentParser, period: str = "") -> None:
    """The selection options (the dashboard's filters), shared by `export` and `briefing`."""
    parser.add_argument(
        "--country",
        action="append",
        default=[],
        metavar="ISO2",
        help="filter: country (repeatable)",
    )
    parser.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="CODE",
        help="filter: ISO 3166-2 region (repeatable)",
    )
    parser.add_argument(
        "--crime-type",
        action="append",
        default=[],
        metavar="KEY",
        help="filter: crime-type key (repeatable)",
    )
    suffix = f" ({period})" if period else ""
    parser.add_argument(
        "--from",
        dest="start",
        default=None,
        metavar="YYYY-MM-DD",
        help="filter: first day" + suffix,
    )
    parser.add_argument(
        "--to", dest="end", default=None, metavar="YYYY-MM-DD", help="filter: last day" + suffix
    )


def _filters(args):
    """The :class:`Filters` of the options added by :func:`_add_filters` (validated)."""
    from threatmon.filters import Filters

    return Filters(
        countries=args.country,
        regions=args.region,
        crime_types=args.crime_type,
        start=args.start,
        end=args.end,
    )


def _log_export(args, what: str, **details) -> None:
    """Exports from the shell go to the same access log as the dashboard's downloads."""
    from threatmon.access.accounts import Accounts, resolve_accounts_path

    filters = {
        key: getattr(args, key)
        for key in ("country", "region", "crime_type", "start", "end")
        if getattr(args, key, None)
    }
    Accounts(resolve_accounts_path(None, args.db)).log(
        default_user(), "export", what, {**details, **filters, "via": "cli"}
    )


def _cmd_export(args) -> int:
    from threatmon.disclosure.export import export_bytes
    from threatmon.store.reader import Store

    filters = _filters(args)
    if args.fmt == "xlsx" and not args.out:
        print("error: --format xlsx needs --out PATH.", file=sys.stderr)
        return EXIT_USAGE
    level, refusal = _export_level(args)
    if refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    payload = export_bytes(Store(args.db), level, args.fmt, filters, kind=args.kind)
    what = f"cli:{level}" if args.kind == "incidents" else f"cli:flows:{level}"
    _log_export(args, what, fmt=args.fmt, rows_bytes=len(payload))
    if args.out:
        Path(args.out).write_bytes(payload)
        print(f"Wrote {args.out} ({len(payload):,} bytes).", file=sys.stderr)
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
    return EXIT_OK


def _export_level(args) -> tuple[str, str | None]:
    """The export level for ``--kind``, or why the options do not fit together."""
    if args.kind == "incidents":
        if args.level in (None, "rows"):
            return "", "--level incidents or --level aggregate is needed for incidents."
        return args.level, None
    if args.level == "incidents":
        return "", "--kind flows exports --level rows (the default) or --level aggregate."
    if args.region or args.crime_type:
        # Flows have neither: a filter that would be silently ignored is refused.
        return "", "--region and --crime-type do not apply to flows; filter by --country."
    return args.level or "rows", None


def _cmd_briefing(args) -> int:
    from reports.briefing import briefing_pdf
    from reports.content import briefing_content, briefing_filters
    from reports.words import Words
    from threatmon.disclosure.sensitive import SENSITIVE_TYPES
    from threatmon.store.reader import Store

    started = time.perf_counter()
    filters = _filters(args)
    store = Store(args.db, withheld=SENSITIVE_TYPES if args.viewer else ())
    filters = briefing_filters(store, filters)
    out = Path(args.out or f"threatmon-briefing-{filters.start:%Y-%m}_{filters.end:%Y-%m}.pdf")
    if not out.parent.is_dir():
        print(f"error: --out {out}: the folder {out.parent} does not exist.", file=sys.stderr)
        return EXIT_USAGE
    # A viewer's figures leave the sensitive crime types out; the suppressed table of
    # them is read from the same file without that restriction.
    source = Store(args.db) if args.viewer else None
    words = Words(args.lang)
    payload = briefing_pdf(briefing_content(store, filters, sensitive_source=source, words=words))
    out.write_bytes(payload)
    _log_export(
        args, "cli:briefing_pdf", viewer=bool(args.viewer), file=str(out), language=args.lang
    )
    if store.is_demo():
        print("DEMO — synthetic data generated by `threatmon demo`; not real incidents.")
    pages = _page_count(payload)
    print(
        f"Wrote {out} ({pages} page{'s' if pages != 1 else ''}, {len(payload) / 1024:,.0f} kB"
        f"{', as a viewer sees it' if args.viewer else ''}) in "
        f"{time.perf_counter() - started:.1f} s."
    )
    return EXIT_OK


def _page_count(pdf: bytes) -> int:
    """Pages of a PDF written by fpdf2 (uncompressed object dictionaries, one per page)."""
    return len(re.findall(rb"/Type /Page(?![A-Za-z])", pdf))


COMMANDS = {
    "export": Command(_add_export, _cmd_export),
    "briefing": Command(_add_briefing, _cmd_briefing),
}
