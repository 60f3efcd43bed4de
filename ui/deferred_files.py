"""A download built on click stays available while its button may still be on screen.

A ``st.download_button`` given a callable (every download of the dashboard: the files are
built on click, :mod:`ui.exports`) leaves the callable in Streamlit's media file manager
under an id that the browser's button holds. Streamlit 1.67 keeps it only while a run of
its session refers to it: each full run of the session first drops the session's
references (``clear_session_refs``), and the end of any session's run drops every
callable no session refers to (``remove_orphaned_files``). A button stays on screen, and
clickable, while its page reruns, until the run draws it again with a new id; a click in
that window (a widget just changed, or another tab's run ended meanwhile, or the run
stopped early for another rerun) asks for a callable that is gone. The server then logged
``MediaFileStorageError: Deferred file … not found`` and the browser said "Failed to
generate file for download" for five seconds: the file never came, and nobody knew why.

Two patches, once per process (``dashboard.main`` calls :func:`install`):

- **Kept.** A callable no run refers to any more is kept :data:`KEPT_SECONDS` after its
  first sweep found it so (at most :data:`KEPT_PER_SESSION` per session, the newest),
  then dropped. A click on a button still on screen is built as the page drew it, and
  :func:`ui.guarded.deferred` checks the session and role again at the click as ever.
  A button drawn disabled still revokes its callable at once (Streamlit's
  ``remove_deferred``, untouched).
- **Said.** A click that still finds no callable is answered with
  ``export.expired`` in the session's language, which the browser shows under the button.
"""

from __future__ import annotations

import functools
import logging
import time

from streamlit.runtime.backend_operation_handler import DeferredFileHandler
from streamlit.runtime.media_file_manager import MediaFileManager

from ui import i18n

#: How long a callable no run refers to stays available for a click on its old button.
KEPT_SECONDS = 600.0
#: At most this many such callables per session (each may hold a page's data).
KEPT_PER_SESSION = 24
# Set on the patched functions, so that install() patches once however often it is called.
_INSTALLED = "_threatmon_kept"
# On a manager: file id -> when a sweep first found its callable unreferenced.
_UNREFERENCED_SINCE = "_threatmon_unreferenced_since"
_LOGGER = logging.getLogger(__name__)
# Streamlit's own sweep, for the tests that show what it does alone.
_STREAMLIT_SWEEP = MediaFileManager._remove_orphaned_deferred_callables


def _keep_for_a_while(self: MediaFileManager) -> None:
    """Replaces ``MediaFileManager._remove_orphaned_deferred_callables`` (the caller holds
    the manager's lock): an unreferenced callable goes only once it has been so for
    :data:`KEPT_SECONDS`, or when its session keeps too many."""
    referenced: set[str] = set()
    for by_coordinates in self._files_by_session_and_coord.values():
        referenced.update(by_coordinates.values())
    since: dict[str, float] = self.__dict__.setdefault(_UNREFERENCED_SINCE, {})
    now = time.monotonic()
    # Per session, in the order they were drawn (the manager's dict keeps it): the
    # newest are those the browser is likeliest to show still.
    kept: dict[str, list[str]] = {}
    for file_id, entry in list(self._deferred_callables.items()):
        if file_id in referenced:
            since.pop(file_id, None)
            continue
        first = since.setdefault(file_id, now)
        if now - first > KEPT_SECONDS:
            self._drop_deferred_id(file_id)
        else:
            kept.setdefault(entry["session_id"], []).append(file_id)
    for found in kept.values():
        for file_id in found[:-KEPT_PER_SESSION]:
            self._drop_deferred_id(file_id)
    for file_id in [f for f in since if f not in self._deferred_callables]:
        del since[file_id]


setattr(_keep_for_a_while, _INSTALLED, True)


def expired_text(language: str | None) -> str:
    """What the browser shows under a download button whose file is gone."""
    return i18n.translate("export.expired", i18n.normalise_language(language) or "en")


def _session_language(session_id: str) -> str | None:
    from streamlit.runtime.runtime import Runtime

    if not Runtime.exists():
        return None
    session = Runtime.instance().get_app_session(session_id)
    if session is None:
        return None
    try:
        return session.session_state[i18n.KEY_LANGUAGE]
    except KeyError:
        return None


def _say_expired(original):
    @functools.wraps(original)
    async def handle(self: DeferredFileHandler, request, session_id: str):
        response = await original(self, request, session_id)
        file_id = request.deferred_file.file_id
        if response.error_msg and file_id not in self._get_media_file_mgr()._deferred_callables:
            _LOGGER.warning("Deferred download %s clicked after its file was dropped.", file_id)
            response.error_msg = expired_text(_session_language(session_id))
        return response

    setattr(handle, _INSTALLED, True)
    return handle


def install() -> None:
    """Patch this process's Streamlit server (once; later calls do nothing)."""
    MediaFileManager._remove_orphaned_deferred_callables = _keep_for_a_while
    if not getattr(DeferredFileHandler.handle, _INSTALLED, False):
        DeferredFileHandler.handle = _say_expired(DeferredFileHandler.handle)


def installed() -> bool:
    """Whether :func:`install` has run in this process."""
    return getattr(DeferredFileHandler.handle, _INSTALLED, False) and getattr(
        MediaFileManager._remove_orphaned_deferred_callables, _INSTALLED, False
    )


__all__ = ["KEPT_PER_SESSION", "KEPT_SECONDS", "expired_text", "install", "installed"]
