"""The Upload page's Streamlit-side helpers: temporary files, validation state, display frames.

The page validates an upload once per (file, kind, sheet, mapping) and keeps only
the small :class:`~data_loaders.ingest.IngestResult` in ``st.session_state``; the
file's bytes stay in Streamlit's uploader. Each call into
:func:`~data_loaders.ingest.ingest_file` writes them to a private temporary
directory that is removed when the call returns, so no upload is left on disk
(one left by a killed server is removed by the next upload).
:func:`validate_bytes` and :func:`commit_bytes` take plain ``(bytes, name)`` and
are what the tests call.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import streamlit as st

from data_loaders.covers import parse_covers
from data_loaders.ingest import (
    SOURCE_OPTIONS,
    IngestOptions,
    IngestResult,
    Progress,
    already_loaded,
    ingest_file,
    known_source_options,
    private_folder,
    problems_frame,
    source_options,
)
from data_loaders.mapping import IGNORE, contract_columns, map_columns
from threatmon.access.roles import Principal
from threatmon.disclosure.export import to_csv_bytes
from threatmon.errors import ThreatmonError
from threatmon.registry.crosswalks import get_crosswalk
from threatmon.store import Store, StoreLocation, interrupted_writes, undo_as, write_session
from threatmon.store.faults import out_of_room
from ui.i18n import current_language, number, t, translate

# Widget and state keys (st.session_state).
KEY_KIND = "upload_kind"
KEY_SOURCE = "upload_source"
KEY_NEW_SOURCE = "upload_new_source"
KEY_SHEET = "upload_sheet"
KEY_FILE = "upload_file"
KEY_SAVE = "upload_save_mapping"
KEY_UNDO_BATCH = "upload_undo_batch"
KEY_UNDO_CONFIRM = "upload_undo_confirm"
KEY_CROSSWALK = "upload_crosswalk"
KEY_SKIP_OUT_OF_SCOPE = "upload_skip_out_of_scope"
_VALIDATION = "upload_validation"
_FORM_MAPPING = "upload_form_mapping"
_OUTCOME = "upload_outcome"
_UNDO_OUTCOME = "upload_undo_outcome"
KEY_DATE_ORDER = "upload_date_order"
KEY_THOUSANDS = "upload_thousands"
KEY_REPLACE = "upload_replace"
KEY_COVERS = "upload_covers"
KEY_COVERS_FROM = "upload_covers_from"
KEY_COVERS_TO = "upload_covers_to"
KEY_TEMPLATE_FORM = "upload_template_form"
_OPTIONS_SOURCE = "upload_options_source"

#: What a file can hold: key → English label (shown through :func:`kind_label`).
KINDS: dict[str, str] = {"incidents": "Incidents", "flows": "Migration flows"}
# Option values of the source menu besides the saved sources; shown by source_label.
NO_SOURCE = "(no saved mapping)"
NEW_SOURCE = "New source…"
UPLOAD_TYPES = ("csv", "txt", "tsv", "xlsx", "parquet")
#: The choices of the two option menus; "" leaves the option unset (the file decides).
DATE_ORDER_CHOICES = ("", "dmy", "mdy")
THOUSANDS_CHOICES = ("", ",", ".", "space", "'")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$:~=^&\"'])")


def escape_markdown(text: object) -> str:
    """``text`` with every Markdown (and Streamlit directive) character backslash-escaped.

    Everything that comes from a file (names, headers, values, messages that quote
    them) goes through this before ``st.markdown``-like calls, so a header such as
    ``[click](http://x)`` or ``:red[alarm]`` shows as typed.

    >>> escape_markdown("a_b [x](y) :red[z]")
    'a\\\\_b \\\\[x\\\\]\\\\(y\\\\) \\\\:red\\\\[z\\\\]'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def kind_label(kind: str, language: str | None = None) -> str:
    """What a file of ``kind`` holds, in ``language`` (default: the session's)."""
    language = language or current_language()
    labels = {
        "incidents": translate("upload.kind.incidents", language),
        "flows": translate("upload.kind.flows", language),
    }
    return labels.get(kind, kind)


def source_label(option: str, language: str | None = None) -> str:
    """An option of the source menu: a saved source's name as it is, the two others in words."""
    language = language or current_language()
    if option == NO_SOURCE:
        return translate("upload.source.none", language)
    if option == NEW_SOURCE:
        return translate("upload.source.new", language)
    return option


def date_order_label(option: str, language: str | None = None) -> str:
    """An option of the Date order menu, in words."""
    language = language or current_language()
    labels = {
        "": translate("upload.options.date_order_auto", language),
        "dmy": translate("upload.options.date_order_dmy", language),
        "mdy": translate("upload.options.date_order_mdy", language),
    }
    return labels.get(option, option)


def thousands_label(option: str, language: str | None = None) -> str:
    """An option of the Thousands separator menu, in words."""
    language = language or current_language()
    labels = {
        "": translate("upload.options.thousands_none", language),
        ",": translate("upload.options.thousands_comma", language),
        ".": translate("upload.options.thousands_dot", language),
        "space": translate("upload.options.thousands_space", language),
        "'": translate("upload.options.thousands_apostrophe", language),
    }
    return labels.get(option, option)


# -- running the ingest ------------------------------------------------------------------------


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


def _run(
    data: bytes | BinaryIO,
    name: str,
    *,
    options: IngestOptions,
    user: str,
    db: StoreLocation | str | Path | None,
    dry_run: bool,
    progress: Progress | None,
) -> IngestResult:
    with private_folder("threatmon-upload-") as folder:
        # The upload's name is only reported; the path is ours, so a name like
        # "../../x.csv" cannot place the file anywhere.
        path = Path(folder) / f"upload{_suffix(name)}"
        try:
            with open(path, "wb") as handle:
                if isinstance(data, bytes | bytearray | memoryview):
                    handle.write(data)
                else:
                    data.seek(0)
                    shutil.copyfileobj(data, handle, 1 << 20)
        except OSError as exc:
            full = out_of_room(exc, path, StoreLocation.resolve(db).file)
            if full is None:
                raise
            raise full from exc
        return ingest_file(
            path,
            user=user,
            db=db,
            file_name=name,
            options=options,
            dry_run=dry_run,
            progress=progress,
        )


def validate_bytes(
    data: bytes | BinaryIO,
    name: str,
    *,
    options: IngestOptions,
    user: str,
    db: StoreLocation | str | Path | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Dry-run one upload: read, map, normalise and validate; the store is not touched."""
    return _run(data, name, options=options, user=user, db=db, dry_run=True, progress=progress)


def commit_bytes(
    data: bytes | BinaryIO,
    name: str,
    *,
    options: IngestOptions,
    user: str,
    db: StoreLocation | str | Path | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Validate again and load one upload as a batch (status loaded, duplicate or rejected)."""
    return _run(data, name, options=options, user=user, db=db, dry_run=False, progress=progress)


@contextlib.contextmanager
def progress_status(label: str) -> Iterator[Progress]:
    """An ``st.status`` box with a progress bar; yields the callback that feeds the bar."""
    with st.status(label, expanded=True) as status:
        bar = st.progress(0.0, text=t("upload.progress.starting"))

        def report(fraction: float, message: str) -> None:
            bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

        yield report
        bar.progress(1.0, text=t("upload.progress.done"))
        status.update(
            label=t("upload.progress.label_done", label=label), state="complete", expanded=False
        )


# -- session state -----------------------------------------------------------------------------


def validation_key(
    file_id: str,
    kind: str,
    sheet: str | None,
    mapping: Mapping[str, str] | None,
    options: Mapping[str, str] | None = None,
    *,
    skip_out_of_scope: bool = False,
    replace: bool = False,
) -> str:
    """What a validation depends on besides the bytes (the uploader's file id stands for them)."""
    return json.dumps(
        [
            file_id,
            kind,
            sheet or "",
            dict(mapping or {}),
            dict(options or {}),
            skip_out_of_scope,
            replace,
        ],
        sort_keys=True,
    )


def replace_chosen() -> bool:
    """Whether "Replace what this file revises" is ticked. The check depends on it, as the
    load does: a file that revises earlier loads is refused without it, and with it the
    check says what the load would replace."""
    return bool(st.session_state.get(KEY_REPLACE, False))


def follow_source_options(store: Store, source: str) -> None:
    """Set the option menus to what ``source`` saved, once each time the source changes.

    Called before the menus are drawn; afterwards they are the analyst's to change, and
    what they show is what the check uses (it wins over the saved options). Moving to a
    source without saved options clears only what a previous source had set, so options
    chosen before naming a new source stay.
    """
    followed = st.session_state.get(_OPTIONS_SOURCE)
    if followed == source:
        return
    saved = saved_options(store, source)
    # The previous source's options as saved now: a new source may have been saved since.
    if saved or (followed is not None and saved_options(store, followed)):
        st.session_state[KEY_DATE_ORDER] = saved.get("date_order") or ""
        st.session_state[KEY_THOUSANDS] = saved.get("thousands") or ""
        st.session_state[KEY_CROSSWALK] = saved.get("crosswalk") or ""
    st.session_state[_OPTIONS_SOURCE] = source


def covers_option(first: str, last: str) -> tuple[dict[str, str] | None, str | None]:
    """The "reports every crime type from … to …" fields as :class:`IngestOptions`
    keywords: ``({"covers": "FROM..TO"}, None)``, or ``(None, why not)`` (None: a field
    is empty); the check of the file then waits."""
    first, last = first.strip(), last.strip()
    if not first or not last:
        return None, None
    text = f"{first}..{last}"
    try:
        parse_covers(text)
    except ValueError as error:
        return None, str(error)
    return {"covers": text}, None


def chosen_options(date_order: str, thousands: str) -> dict[str, str]:
    """The menus' choices as :class:`IngestOptions` keywords (unset ones left out)."""
    chosen = {"date_order": date_order, "thousands": thousands}
    return {name: value for name, value in chosen.items() if value}


def current_validation(key: str) -> IngestResult | None:
    """The remembered dry-run result for ``key``, if this session validated it already."""
    held = st.session_state.get(_VALIDATION)
    return held["result"] if held and held["key"] == key else None


def remember_validation(key: str, result: IngestResult) -> None:
    """Keep the dry-run result of the current upload (and forget any earlier one)."""
    st.session_state[_VALIDATION] = {"key": key, "result": result}


def forget_upload() -> None:
    """The uploader was cleared: drop its validation, mapping and outcome."""
    for key in (_VALIDATION, _FORM_MAPPING, _OUTCOME):
        st.session_state.pop(key, None)


def form_mapping(file_id: str, kind: str) -> dict[str, str] | None:
    """The mapping the analyst applied in the form for this file and kind, if any."""
    held = st.session_state.get(_FORM_MAPPING)
    if held and held["file"] == file_id and held["kind"] == kind:
        return dict(held["mapping"])
    return None


def apply_form_mapping(file_id: str, kind: str, mapping: Mapping[str, str]) -> None:
    """Remember the form's mapping; the next run validates with it."""
    st.session_state[_FORM_MAPPING] = {"file": file_id, "kind": kind, "mapping": dict(mapping)}


def remember_outcome(key: str, result: IngestResult) -> None:
    """Keep the outcome of a commit to show it after the rerun that follows."""
    st.session_state[_OUTCOME] = {"key": key, "result": result}


def current_outcome(key: str) -> IngestResult | None:
    """The outcome of the last commit of this validation, if any."""
    held = st.session_state.get(_OUTCOME)
    return held["result"] if held and held["key"] == key else None


def take_undo_outcome() -> tuple[str, str] | None:
    """("success" or "error", text) of the last undo, once."""
    return st.session_state.pop(_UNDO_OUTCOME, None)


# -- what a result says ------------------------------------------------------------------------


def needs_mapping(result: IngestResult) -> bool:
    """True when the file was read but its columns do not fit the contract."""
    return result.status == "rejected" and result.format is not None and result.preview is None


def file_headers(result: IngestResult, explicit: Mapping[str, str] | None = None) -> list[str]:
    """The file's headers as far as the result tells them (mapped, ignored, then problematic).

    ``explicit`` is the mapping the file was checked with: its sources that are not in
    the file come back as problems about that name, and are no header.
    """
    headers = result.headers
    if headers:
        return list(headers)
    required, optional = contract_columns(result.kind)
    explicit = explicit or {}
    found = list(result.columns) + list(result.ignored_columns)
    for problem in result.problems:
        column = problem.column
        if problem.row is not None or not column or column in found:
            continue
        if column in explicit and problem.value is None:
            continue  # an explicit source that the file does not have
        if column in required + optional and column not in result.columns:
            continue  # a missing (or doubly fed) contract column, not a header
        found.append(column)
    return found


def summary_text(result: IngestResult) -> str:
    """One escaped Markdown line: rows, format, encoding, delimiter, sheet, date convention,
    the periods the rows stand for, how many rows are regional or national figures, the
    region column and how many rows their coordinates placed."""
    parts = [f"**{escape_markdown(result.file_name)}**"]
    if result.format:
        parts.append(t("upload.summary.rows", rows=number(result.rows_in_file)))
        parts.append(t("upload.summary.format", format=escape_markdown(result.format)))
    if result.encoding:
        parts.append(t("upload.summary.encoding", encoding=escape_markdown(result.encoding)))
    if result.delimiter:
        shown = {"\t": t("upload.summary.tab"), " ": t("upload.summary.space")}.get(
            result.delimiter, result.delimiter
        )
        parts.append(t("upload.summary.delimiter", delimiter=escape_markdown(repr(shown))))
    if result.sheet:
        parts.append(t("upload.summary.sheet", sheet=escape_markdown(result.sheet)))
    if result.date_format:
        parts.append(t("upload.summary.dates", dates=escape_markdown(result.date_format)))
    if result.granularity:
        label = granularity_label(result.granularity)
        parts.append(t("upload.summary.granularity", granularity=label))
    if result.level.get("admin1"):
        parts.append(t("upload.summary.admin1", rows=number(result.level["admin1"])))
    if result.level.get("national"):
        parts.append(t("upload.summary.national", rows=number(result.level["national"])))
    if result.region_column:
        column = escape_markdown(result.region_column)
        parts.append(t("upload.summary.region_column", column=column))
    if result.placed_by_coordinates:
        parts.append(t("upload.summary.placed", rows=number(result.placed_by_coordinates)))
    return " · ".join(parts)


def template_form_label(form: str, language: str | None = None) -> str:
    """A form of the templates, in words (the names of ``data_loaders.templates.FORMS``)."""
    language = language or current_language()
    labels = {
        "events": translate("upload.template.form_events", language),
        "monthly-raion": translate("upload.template.form_monthly_raion", language),
        "yearly-national-iccs": translate("upload.template.form_yearly_national_iccs", language),
        "quarterly-national-article": translate(
            "upload.template.form_quarterly_national_article", language
        ),
        "weekly-region": translate("upload.template.form_weekly_region", language),
    }
    return labels.get(form, form)


def template_file_name(kind: str, form: str) -> str:
    """``threatmon-incidents-template`` for the event list, else with the form's name."""
    return f"threatmon-{kind}-template" if form == "events" else f"threatmon-{kind}-{form}-template"


def granularity_label(granularity: str, language: str | None = None) -> str:
    """What the rows of a file stand for, in words: "months", "ISO weeks", …"""
    language = language or current_language()
    labels = {
        "day": translate("upload.granularity.day", language),
        "week": translate("upload.granularity.week", language),
        "month": translate("upload.granularity.month", language),
        "quarter": translate("upload.granularity.quarter", language),
        "year": translate("upload.granularity.year", language),
    }
    return labels.get(granularity, granularity)


def mapping_frame(result: IngestResult) -> pd.DataFrame:
    """file column → contract column, with ignored columns marked (for ``st.dataframe``).

    The column names are the display labels, in the session's language.
    """
    rows = [(header, target) for header, target in result.columns.items()]
    rows += [(header, t("upload.mapping.ignored")) for header in result.ignored_columns]
    return pd.DataFrame(
        rows, columns=[t("upload.mapping.file_column"), t("upload.mapping.contract_column")]
    )


def crosswalk_label(option: str, language: str | None = None) -> str:
    """An option of the crosswalk menu: ``"ua-cc — Criminal Code of Ukraine …"``, or none."""
    if not option:
        return translate("upload.crosswalk.none", language or current_language())
    return f"{option} — {get_crosswalk(option).law}"


def skipped_table(result: IngestResult) -> pd.DataFrame:
    """The categories left out by ``skip_out_of_scope``: category, rows, count."""
    return pd.DataFrame(
        [(name, n["rows"], n["count"]) for name, n in result.skipped.items()],
        columns=["category", "rows", "count"],
    )


def problem_table(result: IngestResult) -> pd.DataFrame:
    """The listed problems for display: row (file line), column, value as text, reason, hint."""
    frame = problems_frame(result.problems)
    return frame.assign(
        row=frame["row"].astype("Int64"),
        value=frame["value"].map(lambda v: None if v is None else str(v)).astype("string"),
    )


def report_csv(result: IngestResult) -> bytes:
    """The validation report as a formula-safe CSV download."""
    return to_csv_bytes(problems_frame(result.problems))


def report_name(result: IngestResult) -> str:
    """``<file stem>-problems.csv`` with only safe characters."""
    stem = re.sub(r"[^\w.-]+", "_", Path(result.file_name).stem)[:80] or "upload"
    return f"{stem}-problems.csv"


def mapping_to_save(result: IngestResult, chosen: Mapping[str, str] | None) -> dict[str, str]:
    """The part of ``chosen`` that synonyms would not find on their own (what a source needs)."""
    if not chosen:
        return {}
    automatic = map_columns(list(chosen), result.kind).columns
    return {
        header: target
        for header, target in chosen.items()
        if automatic.get(header, IGNORE) != target
    }


def loaded_before(store: Store, result: IngestResult) -> int | None:
    """The active batch that already holds these exact bytes, if any (a dry run does not say)."""
    return already_loaded(store, result.sha256, result.kind)


# -- the store ---------------------------------------------------------------------------------


def saved_sources(store: Store, kind: str) -> list[str]:
    """Names of the mappings saved for ``kind``."""
    if not store.exists():
        return []
    frame = store.saved_mappings()
    return frame.loc[frame["kind"] == kind, "name"].tolist()


def saved_options(store: Store, name: str) -> dict[str, object]:
    """The upload options saved with source ``name`` that this version takes ({} if none)."""
    saved = store.saved_source(name) if name and store.exists() else None
    return {} if saved is None else known_source_options(saved[2])


def options_to_save(store: Store, name: str, options: IngestOptions) -> dict[str, object]:
    """The options a profile saved now would hold: the ones in use, and whatever the saved
    profile holds that this version does not know (kept for the version that wrote it)."""
    saved = store.saved_source(name) if name and store.exists() else None
    others = {} if saved is None else saved[2]
    kept_keys = {key: value for key, value in others.items() if key not in SOURCE_OPTIONS}
    return {**kept_keys, **source_options(options)}


def source_mapping(store: Store, name: str) -> dict[str, str] | None:
    """The mapping saved under ``name``, or None."""
    saved = store.saved_mapping(name) if store.exists() else None
    return None if saved is None else dict(saved[1])


def interrupted_loads(store: Store) -> bool:
    """Whether a load into ``store`` died before publishing (its copy is still there)."""
    return bool(interrupted_writes(store.location))


def save_mapping(
    store: Store,
    name: str,
    kind: str,
    mapping: Mapping[str, str],
    user: str,
    options: Mapping[str, object] | None = None,
) -> None:
    """Save ``mapping`` and the upload ``options`` as source ``name`` (audited)."""
    with write_session(store.location, user=user) as writer:
        writer.save_mapping(name, kind, dict(mapping), dict(options or {}))


def batch_table(store: Store) -> pd.DataFrame:
    """Every load, newest first: id, kind, status, file, user, loaded at, rows, period, active.

    ``kind`` and ``status`` are words in the session's language; ``active`` (a bool, not
    for display) says whether the batch can still be undone.
    """
    columns = ["id", "kind", "status", "file", "user", "loaded at", "rows", "period", "active"]
    if not store.exists():
        return pd.DataFrame(columns=columns)
    batches = store.batches()
    first = pd.to_datetime(batches["first_date"]).dt.strftime("%Y-%m-%d")
    last = pd.to_datetime(batches["last_date"]).dt.strftime("%Y-%m-%d")
    period = (first + " – " + last).where(first.notna() & last.notna(), "")
    frame = pd.DataFrame(
        {
            "id": batches["batch_id"].astype("int64"),
            "kind": batches["kind"]
            .map({"incidents": t("upload.batch.incidents"), "flows": t("upload.batch.flows")})
            .fillna(batches["kind"]),
            "status": batches["status"].replace({"active": t("upload.batch.active")}),
            "file": batches["file_name"],
            "user": batches["user_name"],
            "loaded at": pd.to_datetime(batches["loaded_at"]),
            "rows": batches["rows_loaded"].astype("int64"),
            "period": period,
            "active": batches["status"] == "active",
        }
    )
    undone = batches["status"] == "undone"
    frame.loc[undone, "status"] = [
        t("upload.batch.undone", by=by, at=f"{pd.Timestamp(at):%Y-%m-%d %H:%M}")
        for by, at in zip(
            batches.loc[undone, "undone_by"], batches.loc[undone, "undone_at"], strict=True
        )
    ]
    return frame


def undo_batch(principal: Principal, store: Store, batch_id: int) -> None:
    """Callback of the Undo button (through :func:`ui.guarded.callback`, which gives the
    person as the accounts database has them at the click): undo, remember the outcome,
    reset the confirmation."""
    try:
        summary = undo_as(store.location, int(batch_id), principal)
    except ThreatmonError as exc:
        st.session_state[_UNDO_OUTCOME] = ("error", escape_markdown(exc))
    else:
        text = t(
            "upload.undo.done",
            batch=summary["batch_id"],
            file=escape_markdown(summary["file_name"]),
            rows=number(summary["rows_removed"]),
        )
        restored = summary.get("restored", ())
        if restored:
            text += " " + t(
                "upload.undo.restored",
                rows=number(sum(item["rows"] for item in restored)),
                batches=", ".join(str(item["batch_id"]) for item in restored),
            )
        st.session_state[_UNDO_OUTCOME] = ("success", text)
    st.session_state[KEY_UNDO_CONFIRM] = False


__all__ = [
    "KINDS",
    "NEW_SOURCE",
    "NO_SOURCE",
    "UPLOAD_TYPES",
    "apply_form_mapping",
    "batch_table",
    "commit_bytes",
    "current_outcome",
    "current_validation",
    "escape_markdown",
    "file_headers",
    "forget_upload",
    "granularity_label",
    "template_file_name",
    "template_form_label",
    "form_mapping",
    "interrupted_loads",
    "kind_label",
    "loaded_before",
    "mapping_frame",
    "mapping_to_save",
    "needs_mapping",
    "problem_table",
    "progress_status",
    "remember_outcome",
    "remember_validation",
    "report_csv",
    "report_name",
    "save_mapping",
    "saved_sources",
    "source_label",
    "source_mapping",
    "summary_text",
    "take_undo_outcome",
    "undo_batch",
    "validate_bytes",
    "validation_key",
    "DATE_ORDER_CHOICES",
    "KEY_DATE_ORDER",
    "KEY_THOUSANDS",
    "THOUSANDS_CHOICES",
    "chosen_options",
    "date_order_label",
    "follow_source_options",
    "options_to_save",
    "saved_options",
    "thousands_label",
]
