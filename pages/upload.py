"""Upload: analysts load incident and migration-flow extracts, check them first, undo loads.

A file is validated as a dry run as soon as it is dropped (read, columns mapped,
values normalised, every problem listed by file line); only a valid file can be
loaded, as one all-or-nothing batch. This page reads widgets and renders; the
work is :func:`data_loaders.ingest.ingest_file`, reached through ``ui.upload``.
Everything that comes from a file is shown in tables or escaped Markdown.
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from data_loaders import templates
from data_loaders.access import Permission, Principal
from data_loaders.errors import ThreatmonError
from data_loaders.ingest import IngestOptions, IngestResult
from data_loaders.mapping import IGNORE, contract_columns
from data_loaders.readers import ReadLimits
from data_loaders.store import Store
from ui import auth, data, messages
from ui import upload as up

PREVIEW_HEIGHT = 400


def _height(rows: int, most: int = 420) -> int:
    """A table height that fits ``rows`` rows (and scrolls beyond ``most`` pixels)."""
    return min(most, 38 + 35 * max(rows, 1))


def _target_label(target: str) -> str:
    return "— ignore —" if target == IGNORE else target


def _settings(store: Store, principal: Principal) -> tuple[str, str]:
    """Kind and source name ("" for none) from the widgets at the top."""
    left, right = st.columns(2)
    kind = left.radio(
        "The file holds",
        list(up.KINDS),
        format_func=up.KINDS.get,
        horizontal=True,
        key=up.KEY_KIND,
    )
    right.caption(
        f"Loads and undos are recorded as **{up.escape_markdown(principal.name)}**."
        + (f" You may load rows of {principal.scope_text()} only." if principal.scope else "")
    )
    sources = up.saved_sources(store, kind)
    left, right = st.columns(2)
    choice = left.selectbox(
        "Source (saved column mapping)",
        [up.NO_SOURCE, *sources, up.NEW_SOURCE],
        key=up.KEY_SOURCE,
        help="Files from one agency usually share a layout. Choose its source to reuse the "
        "column mapping saved for it, or create a new source to save this file's mapping "
        "after loading.",
    )
    source = ""
    if choice == up.NEW_SOURCE:
        source = right.text_input(
            "Name of the new source", key=up.KEY_NEW_SOURCE, placeholder="e.g. MD border police"
        ).strip()
    elif choice != up.NO_SOURCE:
        source = choice
    return kind, source


def _templates(kind: str) -> None:
    label = up.KINDS[kind].lower()
    left, right, note = st.columns([1, 1, 3], vertical_alignment="center")
    left.download_button(
        "CSV template",
        data=functools.partial(templates.template_csv, kind),
        file_name=f"threatmon-{kind}-template.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="upload_template_csv",
    )
    right.download_button(
        "XLSX template",
        data=functools.partial(templates.template_xlsx, kind),
        file_name=f"threatmon-{kind}-template.xlsx",
        mime=templates.XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key="upload_template_xlsx",
    )
    note.caption(
        f"Templates for {label}: the contract's columns and two example rows that load as "
        "they are. The XLSX template also lists crime types, regions and crossing points, "
        "and explains every column."
    )


def _options(kind: str, sheet: str, mapping: dict[str, str] | None) -> IngestOptions:
    max_mb = st.get_option("server.maxUploadSize")
    return IngestOptions(
        kind=kind,
        mapping=mapping or None,
        sheet=sheet or None,
        limits=ReadLimits(max_bytes=int(max_mb) * 1024 * 1024),
        scope=auth.current().scope,
    )


def _problems(result: IngestResult, key: str) -> None:
    if not result.problems:
        return
    st.dataframe(up.problem_table(result), hide_index=True, height=_height(len(result.problems)))
    listed = len(result.problems)
    if result.problem_count > listed:
        st.caption(
            f"The first {listed:,} of {result.problem_count:,} problems are listed here and "
            "in the report."
        )
    st.caption("`row` is the line in the file, counting the header as line 1 (for XLSX: the row).")
    st.download_button(
        "Download the validation report (CSV)",
        data=up.report_csv(result),
        file_name=up.report_name(result),
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"upload_report_{key}",
    )


def _mapping_form(
    result: IngestResult, file_id: str, kind: str, mapping: dict[str, str] | None
) -> None:
    headers = up.file_headers(result, mapping)
    if not headers or result.format is None:
        return
    required, optional = contract_columns(kind)
    targets = [IGNORE, *required, *optional]
    current = {header: result.columns.get(header, IGNORE) for header in headers}
    broken = up.needs_mapping(result)
    with st.expander("Column mapping", expanded=broken, icon=":material/table_edit:"):
        st.caption(
            f"Choose the contract column each file column feeds, or “— ignore —”. Required "
            f"for {up.KINDS[kind].lower()}: {', '.join(required)}."
        )
        with st.form("upload_mapping_form", border=False):
            chosen: dict[str, str] = {}
            columns = st.columns(3)
            for index, header in enumerate(headers):
                label = up.escape_markdown(header) or f"(column {index + 1} has no header)"
                chosen[header] = columns[index % 3].selectbox(
                    label,
                    targets,
                    index=targets.index(current[header]) if current[header] in targets else 0,
                    format_func=_target_label,
                    key=f"upload_map_{file_id}_{kind}_{index}",
                )
            applied = st.form_submit_button(
                "Apply mapping and validate again", type="primary", icon=":material/sync:"
            )
    if applied:
        up.apply_form_mapping(file_id, kind, chosen)
        st.rerun()


def _outcome(result: IngestResult, key: str) -> None:
    text = up.escape_markdown(result.message)
    if result.status == "loaded":
        st.success(text, icon=":material/check_circle:")
    elif result.status == "duplicate":
        st.info(text, icon=":material/content_copy:")
    else:
        st.error(text, icon=":material/block:")
        _problems(result, f"{key}_commit")


def _commit(
    upload,
    key: str,
    result: IngestResult,
    options: IngestOptions,
    user: str,
    source: str,
    from_form: bool,
) -> None:
    st.subheader("Load")
    to_save = up.mapping_to_save(result, options.mapping) if result.status == "valid" else {}
    save = False
    # A mapping that came from the source itself needs no saving again.
    if source and to_save and from_form:
        save = st.checkbox(
            f"After loading, save this column mapping as source “{up.escape_markdown(source)}”",
            value=True,
            key=up.KEY_SAVE,
        )
    clicked = st.button(
        "Load into the store",
        type="primary",
        icon=":material/upload:",
        disabled=result.status != "valid" or not user,
        key="upload_commit",
        help="Enabled once the dry run found no problem. The whole file is loaded as one "
        "batch, or nothing is.",
    )
    if clicked:
        store = data.get_store()
        try:
            with up.progress_status(f"Loading {up.escape_markdown(upload.name)}") as report:
                outcome = up.commit_bytes(
                    upload, upload.name, options=options, user=user, db=store.path, progress=report
                )
            if outcome.status == "loaded" and save:
                up.save_mapping(store, source, options.kind, to_save, user)
        except ThreatmonError as exc:
            messages.show_error(exc)
            return
        up.remember_outcome(key, outcome)
        st.rerun()  # redraw the frame (banner, filters, coverage) with the new store
    outcome = up.current_outcome(key)
    if outcome is not None:
        _outcome(outcome, key)


def _current_file(store: Store, kind: str, user: str, source: str) -> None:
    upload = st.file_uploader(
        "Drop a CSV, TSV, XLSX or Parquet file",
        type=list(up.UPLOAD_TYPES),
        key=up.KEY_FILE,
        help="The server checks the content itself, whatever the file's extension: "
        "encoding, delimiter, sheet, columns and every value.",
    )
    if upload is None:
        up.forget_upload()
        return
    sheet = ""
    if Path(upload.name).suffix.lower() in (".xlsx", ".xlsm"):
        sheet = st.text_input(
            "Sheet", key=up.KEY_SHEET, placeholder="the first sheet", help="XLSX only."
        ).strip()
    mapping = up.form_mapping(upload.file_id, kind)
    from_form = mapping is not None
    if mapping is None and source:
        mapping = up.source_mapping(store, source)
    options = _options(kind, sheet, mapping)
    key = up.validation_key(upload.file_id, kind, sheet, mapping)
    result = up.current_validation(key)
    if result is None:
        try:
            with up.progress_status(f"Checking {up.escape_markdown(upload.name)}") as report:
                result = up.validate_bytes(
                    upload,
                    upload.name,
                    options=options,
                    user=user or "-",
                    db=store.path,
                    progress=report,
                )
        except ThreatmonError as exc:
            messages.show_error(exc)
            return
        up.remember_validation(key, result)

    st.markdown(up.summary_text(result))
    if result.columns or result.ignored_columns:
        with st.expander("Detected columns", expanded=False, icon=":material/view_column:"):
            st.dataframe(up.mapping_frame(result), hide_index=True)
    if result.status == "valid":
        st.success(up.escape_markdown(result.message), icon=":material/task_alt:")
        earlier = up.loaded_before(store, result)
        if earlier is not None:
            st.info(
                f"These exact bytes are already loaded as batch {earlier}; loading them again "
                "adds nothing. Undo that batch below to replace it.",
                icon=":material/content_copy:",
            )
    else:
        st.error(up.escape_markdown(result.message), icon=":material/block:")
        if up.needs_mapping(result):
            st.warning(
                "The file's columns do not fit the contract: map them below, then validate again.",
                icon=":material/table_edit:",
            )
        _problems(result, key)
    _mapping_form(result, upload.file_id, kind, mapping)
    if result.preview is not None and not result.preview.empty:
        st.subheader("Preview")
        st.caption(
            f"The first {len(result.preview):,} rows as they will be stored; `line` is the "
            "row's line in the file. Empty cells in required columns are problems above."
        )
        st.dataframe(
            result.preview,
            hide_index=True,
            height=_height(len(result.preview), PREVIEW_HEIGHT),
            column_config={
                "line": st.column_config.NumberColumn("line", format="%d", pinned=True),
                "date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
            },
        )
    _commit(upload, key, result, options, user, source, from_form)


def _history(store: Store, principal: Principal) -> None:
    st.subheader("Loads")
    table = up.batch_table(store)
    if table.empty:
        st.caption("Nothing has been loaded into this store yet.")
        return
    st.dataframe(
        table,
        hide_index=True,
        height=_height(len(table)),
        column_config={
            "id": st.column_config.NumberColumn("Batch", format="%d"),
            "loaded at": st.column_config.DatetimeColumn("Loaded at", format="YYYY-MM-DD HH:mm"),
            "rows": st.column_config.NumberColumn("Rows", format="%,d"),
        },
    )
    active = table[table["status"] == "active"]
    if not principal.can(Permission.UNDO_ANY):
        active = active[active["user"] == principal.name]
    labels = {
        int(row.id): f"{row.id} · {row.file} · {row.rows:,} rows · {row.period}"
        for row in active.itertuples(index=False)
    }
    outcome = up.take_undo_outcome()
    if outcome is not None:
        kind, text = outcome
        (st.success if kind == "success" else st.error)(text)
    if not labels:
        st.caption(
            "Every batch is undone."
            if principal.can(Permission.UNDO_ANY)
            else "You have no active load to undo; analysts undo their own loads only."
        )
        return
    with st.container(border=True):
        batch = st.selectbox(
            "Undo a load",
            list(labels),
            format_func=labels.get,
            key=up.KEY_UNDO_BATCH,
            help="Removes the batch's rows from every page and export; the batch stays "
            "listed as undone and the undo is written to the audit log.",
        )
        confirmed = st.checkbox(
            "I understand that the rows of this batch are removed from the store.",
            key=up.KEY_UNDO_CONFIRM,
        )
        st.button(
            "Undo batch",
            icon=":material/undo:",
            disabled=not (confirmed and batch is not None),
            key="upload_undo",
            on_click=up.undo_batch,
            args=(store, batch, principal),
        )


def main() -> None:
    """Render the Upload page."""
    st.title("Upload")
    principal = auth.require(Permission.UPLOAD)
    status = data.store_status()
    if not status.ok and Path(status.path).exists():
        st.stop()  # the frame shows why the store cannot be read
    store = data.get_store()
    st.caption(
        "Check an incident or migration-flow extract, then load it as one batch. Nothing is "
        "written until the file is free of problems; every load can be undone."
    )
    if status.is_demo:
        st.info(
            "This store holds synthetic DEMO data: files loaded here are mixed with it. Set "
            "`THREATMON_DB` to a real store before loading real data.",
            icon=":material/science:",
        )
    kind, source = _settings(store, principal)
    _templates(kind)
    _current_file(store, kind, principal.name, source)
    _history(store, principal)


main()
