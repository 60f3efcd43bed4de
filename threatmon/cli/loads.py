"""`threatmon ingest`, `batches` and `undo`: load files, list the loads, take one back."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from threatmon.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    Command,
    add_db,
    default_user,
    print_json,
)


def _add_ingest(commands) -> None:
    ingest = commands.add_parser(
        "ingest", help="validate and load CSV/XLSX/Parquet files (each all-or-nothing)"
    )
    ingest.add_argument("files", nargs="+", metavar="FILE")
    add_db(ingest)
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
        help="reuse the column mapping and options saved under NAME (--map entries and "
        "options given here win)",
    )
    ingest.add_argument(
        "--save-mapping",
        action="store_true",
        help="save the effective --map and --date-order/--thousands under --source NAME "
        "for later loads",
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
    from threatmon.registry.crosswalks import CROSSWALKS

    ingest.add_argument(
        "--crosswalk",
        choices=tuple(CROSSWALKS),
        default=None,
        help="read criminal-code articles in the crime-type column with this crosswalk "
        "(saved with --save-mapping): "
        + "; ".join(f"{name} ({table.law})" for name, table in CROSSWALKS.items()),
    )
    ingest.add_argument(
        "--skip-out-of-scope",
        action="store_true",
        help="load the rest when some categories are outside the 12 crime types "
        "(homicide, theft…), and report what was skipped; default: refuse the file",
    )
    ingest.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        default=None,
        help="order of slashed dates (31/01/2026 dmy, 01/31/2026 mdy) when the dates do not "
        "show it; saved with --save-mapping",
    )
    ingest.add_argument(
        "--thousands",
        choices=(",", ".", "space", "'"),
        default=None,
        metavar="SEP",
        help="thousands separator of the counts: ',' '.' space or \"'\" (1,192 reads 1192); "
        "saved with --save-mapping",
    )
    ingest.add_argument(
        "--replace",
        action="store_true",
        help="supersede the rows of earlier loads that the file revises (flows: same country, "
        "crossing point and day; incident figures: same country, level, region, crime type "
        "and an overlapping period); undoing this load restores them. Default: refuse the file",
    )

    ingest.add_argument(
        "--covers",
        default=None,
        metavar="FROM..TO",
        help="the file reports every crime type (or those of --covers-crime-types) for each "
        "of its countries at its level(s) and granularity over these periods, zeros omitted: "
        "a combination it does not list there is a 0, not unknown (periods such as "
        "2025-01..2025-06, 2025-Q1..2025-Q2, 2024..2025, or dates)",
    )
    ingest.add_argument(
        "--covers-crime-types",
        default=None,
        metavar="KEY,...",
        help="the crime types --covers declares (default all 12); saved with --save-mapping",
    )


def _add_batches(commands) -> None:
    batches = commands.add_parser("batches", help="list the loads, or inspect one")
    batches.add_argument(
        "batch_id",
        type=int,
        nargs="?",
        metavar="BATCH_ID",
        help="show this batch in detail (rows by country and crime type, audit)",
    )
    add_db(batches)
    batches.add_argument("--json", action="store_true", help="print as JSON")


def _add_undo(commands) -> None:
    undo = commands.add_parser("undo", help="remove the rows of one load (audited)")
    undo.add_argument("batch_id", type=int, metavar="BATCH_ID")
    add_db(undo)
    undo.add_argument("--user", default=None, help="who undoes it (default: the OS user)")
    undo.add_argument("--json", action="store_true", help="print the summary as JSON")


def levels_text(level: dict[str, int]) -> str:
    """``"admin1 12, national 3"``: the rows of each level a file has ("" for none)."""
    return ", ".join(f"{name} {rows:,}" for name, rows in level.items() if rows)


def _print_ingest(result, as_json: bool) -> None:
    from data_loaders.ingest import problem_json

    if as_json:
        print_json(result.to_json(), indent=None)
        return
    noun = "row" if result.rows_in_file == 1 else "rows"
    details = [f"{result.rows_in_file:,} {noun}"] if result.format else []
    details += [
        f"{k} {v}"
        for k, v in (
            ("format", result.format),
            ("encoding", result.encoding),
            ("delimiter", repr(result.delimiter) if result.delimiter else None),
            ("sheet", result.sheet),
            ("dates", result.date_format),
            ("granularity", result.granularity),
            ("level", levels_text(result.level)),
            ("placed by coordinates", f"{result.placed_by_coordinates:,}"),
        )
        if v and v != "0"
    ]
    print(f"{result.file_name}: {result.status}" + (f" ({', '.join(details)})" if details else ""))
    print(f"  {result.message}")
    if result.region_column_reason:
        print(f"  {result.region_column_reason}")
    for warning in result.warnings:
        print(f"  warning: {warning}")
    if result.ignored_columns:
        print(f"  ignored columns: {', '.join(result.ignored_columns)}")
    for problem in result.problems[:50]:
        item = problem_json(problem)
        where = f"line {item['row']}" if item["row"] is not None else "file"
        # The file's own header first: the name its maker knows the column by.
        column = f", column {problem.where}" if problem.where is not None else ""
        text = f"  - {where}{column}: {item['reason']}"
        if item["value"] is not None:
            text += f" Got {item['value']!r}."
        if item["suggestion"]:
            text += f" {item['suggestion']}"
        print(text)
    if result.problem_count > 50:
        print(f"  … {result.problem_count - 50:,} more (use --json for all listed problems).")


def _cmd_ingest(args) -> int:
    from data_loaders.ingest import ingest_file, known_source_options, with_source_options
    from data_loaders.mapping import parse_map_option
    from data_loaders.options import IngestOptions
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
    given = {
        "date_order": args.date_order,
        "thousands": args.thousands,
        "crosswalk": args.crosswalk,
        "covers_crime_types": args.covers_crime_types,
    }
    saved_options = with_source_options(None, given)
    if args.source and store.exists():
        saved = store.saved_source(args.source)
        if saved is not None:
            kind, saved_mapping, saved_options = saved
            if kind != args.kind:
                print(
                    f"error: the mapping saved as {args.source!r} is for {kind}, not {args.kind}.",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            mapping = {**saved_mapping, **explicit}
            # Options given on the command line win over the saved ones.
            saved_options = with_source_options(saved_options, given)
    try:
        options = IngestOptions(
            kind=args.kind,
            mapping=mapping or None,
            sheet=args.sheet,
            limits=ReadLimits(max_bytes=int(args.max_mb * 1024 * 1024)),
            skip_out_of_scope=args.skip_out_of_scope,
            **known_source_options(saved_options),
            replace=args.replace,
            covers=args.covers,
        )
    except ValueError as error:  # --covers or --covers-crime-types
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    user = args.user or default_user()
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
    if args.save_mapping and worst == EXIT_OK and (mapping or saved_options):
        with write_session(store.location, user=user) as writer:
            writer.save_mapping(args.source, args.kind, mapping, saved_options)
        if not args.json:
            print(
                f"Saved the column mapping{' and options' if saved_options else ''} as "
                f"{args.source!r}."
            )
    return worst


def _cmd_batches(args) -> int:
    from threatmon.store.reader import Store

    if args.batch_id is not None:
        detail = Store(args.db).batch(args.batch_id)
        if args.json:
            print_json(
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
        print_json(json.loads(frame.to_json(orient="records", date_format="iso")))
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

    with write_session(args.db, user=args.user or default_user()) as writer:
        summary = writer.undo(args.batch_id)
    if args.json:
        print_json(summary)
    else:
        print(
            f"Batch {summary['batch_id']} ({summary['file_name']}) undone: "
            f"{summary['rows_removed']} {summary['kind']} rows removed."
        )
        for item in summary.get("restored", ()):
            print(f"  restored {item['rows']} rows of batch {item['batch_id']} it had replaced")
    return EXIT_OK


COMMANDS = {
    "ingest": Command(_add_ingest, _cmd_ingest),
    "batches": Command(_add_batches, _cmd_batches),
    "undo": Command(_add_undo, _cmd_undo),
}
