"""`threatmon` — command-line access to the store.

Every command calls the same functions the dashboard calls; this module only
parses arguments and prints. Errors leave with exit code 2 and a message that
names what was wrong (``--json`` prints them as structured problems).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from threatmon.errors import ThreatmonError, ValidationError

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_ERROR = 2


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="store file, or a postgresql:// URL (default: $THREATMON_DB, "
        "else data/threatmon.duckdb)",
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

    ingest = commands.add_parser(
        "ingest", help="validate and load CSV/XLSX/Parquet files (each all-or-nothing)"
    )
    ingest.add_argument("files", nargs="+", metavar="FILE")
    _add_db(ingest)
    ingest.add_argument(
        "--kind",
        choices=("incidents", "flows"),
        default="incidents",
        help="what the files hold (default incidents)",
    )
    ingest.add_argument(
        "--map",
        dest="mapping",
        default=None,
        metavar="SRC=DST,...",
        help="map file columns to contract columns; DST '-' ignores a column",
    )
    ingest.add_argument(
        "--source",
        default=None,
        metavar="NAME",
        help="reuse the column mapping saved under NAME (--map entries win)",
    )
    ingest.add_argument(
        "--save-mapping",
        action="store_true",
        help="save the effective --map under --source NAME for later loads",
    )
    ingest.add_argument("--sheet", default=None, help="XLSX sheet to read (default: the first)")
    ingest.add_argument(
        "--max-mb",
        type=float,
        default=100.0,
        help="refuse files larger than this many MB (default 100)",
    )
    ingest.add_argument(
        "--dry-run", action="store_true", help="validate and report only; write nothing"
    )
    ingest.add_argument("--json", action="store_true", help="print one JSON object per file")
    ingest.add_argument("--user", default=None, help="who loads (default: the OS user)")

    export = commands.add_parser("export", help="write incidents or monthly counts to CSV/XLSX")
    _add_db(export)
    export.add_argument(
        "--level",
        choices=("incidents", "aggregate"),
        required=True,
        help="stored incident rows, or monthly counts by region and crime type",
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

    briefing = commands.add_parser(
        "briefing", help="the steering committee's PDF briefing for a selection"
    )
    _add_db(briefing)
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

    hotspots = commands.add_parser(
        "hotspots", help="Gi* hot and cold spots and emerging hot spots per region"
    )
    _add_db(hotspots)
    hotspots.add_argument(
        "--crime-type",
        action="append",
        default=[],
        metavar="KEY",
        help="count only these crime types (repeatable; default all)",
    )
    hotspots.add_argument(
        "--country",
        action="append",
        default=[],
        metavar="ISO2",
        help="analyse only these countries' regions (repeatable; default all)",
    )
    hotspots.add_argument(
        "--from",
        dest="start",
        default=None,
        metavar="YYYY-MM-DD",
        help="first day (default: the start of the last 24 complete months)",
    )
    hotspots.add_argument(
        "--to",
        dest="end",
        default=None,
        metavar="YYYY-MM-DD",
        help="last day (default: see --from)",
    )
    hotspots.add_argument(
        "--freq",
        choices=("W", "M", "Q"),
        default="M",
        help="time step of the emerging hot spot analysis (default M)",
    )
    hotspots.add_argument(
        "--measure",
        choices=("rate", "count"),
        default="rate",
        help="incidents per 100,000 inhabitants (default) or counts",
    )
    hotspots.add_argument(
        "--permutations", type=int, default=9999, help="Gi* permutations (default 9999)"
    )
    hotspots.add_argument("--seed", type=int, default=12345, help="permutation seed")
    hotspots.add_argument(
        "--band-km",
        type=float,
        default=None,
        metavar="KM",
        help="neighbours within KM km instead of regions sharing a border",
    )
    hotspots.add_argument("--json", action="store_true", help="print one record per region")

    forecast = commands.add_parser(
        "forecast",
        help="forecast one series (from the store, or a CSV you bring) with its track record",
    )
    _add_db(forecast)
    forecast.add_argument(
        "--series", default=None, metavar="FILE.csv", help="forecast this CSV instead of the store"
    )
    forecast.add_argument("--date-col", default=None, metavar="C", help="date column of --series")
    forecast.add_argument("--value-col", default=None, metavar="C", help="value column of --series")
    forecast.add_argument(
        "--exog-col", default=None, metavar="C", help="regressor column of --series (e.g. flows)"
    )
    forecast.add_argument(
        "--freq", choices=("M", "W"), default="M", help="months (default) or weeks"
    )
    area = forecast.add_mutually_exclusive_group()
    area.add_argument("--region", default=None, metavar="CODE", help="one region (store)")
    area.add_argument("--country", default=None, metavar="ISO2", help="one country (store)")
    forecast.add_argument(
        "--crime-type", default=None, metavar="KEY", help="crime type (store; required there)"
    )
    forecast.add_argument(
        "--horizon", type=int, default=6, metavar="N", help="periods ahead (default 6)"
    )
    forecast.add_argument("--json", action="store_true", help="print the result as JSON")
    forecast.add_argument(
        "--all",
        action="store_true",
        help="forecast every region, country and total series (monthly) into the cache",
    )
    forecast.add_argument(
        "--workers", type=int, default=2, metavar="N", help="worker processes for --all"
    )
    forecast.add_argument(
        "--background", action="store_true", help=argparse.SUPPRESS
    )  # what the dashboard starts after a load: lower priority, no progress lines

    alerts = commands.add_parser(
        "alerts", help="early warning: series whose latest complete month stands out"
    )
    _add_db(alerts)
    alerts.add_argument("--json", action="store_true", help="print one record per alert")

    batches = commands.add_parser("batches", help="list the loads, or inspect one")
    batches.add_argument(
        "batch_id",
        type=int,
        nargs="?",
        metavar="BATCH_ID",
        help="show this batch in detail (rows by country and crime type, audit)",
    )
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

    _add_users(commands)
    return parser


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


def _add_users(commands) -> None:
    users = commands.add_parser(
        "users", help="dashboard accounts: add, passwd, disable, enable, role, list"
    )
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")

    def common(parser: argparse.ArgumentParser) -> None:
        _add_db(parser)
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


def _print_json(payload) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def _cmd_demo(args) -> int:
    from data_loaders.demo import DemoSettings, build_demo_store
    from threatmon.errors import StoreError
    from threatmon.store.reader import Store, describe, resolve_location

    path = resolve_location(args.db)
    if Store(path).exists() and not args.force:
        try:
            is_demo = Store(path).is_demo()
        except ThreatmonError:
            is_demo = False
        if not is_demo:
            raise StoreError(
                f"{describe(path)} exists and does not hold demo data; refusing to replace "
                "it. Use another --db, or --force to replace it."
            )
    if args.seed is None:
        settings = DemoSettings(scale=args.scale)
    else:
        settings = DemoSettings(seed=args.seed, scale=args.scale)
    started = time.perf_counter()
    summary = build_demo_store(path, settings)
    summary = {
        "db": describe(path),
        **summary,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        _print_json(summary)
    else:
        print(
            f"Demo store written to {describe(path)} (synthetic data, seed {settings.seed}, "
            f"scale {settings.scale:g})."
        )
        for key, value in summary.items():
            if key != "db":
                print(f"  {key}: {value}")
    return EXIT_OK


def _print_ingest(result, as_json: bool) -> None:
    from data_loaders.ingest import problem_json

    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, default=str))
        return
    details = [f"{result.rows_in_file:,} rows"] if result.format else []
    details += [
        f"{k} {v}"
        for k, v in (
            ("format", result.format),
            ("encoding", result.encoding),
            ("delimiter", repr(result.delimiter) if result.delimiter else None),
            ("sheet", result.sheet),
            ("dates", result.date_format),
        )
        if v
    ]
    print(f"{result.file_name}: {result.status}" + (f" ({', '.join(details)})" if details else ""))
    print(f"  {result.message}")
    if result.ignored_columns:
        print(f"  ignored columns: {', '.join(result.ignored_columns)}")
    for problem in result.problems[:50]:
        item = problem_json(problem)
        where = f"line {item['row']}" if item["row"] is not None else "file"
        text = f"  - {where}, column {item['column']!r}: {item['reason']}"
        if item["value"] is not None:
            text += f" Got {item['value']!r}."
        if item["suggestion"]:
            text += f" {item['suggestion']}"
        print(text)
    if result.problem_count > 50:
        print(f"  … {result.problem_count - 50:,} more (use --json for all listed problems).")


def _cmd_ingest(args) -> int:
    from data_loaders.ingest import IngestOptions, ingest_file
    from data_loaders.mapping import parse_map_option
    from data_loaders.readers import ReadLimits
    from threatmon.store.reader import Store
    from threatmon.store.writer import write_session

    store = Store(args.db)
    try:
        explicit = parse_map_option(args.mapping) if args.mapping else {}
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.save_mapping and not args.source:
        print("error: --save-mapping needs --source NAME.", file=sys.stderr)
        return EXIT_USAGE
    mapping = dict(explicit)
    if args.source and store.exists():
        saved = store.saved_mapping(args.source)
        if saved is not None:
            kind, saved_mapping = saved
            if kind != args.kind:
                print(
                    f"error: the mapping saved as {args.source!r} is for {kind}, not {args.kind}.",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            mapping = {**saved_mapping, **explicit}
    options = IngestOptions(
        kind=args.kind,
        mapping=mapping or None,
        sheet=args.sheet,
        limits=ReadLimits(max_bytes=int(args.max_mb * 1024 * 1024)),
    )
    user = args.user or _default_user()
    worst = EXIT_OK
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"error: {name}: no such file.", file=sys.stderr)
            worst = max(worst, EXIT_USAGE)
            continue
        result = ingest_file(path, user=user, db=args.db, options=options, dry_run=args.dry_run)
        _print_ingest(result, args.json)
        if not result.ok:
            worst = max(worst, EXIT_REJECTED)
    if args.save_mapping and worst == EXIT_OK and mapping:
        with write_session(store.path, user=user) as writer:
            writer.save_mapping(args.source, args.kind, mapping)
        if not args.json:
            print(f"Saved the column mapping as {args.source!r}.")
    return worst


def _log_export(args, what: str, **details) -> None:
    """Exports from the shell go to the same access log as the dashboard's downloads."""
    from threatmon.access.accounts import Accounts, resolve_accounts_path

    filters = {
        key: getattr(args, key)
        for key in ("country", "region", "crime_type", "start", "end")
        if getattr(args, key, None)
    }
    Accounts(resolve_accounts_path(None, args.db)).log(
        _default_user(), "export", what, {**details, **filters, "via": "cli"}
    )


