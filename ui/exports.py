"""Downloads that are checked again and written to the access log when someone actually
takes the file."""

from __future__ import annotations

from collections.abc import Callable

from threatmon.access.roles import Permission, Principal
from ui import auth, guarded


def audited(
    build: Callable[[], bytes], what: str, *, permission: Permission = Permission.VIEW, **details
) -> Callable[[], bytes]:
    """``build`` wrapped so that each download is checked again and logged as an ``export``.

    Streamlit calls a download button's callable only on a click, so the log records
    files that left the dashboard, not buttons that were drawn. The click may come long
    after the page was drawn: :func:`ui.guarded.deferred` refuses it (no file) unless the
    session is still open and the account still has the role and scope ``build``'s data
    were chosen for, and ``permission``. The entry names the role read at the click.
    """

    def build_and_log(person: Principal) -> bytes:
        payload = build()
        auth.accounts().log(person.name, "export", what, {**details, "role": person.role.value})
        return payload

    return guarded.deferred(build_and_log, permission, what)


def table_downloads(frame, name: str, container=None) -> None:
    """CSV and XLSX buttons for one table: formula-safe, marked, logged when taken."""
    import datetime as dt

    import streamlit as st

    from threatmon.disclosure.export import to_csv_bytes, to_xlsx_bytes
    from ui import data
    from ui.i18n import t

    place = container or st
    marking = data.export_marking()
    stamp = dt.date.today().isoformat()
    left, right = place.columns(2)
    left.download_button(
        t("export.table_csv"),
        audited(lambda: to_csv_bytes(frame, marking), f"table:{name}", rows=len(frame)),
        file_name=f"threatmon-{name}-{stamp}.csv",
        mime="text/csv",
        icon=":material/table:",
        key=f"export-{name}-csv",
    )
    right.download_button(
        t("export.table_xlsx"),
        audited(
            lambda: to_xlsx_bytes(frame, marking, sheet=name[:31]), f"table:{name}", rows=len(frame)
        ),
        file_name=f"threatmon-{name}-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/grid_on:",
        key=f"export-{name}-xlsx",
    )


def chart_png_download(fig, name: str, container=None) -> None:
    """A PNG of a plotly chart, drawn offline by kaleido and the local Chromium on click."""
    import datetime as dt

    import streamlit as st

    from threatmon.disclosure.marking import marking_text
    from ui.i18n import t

    def build() -> bytes:
        import plotly.graph_objects as go

        from reports.chart_png import figure_png

        figure = go.Figure(fig)  # a copy: the page's figure stays as drawn
        title = figure.layout.title.text or ""
        figure.update_layout(
            title_text=f"{marking_text()}<br>{title}" if title else marking_text(),
            margin_t=max(figure.layout.margin.t or 0, 90),
        )
        return figure_png(figure, width=1400, height=700)

    (container or st).download_button(
        t("export.chart_png"),
        audited(build, f"chart:{name}"),
        file_name=f"threatmon-{name}-{dt.date.today().isoformat()}.png",
        mime="image/png",
        icon=":material/image:",
        key=f"export-{name}-png",
    )


def briefing_download(filters, container=None) -> None:
    """The steering committee's PDF briefing for the current selection, as this person may
    see it (viewers: sensitive crime types withheld, their suppressed table included), in
    the session's language."""
    import streamlit as st

    from ui import data
    from ui.i18n import current_language, t

    principal = auth.current()
    store = data.get_store()
    sensitive_source = data.sensitive_source() if principal.suppressed else None
    stamp = f"{filters.start:%Y-%m}_{filters.end:%Y-%m}"
    place = container or st
    # Streamlit ignores st.* calls inside a download's callable, so the briefing is built on
    # a click of its own, with a progress bar, and kept for this reader, selection and
    # store version; the download then hands out those bytes.
    language = current_language()
    wanted = (principal.name, principal.role.value, repr(filters), store.version, language)
    built = st.session_state.get("export-briefing-pdf")
    if built is None or built[0] != wanted:
        if not place.button(
            t("export.briefing_build"),
            icon=":material/picture_as_pdf:",
            help=t("export.briefing_help"),
            key="export-briefing-build",
        ):
            return
        bar = place.progress(0.0, text=t("export.briefing_progress"))
        built = (
            wanted,
            _briefing(
                store,
                filters,
                sensitive_source,
                lambda done, _: bar.progress(0.9 * done, text=t("export.briefing_progress")),
                language,
            ),
        )
        st.session_state["export-briefing-pdf"] = built
        bar.empty()
    payload = built[1]
    place.download_button(
        t("export.briefing"),
        audited(
            lambda: payload,
            "briefing_pdf",
            start=str(filters.start),
            end=str(filters.end),
            language=language,
        ),
        file_name=f"threatmon-briefing-{stamp}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        type="primary",
        help=t("export.briefing_help"),
        key="export-briefing",
    )


def _briefing(store, filters, sensitive_source, progress, language: str = "en") -> bytes:
    # Imported on the click only: the reports pull in folium, mapclassify, matplotlib,
    # scipy and fpdf, several seconds of a fresh server's first Overview otherwise.
    from reports.briefing import briefing_pdf
    from reports.content import briefing_content
    from reports.words import Words

    content = briefing_content(
        store,
        filters,
        sensitive_source=sensitive_source,
        progress=progress,
        words=Words(language),
    )
    return briefing_pdf(content)
