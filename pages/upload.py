"""Upload: analysts load incident and migration-flow extracts, check them first, undo loads.

A file is validated as a dry run as soon as it is dropped (read, columns mapped,
values normalised, every problem listed by file line); only a valid file can be
loaded, as one all-or-nothing batch. A refused value can be accepted as suggested, or
given a value, as an alias of the file's source, and the file checked again without
being edited. After a load the file's part of the page shows only what the load did
and what comes next. This page reads widgets and renders; the work is
:func:`data_loaders.ingest.ingest_file`, reached through ``ui.upload`` and
``ui.upload_review``.
Everything that comes from a file is shown in tables or escaped Markdown.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import streamlit as st

from data_loaders import templates
from data_loaders.ingest import IngestOptions, IngestResult
from data_loaders.mapping import IGNORE, contract_columns
from data_loaders.readers import ReadLimits
from data_loaders.value_aliases import alias_candidates, alias_choices, alias_label
from threatmon.access.roles import Permission, Principal
from threatmon.errors import ThreatmonError
from threatmon.registry.crosswalks import crosswalk_names
from threatmon.store.reader import Store
from ui import auth, data, guarded, messages, tables
from ui import upload as up
from ui import upload_review as review
from ui.dropzone import translate_dropzone
from ui.i18n import bound, current_language, kept, number, t, translate

PREVIEW_HEIGHT = 400


def _height(rows: int, most: int = 420) -> int:
    """A table height that fits ``rows`` rows (and scrolls beyond ``most`` pixels)."""
    return min(most, 38 + 35 * max(rows, 1))


def _target_label(target: str, language: str | None = None) -> str:
    if target != IGNORE:
        return target
    return translate("upload.mapping.ignore", language or current_language())


def _settings(store: Store, principal: Principal) -> tuple[str, str]:
    """Kind and source name ("" for none) from the widgets at the top."""
    left, right = st.columns(2)
    kind = left.radio(
        t("upload.kind.label"),
        list(up.KINDS),
        format_func=bound(up.kind_label),
        horizontal=True,
        key=kept(up.KEY_KIND),
    )
    recorded = t("upload.recorded_as", name=up.escape_markdown(principal.name))
    if principal.scope:
        recorded += " " + t("upload.scope_only", scope=", ".join(principal.scope))
    right.caption(recorded)
    sources = up.saved_sources(store, kind)
    left, right = st.columns(2)
    choice = left.selectbox(
        t("upload.source.label"),
        [up.NO_SOURCE, *sources, up.NEW_SOURCE],
        format_func=bound(up.source_label),
        key=kept(up.KEY_SOURCE),
        help=t("upload.source.help"),
    )
    source = ""
    if choice == up.NEW_SOURCE:
        source = right.text_input(
            t("upload.source.new_name"),
            key=up.KEY_NEW_SOURCE,
            placeholder=t("upload.source.new_placeholder"),
        ).strip()
    elif choice != up.NO_SOURCE:
        source = choice
    return kind, source


def _templates(kind: str) -> None:
    forms = [form.name for form in templates.template_forms(kind)]
    form = templates.EVENTS
    if len(forms) > 1:
        form = st.selectbox(
            t("upload.template.form"),
            forms,
            format_func=bound(up.template_form_label),
            key=kept(up.KEY_TEMPLATE_FORM),
            help=t("upload.template.form_help"),
        )
    name = up.template_file_name(kind, form)
    left, right, note = st.columns([1, 1, 3], vertical_alignment="center")
    left.download_button(
        t("upload.template.csv"),
        data=functools.partial(templates.template_csv, kind, form),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="upload_template_csv",
    )
    right.download_button(
        t("upload.template.xlsx"),
        data=functools.partial(templates.template_xlsx, kind, form),
        file_name=f"{name}.xlsx",
        mime=templates.XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key="upload_template_xlsx",
    )
    note.caption(
        t("upload.template.caption_flows")
        if kind == "flows"
        else t("upload.template.caption_incidents")
    )


def _options(
    kind: str,
    sheet: str,
    mapping: dict[str, str] | None,
    reading: dict[str, str],
    skip_out_of_scope: bool = False,
    replace: bool = False,
) -> IngestOptions:
    max_mb = st.get_option("server.maxUploadSize")
    return IngestOptions(
        kind=kind,
        mapping=mapping or None,
        sheet=sheet or None,
        limits=ReadLimits(max_bytes=int(max_mb) * 1024 * 1024),
        scope=auth.current().scope,
        skip_out_of_scope=skip_out_of_scope,
        replace=replace,
        **reading,
    )


def _vocabulary(kind: str) -> tuple[str, bool]:
    """The crosswalk ("" for none) and whether to skip categories outside the crime types."""
    if kind != "incidents":
        return "", False
    left, right = st.columns(2, vertical_alignment="bottom")
    crosswalk = left.selectbox(
        t("upload.crosswalk.label"),
        ["", *crosswalk_names()],
        format_func=bound(up.crosswalk_label),
        key=kept(up.KEY_CROSSWALK),
        help=t("upload.crosswalk.help"),
    )
    skip = right.checkbox(
        t("upload.skip_out_of_scope.label"),
        key=up.KEY_SKIP_OUT_OF_SCOPE,
        help=t("upload.skip_out_of_scope.help"),
    )
    return crosswalk, skip


def _covers(kind: str) -> dict[str, str] | None:
    """What the file declares it reports in full: ``{"covers": "FROM..TO"}``, ``{}`` for
    nothing, None while the declaration is ticked but unusable (said on the page)."""
    if kind != "incidents" or not st.checkbox(
        t("upload.covers.label"), key=up.KEY_COVERS, help=t("upload.covers.help")
    ):
        return {}
    left, right = st.columns(2)
    first = left.text_input(t("upload.covers.from"), key=up.KEY_COVERS_FROM, placeholder="2025-01")
    last = right.text_input(t("upload.covers.to"), key=up.KEY_COVERS_TO, placeholder="2025-06")
    covers, problem = up.covers_option(first, last)
    if covers is None:
        st.warning(problem or t("upload.covers.incomplete"))
    return covers


def _skipped(result: IngestResult) -> None:
    if not result.skipped:
        return
    st.subheader(t("upload.skipped.header"))
    st.dataframe(
        tables.in_language(up.skipped_table(result), {"rows": tables.COUNT, "count": tables.COUNT}),
        hide_index=True,
        height=_height(len(result.skipped)),
        column_config={
            "category": t("upload.skipped.category"),
            "rows": st.column_config.NumberColumn(t("upload.skipped.rows")),
            "count": st.column_config.NumberColumn(t("upload.skipped.count")),
        },
    )


def _reading_options(store: Store, source: str) -> dict[str, str]:
    """Date order and thousands separator: the source's saved ones until changed here."""
    up.follow_source_options(store, source)
    left, right = st.columns(2)
    date_order = left.selectbox(
        t("upload.options.date_order"),
        up.DATE_ORDER_CHOICES,
        format_func=bound(up.date_order_label),
        key=kept(up.KEY_DATE_ORDER),
        help=t("upload.options.date_order_help"),
    )
    thousands = right.selectbox(
        t("upload.options.thousands"),
        up.THOUSANDS_CHOICES,
        format_func=bound(up.thousands_label),
        key=kept(up.KEY_THOUSANDS),
        help=t("upload.options.thousands_help"),
    )
    return up.chosen_options(date_order, thousands)