def _cmd_export(args) -> int:
    from threatmon.disclosure.export import export_bytes
    from threatmon.store.reader import Store

    filters = _filters(args)
    if args.fmt == "xlsx" and not args.out:
        print("error: --format xlsx needs --out PATH.", file=sys.stderr)
        return EXIT_USAGE
    payload = export_bytes(Store(args.db), args.level, args.fmt, filters)
    _log_export(args, f"cli:{args.level}", fmt=args.fmt, rows_bytes=len(payload))
    if args.out:
        Path(args.out).write_bytes(payload)
        print(f"Wrote {args.out} ({len(payload):,} bytes).", file=sys.stderr)
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
    return EXIT_OK


def _cmd_briefing(args) -> int:
    from reports.briefing import briefing_pdf
    from reports.content import briefing_content, briefing_filters
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
    payload = briefing_pdf(briefing_content(store, filters, sensitive_source=source))
    out.write_bytes(payload)
    _log_export(args, "cli:briefing_pdf", viewer=bool(args.viewer), file=str(out))
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


def _cmd_hotspots(args) -> int:
    from geo.analysis import region_hotspots
    from threatmon.filters import Filters
    from threatmon.store.reader import Store
    from trends.changes import last_complete_months

    store = Store(args.db)
    start, end = args.start, args.end
    if start is None or end is None:
        last = store.coverage()["last"]
        if last is None:
            print(f"error: the store at {store.label} holds no incidents.", file=sys.stderr)
            return EXIT_ERROR
        default_start, default_end = last_complete_months(last, 24)
        start, end = start or default_start, end or default_end
    filters = Filters(countries=args.country, crime_types=args.crime_type, start=start, end=end)
    table = region_hotspots(
        store,
        filters,
        freq=args.freq,
        measure=args.measure,
        permutations=args.permutations,
        seed=args.seed,
        band_km=args.band_km,
    )
    if args.json:
        _print_json(_frame_records(table))
        return EXIT_OK
    unit = "per 100,000" if args.measure == "rate" else "incidents"
    if store.is_demo():
        print("DEMO — synthetic data generated by `threatmon demo`; not real incidents.")
    neighbours = f"neighbours within {args.band_km:g} km" if args.band_km else "contiguity"
    print(
        f"Hot spots {filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d} ({unit}; Gi* with "
        f"{args.permutations} permutations, FDR 5 %; {neighbours}; emerging by {args.freq}):"
    )
    print(
        f"{'region':<10} {'name':<28} {unit:>12} {'gi_z':>7} {'p_fdr':>7} {'hot/cold':<8} emerging"
    )
    for row in table.itertuples(index=False):
        print(
            f"{row.region_code:<10} {str(row.name)[:28]:<28} {row.value:>12,.1f} "
            f"{row.gi_z:>+7.2f} {row.p_fdr:>7.3f} {row.hot_cold:<8} {row.moran_cluster:<5} "
            f"{row.emerging_category}"
        )
    counts = table["hot_cold"].value_counts()
    print(f"{counts.get('hot', 0)} hot and {counts.get('cold', 0)} cold of {len(table)} regions.")
    return EXIT_OK


