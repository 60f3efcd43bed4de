"""File ingest: read, map, normalise, validate in one pass, then load all rows or none.

The heavy lifting happens in DuckDB, in TEMP tables: the reader puts the file's cells
(as text, with their line numbers) into a table; normalisation resolves each
column's *distinct* values in Python (a 10M-row file has a few hundred distinct
region names) into small lookup tables, against indexes of names and boundaries that a
thread builds while DuckDB reads the rows (:mod:`data_loaders.warm_up`); one join builds
the typed rows and a few queries list every problem with its line, column, value,
reason and suggestion.
A clean file is loaded inside one write session, so a rejected or interrupted load
changes nothing: a DuckDB store is checked in the session's own connection and the rows
are inserted there; a dry run, or a PostgreSQL store, is checked in an in-memory DuckDB
(a PostgreSQL store is then sent the rows as Arrow batches). The CLI and the Upload
page both call :func:`ingest_file`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pandas as pd

from data_loaders.covers import covers_text, file_covers
from data_loaders.cumulative import cumulative_warnings
from data_loaders.mapping import map_columns
from data_loaders.options import IngestOptions
from data_loaders.readers import read_table
from data_loaders.region_column import choose_region_column
from data_loaders.staging import Staging
from data_loaders.summary import not_reported_text, parts_text, replaced_text, skipped_text
from data_loaders.warm_up import warming_up
from threatmon.errors import DuplicateBatchError, Problem, ThreatmonError, ValidationError
from threatmon.store import Store, StoreLocation, StoreWriter, write_session
from threatmon.store.backend import IncidentIds
from threatmon.store.faults import out_of_room, process_alive
from threatmon.store.revision_check import pending_revisions

Progress = Callable[[float, str], None]


#: The :class:`IngestOptions` a source profile keeps beside its column mapping.
SOURCE_OPTIONS: tuple[str, ...] = (
    "date_order",
    "thousands",
    "crosswalk",
    "covers_crime_types",
    "value_aliases",
)


def source_options(options: IngestOptions) -> dict[str, str]:
    """The options of ``options`` that a source profile saves (those that are set)."""
    return {
        name: getattr(options, name)
        for name in SOURCE_OPTIONS
        if getattr(options, name) is not None
    }


def with_source_options(
    saved: dict[str, object] | None, explicit: dict[str, object | None]
) -> dict[str, object]:
    """A source profile's saved options overridden by the ones given now (None: not given).

    Keys this version does not know are kept, so that saving the profile again does not
    drop what a newer version saved.
    """
    given = {name: value for name, value in explicit.items() if value is not None}
    return {**(saved or {}), **given}


def known_source_options(options: dict[str, object]) -> dict[str, object]:
    """The part of saved options that :class:`IngestOptions` takes."""
    return {name: value for name, value in options.items() if name in SOURCE_OPTIONS}


@dataclass(frozen=True)
class IngestResult:
    """What happened to one file; ``to_json()`` is the CLI's ``--json`` object."""

    file_name: str
    kind: str
    status: str  # "loaded", "valid" (dry run), "rejected" or "duplicate"
    sha256: str
    rows_in_file: int = 0
    rows_loaded: int = 0
    rows_to_load: int = 0  # rows that pass (the file's rows less entirely empty ones)
    batch_id: int | None = None
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    date_format: str | None = None
    headers: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    problem_count: int = 0
    preview: pd.DataFrame | None = None
    message: str = ""
    #: Category outside the 12 crime types → {"rows": n, "count": n} (skip_out_of_scope).
    skipped: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Sentences about a clean file that do not stop the load (a flow series that looks
    #: cumulative).
    warnings: tuple[str, ...] = ()
    date_order: str | None = None
    thousands: str | None = None
    #: The older batches' rows this load superseded: ``({"batch_id": n, "rows": n}, …)``.
    replaced: tuple[dict[str, int], ...] = ()
    #: What each row stands for: "day", "week", "month", "quarter" or "year"; None when
    #: no date was read, or the rows mix granularities (a problem).
    granularity: str | None = None
    #: Rows per geographic level, ``{"admin1": n, "national": n}``; empty when the file's
    #: rows were not read.
    level: dict[str, int] = field(default_factory=dict)
    #: Rows of figures added into another row of the same figure (``rows_to_load`` less
    #: the rows stored): several categories of one crime type, place and period.
    parts: int = 0
    #: The file column that feeds ``region_code`` (None: none), and why it was chosen.
    region_column: str | None = None
    region_column_reason: str | None = None
    #: Rows without a region that their coordinates placed in one.
    placed_by_coordinates: int = 0
    #: Country × level × crime type declarations of ``--covers`` (zeros omitted).
    declared_coverage: int = 0
    #: Rows of figures for periods whose value says "not reported" (an empty cell, ":",
    #: "..", "n/a"…): left out, so those places and periods are no data, not 0.
    not_reported: int = 0

    @property
    def ok(self) -> bool:
        """True unless the file was rejected."""
        return self.status != "rejected"

    def to_json(self) -> dict:
        """The documented JSON object of ``threatmon ingest --json``."""
        return {
            "file": self.file_name,
            "kind": self.kind,
            "status": self.status,
            "batch_id": self.batch_id,
            "rows_in_file": self.rows_in_file,
            "rows_loaded": self.rows_loaded,
            "rows_to_load": self.rows_to_load,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "date_format": self.date_format,
            "sha256": self.sha256,
            "headers": list(self.headers),
            "columns": self.columns,
            "ignored_columns": list(self.ignored_columns),
            "problem_count": self.problem_count,
            "problems": [problem_json(p) for p in self.problems],
            "message": self.message,
            "skipped": self.skipped,
            "not_reported": self.not_reported,
            "warnings": list(self.warnings),
            "date_order": self.date_order,
            "thousands": self.thousands,
            "replaced": [dict(item) for item in self.replaced],
            "granularity": self.granularity,
            "level": dict(self.level),
            "region_column": self.region_column,
            "region_column_reason": self.region_column_reason,
            "placed_by_coordinates": self.placed_by_coordinates,
            "declared_coverage": self.declared_coverage,
        }


def problem_json(problem: Problem) -> dict:
    """A problem as the JSON object the CLI and the report download use."""
    value = problem.value
    if isinstance(value, dt.date | pd.Timestamp):
        value = value.isoformat()
    return {
        "row": problem.row,
        "column": problem.column,
        "header": problem.header,
        "value": value,
        "reason": problem.reason,
        "suggestion": problem.suggestion,
    }


def problems_frame(problems) -> pd.DataFrame:
    """Problems as a table (row, column, header, value, reason, suggestion) for display and
    download."""
    return pd.DataFrame(
        [problem_json(p) for p in problems],
        columns=["row", "column", "header", "value", "reason", "suggestion"],
    )


def with_headers(problems, columns: dict[str, str]) -> tuple[Problem, ...]:
    """``problems`` naming the file's header of each contract column they are about.

    ``columns`` is the mapping file header → contract column the file was read with; a
    problem of a column no header feeds (a required column missing), or of one the file
    calls by the contract's name, keeps no header.
    """
    headers = {target: header for header, target in columns.items() if header != target}
    return tuple(
        replace(problem, header=headers[problem.column])
        if problem.header is None and problem.column in headers
        else problem
        for problem in problems
    )


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks (the batch's identity)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_file(
    path: str | Path,
    *,
    user: str,
    db: StoreLocation | str | Path | None = None,
    file_name: str | None = None,
    options: IngestOptions | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> IngestResult:
    """Validate one file and, unless ``dry_run``, load it as one batch.

    Parameters
    ----------
    path : path-like
        The file on disk (the Upload page writes the upload to a temporary file).
    user : str
        Recorded in the batch and the audit log.
    db : StoreLocation or path-like or URL, optional
        The store (default ``$THREATMON_DB`` or ``data/threatmon.duckdb``).
    file_name : str, optional
        The name to report and record (default: the path's name).
    options : IngestOptions, optional
    dry_run : bool
        Validate and preview only; the store is not touched (status ``"valid"``).
    progress : callable, optional
        Called with (fraction done, what is happening) between stages.

    Returns
    -------
    IngestResult
        ``status`` is ``"loaded"``, ``"valid"``, ``"duplicate"`` (the same bytes are
        already loaded: nothing added) or ``"rejected"`` (nothing written; see
        ``problems``). Errors that are not about the file are raised: the store busy
        (:class:`StoreBusyError`), held or changed by another program
        (:class:`StoreLockedError`) or broken, or no room on the disk
        (:class:`DiskFullError`); nothing is written then either.
    """
    path = Path(path)
    options = options or IngestOptions()
    file_name = file_name or path.name
    report = progress or (lambda fraction, message: None)
    report(0.0, "Reading the file")
    # The file's sha256 (its identity as a batch) is computed by the reader in the same
    # pass over the bytes; a duplicate is recognised right after reading.
    base = {
        "file_name": file_name,
        "kind": options.kind,
        "sha256": "",
        "date_order": options.date_order,
        "thousands": options.thousands,
    }
    store = Store(db)
    try:
        return _ingest(path, user, store, file_name, options, dry_run, base, report)
    except (OSError, duckdb.Error) as exc:
        # The write session says so itself; this catches a full disk under the checks'
        # own scratch folder (DuckDB spills large files there), in a dry run too.
        full = out_of_room(
            exc,
            Path(tempfile.gettempdir()) / "threatmon-ingest-*",
            store.location.file,
        )
        if full is None:
            raise
        raise full from exc


def _ingest(
    path: Path,
    user: str,
    store: Store,
    file_name: str,
    options: IngestOptions,
    dry_run: bool,
    base: dict,
    report: Progress,
) -> IngestResult:
    with private_folder("threatmon-ingest-") as scratch:
        if dry_run:
            result, staging = _validate_file(path, scratch, base, options, store, report)
            if staging is None:
                return result
            try:
                return _dry_run_revisions(result, staging, store, options, base)
            finally:
                staging.con.close()
        # Validation runs inside the write session: the live file cannot change under
        # the lock, so the incident_id checks see exactly the generation being extended.
        try:
            with (
                write_session(store.location, user=user) as writer,
                _checking(writer, store) as (con, incident_ids, native),
            ):
                result, staging = _validate(
                    con, path, scratch, base, options, store, incident_ids, report
                )
                if staging is None:
                    raise _Finished(result)
                staging.drop_inputs()
                covers = _covers(staging, options, result.granularity)
                report(0.75, "Writing to the store")
                batch_id = writer.add_rows(
                    options.kind,
                    staging.rows() if native else staging.arrow_stream(),
                    file_name=file_name,
                    sha256=result.sha256,
                    rows_in_file=result.rows_in_file,
                    replace=options.replace,
                    covers=covers,
                )
                replaced = tuple(writer.superseded_by(batch_id)) if options.replace else ()
        except _Finished as finished:
            return finished.result
        except DuplicateBatchError as error:
            return replace(
                result, status="duplicate", batch_id=int(error.batch_id), message=str(error)
            )
        except ValidationError as error:
            return _as_rejected(result, base, error)
    report(1.0, "Loaded")
    out_of_scope = sum(category["rows"] for category in result.skipped.values())
    blank = result.rows_in_file - result.rows_to_load - out_of_scope - result.not_reported
    stored = result.rows_to_load - result.parts
    return replace(
        result,
        status="loaded",
        batch_id=batch_id,
        rows_loaded=stored,
        replaced=replaced,
        declared_coverage=len(covers),
        message=f"Loaded {stored:,} {'row' if stored == 1 else 'rows'} as batch {batch_id}."
        + (f" {blank:,} empty {'row was' if blank == 1 else 'rows were'} skipped." if blank else "")
        + skipped_text(result.skipped)
        + parts_text(result.parts)
        + not_reported_text(result.not_reported)
        + replaced_text(replaced)
        + covers_text(covers),
    )


def _covers(staging: Staging, options: IngestOptions, granularity: str | None) -> list:
    return file_covers(staging.con, options.covers, options.covered_crime_types, granularity)


def _dry_run_revisions(
    result: IngestResult, staging: Staging, store: Store, options: IngestOptions, base: dict
) -> IngestResult:
    """A valid dry run, refused as the load would refuse it for revising active rows of
    older batches, or telling what the load would replace (``options.replace``)."""
    try:
        replaced = tuple(
            pending_revisions(store, staging.con, options.kind, replace=options.replace)
        )
        covers = _covers(staging, options, result.granularity)
    except ValidationError as error:
        return _as_rejected(result, base, error)
    return replace(
        result,
        replaced=replaced,
        declared_coverage=len(covers),
        message=result.message
        + replaced_text(replaced, future=True)
        + covers_text(covers, future=True),
    )


@contextlib.contextmanager
def private_folder(prefix: str) -> Iterator[str]:
    """A temporary folder that is removed on exit; those left by killed processes go first.

    The folder's name carries the process id. A process killed mid-upload (the server,
    ``SIGKILL``) cannot remove its folder, which holds the upload's bytes or DuckDB's
    spill files: police data that must not stay on disk. The next upload on this
    machine removes the folders whose process is gone.
    """
    for left in Path(tempfile.gettempdir()).glob(f"{prefix}*-*"):
        found = re.fullmatch(rf"{re.escape(prefix)}(\d+)-.*", left.name)
        if found and not process_alive(int(found.group(1))):
            shutil.rmtree(left, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-") as folder:
        yield folder


def _validate_file(
    path: Path, scratch: str, base: dict, options: IngestOptions, store: Store, report: Progress
) -> tuple[IngestResult, Staging | None]:
    """Validate in a fresh in-memory DuckDB; the caller closes ``staging.con`` when given."""
    con = duckdb.connect(":memory:")
    try:
        incident_ids = store.incident_ids(con)
        result, staging = _validate(con, path, scratch, base, options, store, incident_ids, report)
    except BaseException:
        con.close()
        raise
    if staging is None:
        con.close()
    return result, staging


@contextlib.contextmanager
def _checking(
    writer: StoreWriter, store: Store
) -> Iterator[tuple[duckdb.DuckDBPyConnection, IncidentIds, bool]]:
    """Where a load checks its file: (connection, stored incidents, whether the rows are
    inserted from that connection's ``staged`` as they are).

    A DuckDB store is checked in the write session's own connection, in TEMP tables,
    before the session's transaction begins (with the first write, see
    :class:`threatmon.store.duckdb.writer.Transaction`): the rows then go into the store
    without leaving DuckDB, the cells are freed as soon as they are dropped, line numbers
    follow ``rowid`` as in any committed table, and the stored incidents are the
    generation being extended. A PostgreSQL store is checked in a private in-memory
    DuckDB whose rows are streamed to the server as Arrow.
    """
    own = writer.duckdb_connection()
    if own is None:
        con = duckdb.connect(":memory:")
        try:
            yield con, store.incident_ids(con), False
        finally:
            con.close()
        return
    # Its TEMP tables go with the connection, when the session ends.
    yield own, _SessionIncidents(own), True


class _SessionIncidents:
    """The incidents of the write session's copy: exactly the generation being extended."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def table(self, file_ids: Callable[[], list[str] | None]) -> str | None:
        empty = not self._con.execute("SELECT count(*) FROM incidents").fetchall()[0][0]
        return None if empty else "incidents"


def _file_incident_ids(con: duckdb.DuckDBPyConnection, staging: Staging) -> list[str] | None:
    """The file's distinct incident_ids; None when it has none to check."""
    if staging.kind != "incidents" or "incident_id" not in staging.source:
        return None
    ident = staging.source["incident_id"]
    return [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT {ident}::VARCHAR FROM {staging.raw.table} WHERE {ident} IS NOT NULL"
        ).fetchall()
    ]


class _Finished(Exception):
    """Leaves a write session without publishing anything, carrying the result."""

    def __init__(self, result: IngestResult):
        super().__init__(result.message)
        self.result = result


def _validate(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    scratch: str,
    base: dict,
    options: IngestOptions,
    store: Store,
    incident_ids: IncidentIds,
    report: Progress,
) -> tuple[IngestResult, Staging | None]:
    """Read, map, normalise and check one file in ``con``.

    Returns the result so far and, when the file is clean, the staging that holds its
    typed rows (``status`` is then ``"valid"``).
    """
    # Large files spill to disk instead of exhausting memory (target: ≤ 2 GB).
    con.execute(f"SET temp_directory = '{scratch}'")
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET enable_progress_bar = false")
    try:
        # The indexes the values are resolved against are built while DuckDB reads.
        with warming_up(options.kind, options.mapping) as on_header:
            raw = read_table(
                con,
                path,
                file_name=base["file_name"],
                sheet=options.sheet,
                limits=options.limits,
                on_header=on_header,
            )
    except ValidationError as error:
        # A file-level refusal (wrong type, too large…) is one problem of the file.
        problems = error.problems or (Problem(None, None, None, str(error)),)
        base = {**base, "sha256": file_sha256(path)}
        return _rejected(base, problems, str(error) if error.problems else None), None
    read = {
        "headers": raw.columns,
        "format": raw.format,
        "encoding": raw.encoding,
        "delimiter": raw.delimiter,
        "sheet": raw.sheet,
        "rows_in_file": raw.rows,
    }
    base = {**base, "sha256": raw.sha256}
    if raw.rows == 0:
        # Before the duplicate check: such a file never makes a batch, not even again.
        return _no_data_rows({**base, **read}), None
    # A dry run says "duplicate" too: checking a file that is already in the store
    # should not promise a load that would add nothing.
    duplicate = already_loaded(store, raw.sha256, options.kind)
    if duplicate is not None:
        return IngestResult(
            **base,
            status="duplicate",
            batch_id=duplicate,
            message=_duplicate_message(base["file_name"], duplicate),
        ), None
    base = {**base, **read}
    mapping = map_columns(raw.columns, options.kind, options.mapping)
    base.update(columns=mapping.columns, ignored_columns=mapping.ignored)
    if mapping.problems:
        return _rejected(
            base, mapping.problems, "The file's columns do not match the contract."
        ), None
    report(0.35, "Normalising values")
    # Which of the columns that look like regions holds them: the values decide.
    region = choose_region_column(con, raw, mapping)
    mapping = region.mapping
    base.update(
        columns=mapping.columns,
        ignored_columns=mapping.ignored,
        region_column=region.column,
        region_column_reason=region.reason,
    )
    staging = Staging(con, raw, mapping, options)
    base.update(date_format=staging.build(), granularity=staging.granularity)
    if region.problem is not None:
        staging.file_problems.append(region.problem)
    report(0.6, "Validating rows")
    existing_incidents = incident_ids.table(lambda: _file_incident_ids(con, staging))
    problems, total = staging.problems(existing_incidents, options.scope)
    base.update(level=staging.level, placed_by_coordinates=int(staging.placed))
    preview = staging.preview(options.preview_rows)
    if problems:
        return _rejected(base, problems, None, total=total, preview=preview), None
    rows = staging.row_count()
    skipped = staging.out_of_scope() if options.skip_out_of_scope else []
    if rows == 0 and not skipped:
        return _no_data_rows(base), None
    unreported = staging.not_reported()
    blank = raw.rows - rows - sum(category.rows for category in skipped) - unreported
    valid = "row is" if rows == 1 else "rows are"
    message = f"{rows:,} {valid} valid; nothing was written (dry run)."
    if blank:
        message += f" {blank:,} empty rows are skipped."
    message += skipped_text(skipped) + parts_text(staging.parts, future=True)
    message += not_reported_text(unreported, future=True)
    warnings = tuple(cumulative_warnings(con)) if options.kind == "flows" else ()
    result = IngestResult(
        **base,
        status="valid",
        rows_to_load=rows,
        parts=staging.parts,
        preview=preview,
        message=message,
        skipped={c.category: {"rows": c.rows, "count": c.count} for c in skipped},
        warnings=warnings,
        not_reported=unreported,
    )
    return result, staging


NO_DATA_ROWS = "No data rows; nothing loaded."


def _no_data_rows(base: dict) -> IngestResult:
    """A file with a header and nothing else (or only empty rows) makes no batch."""
    return _rejected(base, [Problem(None, None, None, NO_DATA_ROWS)], None)


def already_loaded(store: Store, sha: str, kind: str) -> int | None:
    """The active batch of ``kind`` that already holds the bytes with this sha256, if any.

    The one duplicate rule: the load refuses such a file, and the Upload page warns about
    a file validated before another session loaded it. The lowest batch id when several.
    """
    if not store.exists():
        return None
    try:
        found = store.query(
            "SELECT batch_id FROM batches WHERE sha256 = ? AND kind = ? AND status = 'active' "
            "ORDER BY batch_id LIMIT 1",
            [sha, kind],
        )
    except ThreatmonError:
        return None
    return None if found.empty else int(found.iloc[0, 0])


def _duplicate_message(file_name: str, batch_id: int) -> str:
    return (
        f"{file_name} was already loaded as batch {batch_id} (same sha256); nothing was "
        "added. Undo that batch first to load it again."
    )


def _as_rejected(result: IngestResult, base: dict, error: ValidationError) -> IngestResult:
    """A file that passed its checks, refused by the store's (or a dry run's) own: the
    result keeps what the checks learnt, with the store's problems."""
    rejected = _rejected({**base, "columns": result.columns}, error.problems, str(error))
    return replace(
        result,
        status="rejected",
        problems=rejected.problems,
        problem_count=rejected.problem_count,
        message=rejected.message,
    )


def _rejected(
    base: dict,
    problems,
    message: str | None,
    *,
    total: int | None = None,
    preview: pd.DataFrame | None = None,
) -> IngestResult:
    problems = with_headers(problems, base.get("columns") or {})
    total = len(problems) if total is None else total
    noun = "problem" if total == 1 else "problems"
    text = f"Rejected: {total:,} {noun}; nothing was written."
    if message and not message.startswith(str(total)):
        text += f" {message}"
    return IngestResult(
        **base,
        status="rejected",
        problems=problems,
        problem_count=total,
        preview=preview,
        message=text,
    )
