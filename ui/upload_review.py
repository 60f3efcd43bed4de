"""The Upload page's review of a checked file: what a loaded file became, the preview as it
will be stored, and the value aliases an analyst accepts or chooses in the page.

A value the check refuses (``Cahull``, with "Did you mean MD-CA Cahul?") can be accepted,
or a value without a suggestion given one of its column's values; either is saved as a
value alias of the upload's source (:mod:`data_loaders.value_aliases`, audited) and the
file is checked again with the source's aliases, without editing the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from data_loaders.ingest import IngestResult, already_loaded
from data_loaders.value_aliases import (
    OPTION,
    AliasCandidate,
    alias_label,
    aliases_table,
    parse_aliases,
)
from threatmon.errors import Problem
from threatmon.store import Store, write_session
from ui.i18n import number, t
from ui.upload import escape_markdown

_LOADED = "upload_loaded"
#: Statuses of a load after which the same bytes have nothing left to load.
_FINAL = ("loaded", "duplicate")
#: The contract columns the preview shows as dates when none of their cells is empty.
_DATE_COLUMNS = ("date", "period_end")
#: Candidates offered at most at once: the rest come after a check again.
MOST_CANDIDATES = 40


# -- after a load ------------------------------------------------------------------------------


def remember_loaded(file_id: str, result: IngestResult) -> None:
    """Keep a load's outcome for the uploader's file: until another file is chosen the page
    shows it, and not the check that came before it."""
    if result.status in _FINAL:
        st.session_state[_LOADED] = {"file": file_id, "result": result}


def loaded_outcome(store: Store, file_id: str) -> IngestResult | None:
    """The outcome of loading the uploader's file, while its batch is active.

    None for another file, and once the batch was undone (here or in another session):
    the same bytes can then be checked and loaded again.
    """
    held = st.session_state.get(_LOADED)
    if not held or held["file"] != file_id:
        return None
    result = held["result"]
    if already_loaded(store, result.sha256, result.kind) != result.batch_id:
        st.session_state.pop(_LOADED, None)
        return None
    return result


def forget_loaded() -> None:
    """The uploader was cleared."""
    st.session_state.pop(_LOADED, None)


def loaded_text(store: Store, result: IngestResult) -> str:
    """One escaped Markdown line: the file, its batch, rows, kind and period."""
    kind = t("upload.batch.flows") if result.kind == "flows" else t("upload.batch.incidents")
    batches = store.batches() if store.exists() else pd.DataFrame()
    period = ""
    if not batches.empty:
        row = batches[batches["batch_id"] == result.batch_id]
        if not row.empty and pd.notna(row["first_date"].iloc[0]):
            first = pd.Timestamp(row["first_date"].iloc[0])
            last = pd.Timestamp(row["last_date"].iloc[0])
            period = f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"
    file, period = escape_markdown(result.file_name), period or "—"
    if result.status != "loaded":
        return t("upload.loaded.already", file=file, batch=result.batch_id, period=period)
    return t(
        "upload.loaded.what",
        file=file,
        batch=result.batch_id,
        rows=number(result.rows_loaded),
        kind=kind,
        period=period,
    )


# -- the preview -------------------------------------------------------------------------------


def _as_text(column: pd.Series) -> pd.Series:
    """A column with empty cells as text: whole numbers without ".0", empty cells empty."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.strftime("%Y-%m-%d").astype("string").fillna("")
    if pd.api.types.is_float_dtype(column):
        values = column.dropna()
        if values.empty or (values % 1 == 0).all():
            column = column.astype("Int64")
    return column.astype("string").fillna("")


def preview_table(preview: pd.DataFrame) -> pd.DataFrame:
    """The preview for display: a column with empty cells (an optional column the file
    leaves empty) shows them empty, not "None" or "nan"; full columns keep their type."""
    return preview.assign(
        **{name: _as_text(preview[name]) for name in preview.columns if preview[name].isna().any()}
    )


def preview_dates(preview: pd.DataFrame) -> list[str]:
    """The preview's columns shown as dates (those still of a date type)."""
    return [
        name
        for name in _DATE_COLUMNS
        if name in preview.columns and pd.api.types.is_datetime64_any_dtype(preview[name])
    ]


def problem_column(problem: Problem | Mapping) -> str | None:
    """The problem's column as the report shows it: ``Raion (region_code)`` when the
    file calls the column otherwise, else its name."""
    column = problem["column"] if isinstance(problem, Mapping) else problem.column
    header = problem["header"] if isinstance(problem, Mapping) else problem.header
    if column is None or header is None or header == column:
        return column
    return f"{header} ({column})"


# -- value aliases -----------------------------------------------------------------------------


def source_aliases(store: Store, source: str) -> dict[str, dict[str, str]]:
    """The value aliases saved with ``source`` that this version can use ({} for none)."""
    saved = store.saved_source(source) if source and store.exists() else None
    if saved is None:
        return {}
    try:
        return parse_aliases(saved[2].get(OPTION))
    except ValueError:
        return {}  # aliases of a newer registry: the check goes on without them


def alias_key(kind: str, candidate: AliasCandidate) -> str:
    """The widget key of one candidate: stable while the same value is refused."""
    digest = hashlib.sha1(candidate.value.encode("utf-8")).hexdigest()[:12]
    return f"upload_alias_{kind}_{candidate.column}_{digest}"


def candidate_where(candidate: AliasCandidate) -> str:
    """``Raion (region_code)``: the column as the file and the contract name it."""
    return problem_column({"column": candidate.column, "header": candidate.header}) or ""


def candidate_lines(candidate: AliasCandidate) -> str:
    """``2, 4`` (and ``…`` past five lines): where the value is."""
    shown = ", ".join(str(row) for row in candidate.rows[:5])
    return shown + (", …" if len(candidate.rows) > 5 else "")


def save_aliases(
    store: Store, source: str, kind: str, chosen: Mapping[tuple[str, str], str], user: str
) -> int:
    """Save ``(column, value) → target`` as value aliases of ``source``, in one audited
    write; return how many were saved."""
    if not chosen:
        return 0
    with write_session(store.location, user=user) as writer:
        for (column, value), target in chosen.items():
            writer.save_value_alias(source, kind, column, value, target)
    return len(chosen)


def remove_alias(store: Store, source: str, column: str, value: str, user: str) -> None:
    """Remove one value alias of ``source`` (audited)."""
    with write_session(store.location, user=user) as writer:
        writer.remove_value_alias(source, column, value)


def aliases_frame(aliases: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """A source's aliases for display: column, file value, what it stands for."""
    return pd.DataFrame(
        [
            (column, value, alias_label(column, target))
            for column, value, target in aliases_table(aliases)
        ],
        columns=["column", "value", "target"],
    )