def _frame_records(frame) -> list[dict]:
    """JSON-ready records: dates as YYYY-MM-DD, NaN as null."""
    out = frame.copy()
    for column in out.columns:
        if str(out[column].dtype).startswith("datetime"):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out.astype(object).where(out.notna(), None).to_dict(orient="records")


def _cmd_forecast(args) -> int:
    from data_loaders.series_file import read_series
    from forecasting.cache import forecast_for
    from forecasting.forecast import forecast_series
    from forecasting.selection import Selection
    from threatmon.store.reader import Store

    if args.horizon < 1:
        print("error: --horizon must be at least 1.", file=sys.stderr)
        return EXIT_USAGE
    if args.all:
        return _forecast_all(args)
    demo = False
    if args.series:
        if not (args.date_col and args.value_col):
            print("error: --series needs --date-col and --value-col.", file=sys.stderr)
            return EXIT_USAGE
        try:
            series, exog = read_series(
                args.series,
                date_col=args.date_col,
                value_col=args.value_col,
                exog_col=args.exog_col,
                freq=args.freq,
            )
        except ValidationError as error:  # the file's fault, like a rejected ingest
            report_error(error, args.json)
            return EXIT_REJECTED
        label, exog_text = Path(args.series).name, args.exog_col or "no regressor"
        result = forecast_series(series, horizon=args.horizon, exog=exog)
        cached = False
    else:
        if not args.crime_type:
            print("error: forecasting the store needs --crime-type KEY.", file=sys.stderr)
            return EXIT_USAGE
        store = Store(args.db)
        demo = store.is_demo()
        selection = Selection(args.country, args.region, (args.crime_type,))
        found = forecast_for(store, selection, args.horizon, args.freq)
        exog_text, result, cached = found.flows_text, found.result, found.cached
        label = f"{selection.label}, {args.crime_type}"
    if args.json:
        _print_json(
            {
                "series": label,
                "demo": demo,
                "regressor": exog_text,
                "chosen": result.chosen,
                "lag": None if result.lag != result.lag else int(result.lag),
                "message": result.message,
                "reconciled": cached,
                "forecast": _frame_records(result.forecast),
                "backtest": _frame_records(
                    result.scores[["model", "lag", "mase", "coverage_80", "coverage_95"]]
                ),
            }
        )
        return EXIT_OK
    if demo:
        print("DEMO — synthetic data generated by `threatmon demo`; not real incidents.")
    print(f"Forecast of {label} (regressor: {exog_text}).")
    print(result.message)
    print(f"{'period':<10} {'mean':>9} {'80 % interval':>21} {'95 % interval':>21}")
    for row in result.forecast.itertuples(index=False):
        print(
            f"{row.period:%Y-%m-%d} {row.mean:>9.1f} {row.lower_80:>10.1f}–{row.upper_80:<10.1f}"
            f" {row.lower_95:>10.1f}–{row.upper_95:<10.1f}"
        )
    if not result.scores.empty:
        print(f"\n{'model':<16} {'lag':>4} {'MASE':>6} {'cover 80':>9} {'cover 95':>9}")
        for row in result.scores.itertuples(index=False):
            lag = "" if row.lag != row.lag else f"{int(row.lag)}"
            print(
                f"{row.model:<16} {lag:>4} {row.mase:>6.2f} {row.coverage_80:>9.0%} "
                f"{row.coverage_95:>9.0%}"
            )
    return EXIT_OK


