"""The classification marking printed on every page, export and briefing.

Set by the deployment (``$THREATMON_MARKING``), because the right words depend on the
organisation and the data, not on the code. The default errs on the restrictive side.
"""

from __future__ import annotations

from threatmon.settings import current_settings


def marking_text() -> str:
    """The configured marking, whitespace-normalised; the default when unset or blank."""
    return current_settings().marking