def _problems(result: IngestResult, key: str) -> None:
    if not result.problems:
        return
    st.dataframe(
        up.problem_table(result),
        hide_index=True,
        height=_height(len(result.problems)),
        column_config={
            "row": t("upload.problems.row"),
            "column": t("upload.problems.column"),
            "value": t("upload.problems.value"),
            "reason": t("upload.problems.reason"),
            "suggestion": t("upload.problems.suggestion"),
        },
    )
    listed = len(result.problems)
    if result.problem_count > listed:
        st.caption(
            t("upload.problems.first", listed=number(listed), total=number(result.problem_count))
        )
    st.caption(t("upload.problems.row_note", row=t("upload.problems.row")))
    st.download_button(
        t("upload.problems.download"),
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
    with st.expander(t("upload.mapping.header"), expanded=broken, icon=":material/table_edit:"):
        ignore, needed = t("upload.mapping.ignore"), ", ".join(required)
        if kind == "flows":
            st.caption(t("upload.mapping.caption_flows", ignore=ignore, required=needed))
        else:
            st.caption(t("upload.mapping.caption_incidents", ignore=ignore, required=needed))
        with st.form("upload_mapping_form", border=False):
            chosen: dict[str, str] = {}
            columns = st.columns(3)
            for index, header in enumerate(headers):
                label = up.escape_markdown(header) or t("upload.mapping.no_header", n=index + 1)
                key = f"upload_map_{file_id}_{kind}_{index}"
                # A default through the session, so that kept() can carry the choice
                # over a change of language ("— ignore —" is a word).
                st.session_state.setdefault(
                    key, current[header] if current[header] in targets else IGNORE
                )
                chosen[header] = columns[index % 3].selectbox(
                    label, targets, format_func=bound(_target_label), key=kept(key)
                )
            applied = st.form_submit_button(
                t("upload.mapping.apply"), type="primary", icon=":material/sync:"
            )
    if applied:
        up.apply_form_mapping(file_id, kind, chosen)
        st.rerun()


def _warnings(result: IngestResult) -> None:
    for warning in result.warnings:
        st.warning(up.escape_markdown(warning), icon=":material/trending_up:")


def _outcome(result: IngestResult, key: str) -> None:
    text = up.escape_markdown(result.message)
    if result.status == "loaded":
        st.success(text, icon=":material/check_circle:")
        _warnings(result)
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
    st.subheader(t("upload.load.header"))
    store = data.get_store()
    to_save = up.mapping_to_save(result, options.mapping) if result.status == "valid" else {}
    options_to_save = up.options_to_save(store, source, options)
    new_options = result.status == "valid" and options_to_save != up.saved_options(store, source)
    save = False
    # A mapping (or options) that came from the source itself needs no saving again.
    if source and ((to_save and from_form) or new_options):
        name = up.escape_markdown(source)
        save = st.checkbox(
            t("upload.load.save_options", source=name)
            if options_to_save
            else t("upload.load.save_mapping", source=name),
            value=True,
            key=up.KEY_SAVE,
        )
    replace = st.checkbox(
        t("upload.replace.label"), key=up.KEY_REPLACE, help=t("upload.replace.help")
    )
    options = dataclasses.replace(options, replace=replace)
    clicked = st.button(
        t("upload.load.button"),
        type="primary",
        icon=":material/upload:",
        disabled=result.status != "valid" or not user,
        key="upload_commit",
        help=t("upload.load.help"),
    )
    if clicked:
        try:
            with up.progress_status(
                t("upload.load.progress", file=up.escape_markdown(upload.name))
            ) as report:
                outcome = up.commit_bytes(
                    upload,
                    upload.name,
                    options=options,
                    user=user,
                    db=store.location,
                    progress=report,
                )
            if outcome.status == "loaded" and save:
                up.save_mapping(store, source, options.kind, to_save, user, options_to_save)
        except ThreatmonError as exc:
            messages.show_error(exc)
            return
        up.remember_outcome(key, outcome)
        review.remember_loaded(upload.file_id, outcome)
        st.rerun()  # redraw the frame (banner, filters, coverage) with the new store
    outcome = up.current_outcome(key)
    if outcome is not None:
        _outcome(outcome, key)


def _loaded(store: Store, result: IngestResult) -> None:
    """The uploader's file after its load: what it became and what to do next."""
    st.subheader(t("upload.loaded.header"))
    text = up.escape_markdown(result.message)
    if result.status == "loaded":
        st.success(text, icon=":material/check_circle:")
        _warnings(result)
    else:
        st.info(text, icon=":material/content_copy:")
    st.markdown(review.loaded_text(store, result))
    st.caption(t("upload.loaded.next", batch=result.batch_id))
    st.button(
        t("upload.load.button"),
        type="primary",
        icon=":material/upload:",
        disabled=True,
        key="upload_commit",
        help=t("upload.loaded.load_help"),
    )


def _alias_form(result: IngestResult, store: Store, kind: str, source: str, user: str) -> None:
    """Accept the check's suggestions, or choose what a value stands for, without editing
    the file: saved as value aliases of the source, then the file is checked again."""
    candidates = alias_candidates(result.problems)
    if not candidates:
        return
    st.subheader(t("upload.aliases.header"))
    if not source:
        st.caption(t("upload.aliases.no_source"))
        return
    name = up.escape_markdown(source)
    st.caption(t("upload.aliases.caption", source=name))
    shown = candidates[: review.MOST_CANDIDATES]
    if len(candidates) > len(shown):
        st.caption(
            t("upload.aliases.more", shown=number(len(shown)), total=number(len(candidates)))
        )
    chosen: dict[tuple[str, str], str] = {}
    with st.form("upload_alias_form", border=True):
        for candidate in shown:
            where = up.escape_markdown(review.candidate_where(candidate))
            value = up.escape_markdown(candidate.value)
            lines = review.candidate_lines(candidate)
            key = review.alias_key(kind, candidate)
            if candidate.suggested is not None:
                target = up.escape_markdown(alias_label(candidate.column, candidate.suggested))
                label = t(
                    "upload.aliases.accept", where=where, value=value, lines=lines, target=target
                )
                if st.checkbox(label, key=key):
                    chosen[(candidate.column, candidate.value)] = candidate.suggested
                continue
            options = ["", *alias_choices(candidate.column)]
            picked = st.selectbox(
                t("upload.aliases.choose", where=where, value=value, lines=lines),
                options,
                format_func=lambda option, column=candidate.column: (
                    alias_label(column, option) if option else t("upload.aliases.keep")
                ),
                key=key,
            )
            if picked:
                chosen[(candidate.column, candidate.value)] = picked
        again = st.form_submit_button(
            t("upload.aliases.check_again"), type="primary", icon=":material/sync:"
        )
    if again:
        try:
            review.save_aliases(store, source, kind, chosen, user)
        except ThreatmonError as exc:
            messages.show_error(exc)
            return
        st.rerun()  # the source's aliases are part of what the check depends on


def _saved_aliases(store: Store, source: str, user: str) -> None:
    """The value aliases of the chosen source, each removable."""
    aliases = review.source_aliases(store, source)
    if not aliases:
        return
    table = review.aliases_frame(aliases)
    title = t("upload.aliases.saved", source=up.escape_markdown(source), n=number(len(table)))
    with st.expander(title, icon=":material/edit_note:"):
        st.dataframe(
            table,
            hide_index=True,
            height=_height(len(table)),
            column_config={
                "column": t("upload.aliases.column"),
                "value": t("upload.aliases.value"),
                "target": t("upload.aliases.target"),
            },
        )
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        rows = list(table.itertuples(index=False))
        index = left.selectbox(
            t("upload.aliases.remove_label"),
            range(len(rows)),
            format_func=lambda i: f"{rows[i].column}: {rows[i].value} → {rows[i].target}",
            key="upload_alias_remove",
        )
        if right.button(
            t("upload.aliases.remove"), icon=":material/delete:", key="upload_alias_remove_button"
        ):
            review.remove_alias(store, source, rows[index].column, rows[index].value, user)
            st.rerun()


def _current_file(store: Store, kind: str, user: str, source: str) -> None:
    # Above the uploader: they are chosen with the source, before a file is checked.
    reading = _reading_options(store, source)
    translate_dropzone(up.KEY_FILE, up.UPLOAD_TYPES)
    upload = st.file_uploader(
        t("upload.file.label"),
        type=list(up.UPLOAD_TYPES),
        key=up.KEY_FILE,
        help=t("upload.file.help"),
    )
    if upload is None:
        up.forget_upload()
        review.forget_loaded()
        return
    loaded = review.loaded_outcome(store, upload.file_id)
    if loaded is not None:
        # Only what the load did and what comes next: the check before it is history.
        _loaded(store, loaded)
        return
    sheet = ""
    if Path(upload.name).suffix.lower() in (".xlsx", ".xlsm"):
        sheet = st.text_input(
            t("upload.sheet.label"),
            key=up.KEY_SHEET,
            placeholder=t("upload.sheet.placeholder"),
            help=t("upload.sheet.help"),
        ).strip()
    mapping = up.form_mapping(upload.file_id, kind)
    from_form = mapping is not None
    if mapping is None and source:
        mapping = up.source_mapping(store, source)
    crosswalk, skip = _vocabulary(kind)
    if crosswalk:
        reading = {**reading, "crosswalk": crosswalk}
    covers = _covers(kind)
    if covers is None:
        return
    reading = {**reading, **covers}
    aliases = review.source_aliases(store, source)
    if aliases:
        reading = {**reading, "value_aliases": aliases}
    # The checkbox sits by the Load button; its value from the last run decides the check.
    replace = up.replace_chosen()
    options = _options(kind, sheet, mapping, reading, skip, replace)
    key = up.validation_key(
        upload.file_id, kind, sheet, mapping, reading, skip_out_of_scope=skip, replace=replace
    )
    result = up.current_validation(key)
    if result is None:
        try:
            with up.progress_status(
                t("upload.file.checking", file=up.escape_markdown(upload.name))
            ) as report:
                result = up.validate_bytes(
                    upload,
                    upload.name,
                    options=options,
                    user=user or "-",
                    db=store.location,
                    progress=report,
                )
        except ThreatmonError as exc:
            messages.show_error(exc)
            return
        up.remember_validation(key, result)

    st.markdown(up.summary_text(result))
    if result.region_column_reason:
        # Which column holds the regions, and why (the values decided, or the mapping).
        st.caption(up.escape_markdown(result.region_column_reason))
    if result.columns or result.ignored_columns:
        with st.expander(t("upload.file.detected"), expanded=False, icon=":material/view_column:"):
            st.dataframe(up.mapping_frame(result), hide_index=True)
    if result.status == "valid":
        st.success(up.escape_markdown(result.message), icon=":material/task_alt:")
        _warnings(result)
        earlier = up.loaded_before(store, result)
        if earlier is not None:
            st.info(t("upload.file.already_loaded", batch=earlier), icon=":material/content_copy:")
    else:
        st.error(up.escape_markdown(result.message), icon=":material/block:")
        if up.needs_mapping(result):
            st.warning(t("upload.file.needs_mapping"), icon=":material/table_edit:")
        _problems(result, key)
        _alias_form(result, store, kind, source, user)
    _mapping_form(result, upload.file_id, kind, mapping)
    _skipped(result)
    if result.preview is not None and not result.preview.empty:
        st.subheader(t("upload.preview.header"))
        st.caption(t("upload.preview.caption", rows=number(len(result.preview))))
        preview = review.preview_table(result.preview)
        st.dataframe(
            preview,
            hide_index=True,
            height=_height(len(preview), PREVIEW_HEIGHT),
            column_config={
                # Contract column names, the same in every language (label None: the name).
                "line": st.column_config.NumberColumn(format="%d", pinned=True),
                **{
                    name: st.column_config.DateColumn(format="YYYY-MM-DD")
                    for name in review.preview_dates(preview)
                },
            },
        )
    _commit(upload, key, result, options, user, source, from_form)


def _history(store: Store, principal: Principal) -> None:
    st.subheader(t("upload.history.header"))
    table = up.batch_table(store)
    if table.empty:
        st.caption(t("upload.history.empty"))
        return
    st.dataframe(
        tables.in_language(table, {"id": tables.IDENTIFIER, "rows": tables.COUNT}),
        hide_index=True,
        height=_height(len(table)),
        column_config={
            "id": st.column_config.NumberColumn(t("upload.history.batch")),
            "kind": t("upload.history.kind"),
            "status": t("upload.history.status"),
            "file": t("upload.history.file"),
            "user": t("upload.history.user"),
            "loaded at": st.column_config.DatetimeColumn(
                t("upload.history.loaded_at"), format="YYYY-MM-DD HH:mm"
            ),
            "rows": st.column_config.NumberColumn(t("upload.history.rows")),
            "period": t("upload.history.period"),
            "active": None,
        },
    )
    active = table[table["active"]]
    if not principal.can(Permission.UNDO_ANY):
        active = active[active["user"] == principal.name]
    labels = {
        int(row.id): t(
            "upload.history.option",
            batch=row.id,
            file=row.file,
            rows=number(row.rows),
            period=row.period,
        )
        for row in active.itertuples(index=False)
    }
    outcome = up.take_undo_outcome()
    if outcome is not None:
        kind, text = outcome
        (st.success if kind == "success" else st.error)(text)
    if not labels:
        st.caption(
            t("upload.history.all_undone")
            if principal.can(Permission.UNDO_ANY)
            else t("upload.history.none_of_yours")
        )
        return
    with st.container(border=True):
        batch = st.selectbox(
            t("upload.undo.label"),
            list(labels),
            format_func=labels.get,
            key=kept(up.KEY_UNDO_BATCH),
            help=t("upload.undo.help"),
        )
        confirmed = st.checkbox(t("upload.undo.confirm"), key=up.KEY_UNDO_CONFIRM)
        st.button(
            t("upload.undo.button"),
            icon=":material/undo:",
            disabled=not (confirmed and batch is not None),
            key="upload_undo",
            # Checked again when the click runs it: the account may have been disabled
            # or demoted since this button was drawn.
            on_click=guarded.callback(up.undo_batch, Permission.UNDO_OWN, f"undo:batch:{batch}"),
            args=(store, batch),
        )


def main() -> None:
    """Render the Upload page."""
    st.title(t("upload.title"))
    principal = auth.require(Permission.UPLOAD)
    status = data.store_status()
    if not status.ok and not status.missing:
        st.stop()  # the frame shows why the store cannot be read
    store = data.get_store()
    st.caption(t("upload.intro"))
    if status.is_demo:
        st.info(t("upload.demo_note"), icon=":material/science:")
    if up.interrupted_loads(store):
        # After a server was killed mid-load the browser may still show the file in the
        # uploader, though the new server never received it: say what happened to it.
        st.warning(t("upload.interrupted"), icon=":material/running_with_errors:")
    kind, source = _settings(store, principal)
    _saved_aliases(store, source, principal.name)
    _templates(kind)
    _current_file(store, kind, principal.name, source)
    _history(store, principal)


main()