def _forecast_all(args) -> int:
    from forecasting import cache
    from threatmon.store.reader import Store

    if args.workers < 1:
        print("error: --workers must be at least 1.", file=sys.stderr)
        return EXIT_USAGE
    store = Store(args.db)
    if args.background:
        os.nice(10)  # the dashboard's own requests come first

    def echo(done: int, total: int) -> None:
        if not args.background and not args.json:
            print(f"\r{done:,} of {total:,} series", end="", file=sys.stderr, flush=True)

    try:
        result = cache.run(store, workers=args.workers, echo=echo)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not args.background and not args.json:
        print(file=sys.stderr)
    meta = result.meta
    chosen = result.series["chosen"].value_counts().to_dict()
    if args.json:
        _print_json(meta | {"chosen": chosen, "cache": str(cache.cache_root(store))})
        return EXIT_OK
    print(
        f"Forecast {meta['series']:,} series ({meta['first']} to {meta['last']}, "
        f"{meta['horizon']} months ahead) in {meta['seconds']:.0f} s on {meta['workers']} "
        f"process{'es' if meta['workers'] > 1 else ''}; reconciled (largest gap "
        f"{meta['incoherence']:.1e})."
    )
    print("Chosen models: " + ", ".join(f"{k} {v:,}" for k, v in chosen.items()) + ".")
    print(f"Cache: {cache.cache_root(store)}")
    return EXIT_OK


