"""The classification marking printed on every page, export and briefing.

Set by the deployment (``$THREATMON_MARKING``), because the right words depend on the
organisation and the data, not on the code. The default errs on the restrictive side.
"""

from __future__ import annotations

import os

MARKING_ENV_VAR = "THREATMON_MARKING"
DEFAULT_MARKING = "RESTRICTED — law-enforcement use only"
MAX_LENGTH = 200


def marking_text() -> str:
    """The configured marking, whitespace-normalised; the default when unset or blank."""
    raw = " ".join(os.environ.get(MARKING_ENV_VAR, "").split())
    if not raw:
        return DEFAULT_MARKING
    if len(raw) > MAX_LENGTH:
        raise ValueError(
            f"${MARKING_ENV_VAR} must be at most {MAX_LENGTH} characters. Got {len(raw)}."
        )
    return raw
