"""Downloads that are written to the access log when someone actually takes the file."""

from __future__ import annotations

from collections.abc import Callable

from ui import auth


def audited(build: Callable[[], bytes], what: str, **details) -> Callable[[], bytes]:
    """``build`` wrapped so that each download is logged as an ``export`` of ``what``.

    Streamlit calls a download button's callable only on a click, so the log records
    files that left the dashboard, not buttons that were drawn.
    """
    principal = auth.current()

    def build_and_log() -> bytes:
        payload = build()
        auth.accounts().log(
            principal.name, "export", what, {**details, "role": principal.role.value}
        )
        return payload

    return build_and_log