def _cmd_alerts(args) -> int:
    from forecasting import cache
    from forecasting.warning.alerts import early_warning
    from threatmon.store.reader import Store

    store = Store(args.db)
    forecasts = cache.load(store)
    table = early_warning(store, checks=cache.region_checks(forecasts))
    if args.json:
        _print_json(_frame_records(table.assign(period=table["period"].astype(str).str[:7])))
        return EXIT_OK
    if store.is_demo():
        print("DEMO — synthetic data generated by `threatmon demo`; not real incidents.")
    if forecasts is None:
        print(
            "Surges only: the forecasts of all series are not current, so misses of the "
            "interval forecast are not checked. Run `threatmon forecast --all` first."
        )
    if table.empty:
        print("No alerts: no series stands out in the latest complete month.")
        return EXIT_OK
    for row in table.itertuples(index=False):
        print(f"{row.rank:>3}. {row.sentence}\n     map: {row.link}")
    return EXIT_OK


def _cmd_batches(args) -> int:
    from threatmon.store.reader import Store

    if args.batch_id is not None:
        detail = Store(args.db).batch(args.batch_id)
        if args.json:
            _print_json(
                {
                    "batch": detail["batch"],
                    "breakdown": json.loads(detail["breakdown"].to_json(orient="records")),
                    "audit": json.loads(
                        detail["audit"].to_json(orient="records", date_format="iso")
                    ),
                }
            )
        else:
            for key, value in detail["batch"].items():
                print(f"{key}: {value}")
            print()
            print(detail["breakdown"].to_string(index=False))
            print()
            print(
                detail["audit"][["seq", "logged_at", "user_name", "action"]].to_string(index=False)
            )
        return EXIT_OK
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
    from threatmon.store.writer import write_session

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
    from threatmon.store.migrations import SCHEMA_VERSION
    from threatmon.store.reader import describe, resolve_location
    from threatmon.store.writer import write_session

    path = resolve_location(args.db)
    with write_session(path, user=_default_user()):
        pass
    print(f"{describe(path)} is at schema version {SCHEMA_VERSION}.")
    return EXIT_OK


def _cmd_info(args) -> int:
    from threatmon.store.reader import Store

    store = Store(args.db)
    coverage = store.coverage()
    meta = store.meta()
    payload = {
        "db": store.label,
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


def _read_password(args, name: str) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password for {name}: ")
    if getpass.getpass("Again: ") != first:
        raise ValidationError("The two passwords differ; nothing was changed.")
    return first


def _cmd_users(args) -> int:
    from threatmon.access.accounts import OIDC, Accounts, resolve_accounts_path
    from threatmon.access.roles import parse_scope

    accounts = Accounts(resolve_accounts_path(args.accounts, args.db))
    by = _default_user()
    try:
        scope = parse_scope(getattr(args, "scope", None))
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if args.action == "add":
        password = None if args.oidc else _read_password(args, args.name)
        auth = OIDC if args.oidc else "local"
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
            _print_json(json.loads(frame.to_json(orient="records")))
        elif frame.empty:
            print(f"No accounts in {accounts.location}. Add one with `threatmon users add`.")
        else:
            frame = frame.assign(scope=frame["scope"].replace("", "all"))
            with pd.option_context("display.width", 200, "display.max_columns", 20):
                print(frame.to_string(index=False))
    return EXIT_OK


COMMANDS = {
    "demo": _cmd_demo,
    "ingest": _cmd_ingest,
    "export": _cmd_export,
    "briefing": _cmd_briefing,
    "hotspots": _cmd_hotspots,
    "forecast": _cmd_forecast,
    "alerts": _cmd_alerts,
    "batches": _cmd_batches,
    "undo": _cmd_undo,
    "migrate": _cmd_migrate,
    "info": _cmd_info,
    "users": _cmd_users,
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
