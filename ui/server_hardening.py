"""Two of Streamlit's server endpoints closed to the sessions that may not use them.

Streamlit 1.67 has no setting for either, so both are patched once per process, from the
frame's runs (``dashboard.main`` calls :func:`install`; a second call does nothing):

- **Uploads.** ``PUT /_stcore/upload_file/<session>/<file>`` accepts a file for any live
  session, signed in or not, and keeps it in the process's memory until the session ends:
  three 90 MB uploads from a client that never signed in kept 270 MB. The upload handler
  asks ``Runtime.is_active_session`` before it reads the body (it is the method's only
  caller); the guard answers there, refusing with 403 :data:`UPLOAD_REFUSED` a session
  whose signed-in person may not upload (:data:`Permission.UPLOAD`), so the body is never
  read. On an open demo store every session is the demo administrator and may upload.
- **``clear_cache``.** This websocket message empties Streamlit's data and resource caches
  for every user of the process, and the sender's own session state.
  Only Streamlit's developer menu sends it, which users never see
  (``client.toolbarMode = "minimal"``), so it is ignored for everyone and logged.

Until the first run in a process has installed the guard, an upload to a session that has
not run yet is not refused here (no cache has anything to clear yet). The reverse proxy
of docs/deployment.md refuses uploads without a session cookie in front of every process.
"""

from __future__ import annotations

import functools
import logging

from streamlit.runtime.app_session import AppSession
from streamlit.runtime.runtime import Runtime

from threatmon.access.roles import Permission, Principal
from ui import auth

#: The body of the 403 answer to an upload from a session that may not upload.
UPLOAD_REFUSED = "Sign in with an account that may upload files first."
# Set on the patched functions, so that install() patches once however often it is called.
_INSTALLED = "_threatmon_hardened"
_LOGGER = logging.getLogger(__name__)


def may_upload(principal: Principal | None) -> bool:
    """Whether a session signed in as ``principal`` (None: nobody) may upload files."""
    return principal is not None and principal.can(Permission.UPLOAD)


def _guard_uploads(original):
    @functools.wraps(original)
    def is_active_session(self: Runtime, session_id: str) -> bool:
        if not original(self, session_id):
            return False  # Streamlit's own answer: 400, unknown session
        session = self.get_app_session(session_id)
        principal = None if session is None else auth.principal_in(session.session_state)
        if not may_upload(principal):
            from starlette.exceptions import HTTPException

            _LOGGER.warning("Upload refused: session %s is not signed in to upload.", session_id)
            raise HTTPException(status_code=403, detail=UPLOAD_REFUSED)
        return True

    setattr(is_active_session, _INSTALLED, True)
    return is_active_session


def _ignore_clear_cache(self: AppSession) -> None:
    """Replaces ``AppSession._handle_clear_cache_request``: the caches stay."""
    _LOGGER.warning("clear_cache message ignored (session %s).", self.id)


setattr(_ignore_clear_cache, _INSTALLED, True)


def install() -> None:
    """Patch this process's Streamlit server (once; later calls do nothing)."""
    if not getattr(Runtime.is_active_session, _INSTALLED, False):
        Runtime.is_active_session = _guard_uploads(Runtime.is_active_session)
    AppSession._handle_clear_cache_request = _ignore_clear_cache


def installed() -> bool:
    """Whether :func:`install` has run in this process."""
    return getattr(Runtime.is_active_session, _INSTALLED, False) and getattr(
        AppSession._handle_clear_cache_request, _INSTALLED, False
    )
