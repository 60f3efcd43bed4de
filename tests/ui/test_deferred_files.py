"""Downloads built on click stay available while their button may still be on screen
(ui/deferred_files.py), on Streamlit's own media file manager and download handler.

Two browser tabs are two sessions: ``A`` shows a page with a download button, and its
page reruns (a widget changed) while ``B``'s run ends. Streamlit sweeps unreferenced
callables at the end of every run of every session.
"""

from __future__ import annotations

import asyncio
import types

import pytest
from streamlit.proto.BackMsg_pb2 import BackendOperationRequest, DeferredFileRequestPayload
from streamlit.runtime import media_file_manager
from streamlit.runtime.backend_operation_handler import DeferredFileHandler
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui import deferred_files

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPIRED = (
    "This download is no longer available: the page was redrawn after this button. "
    "Click the button again once the page has finished updating."
)


@pytest.fixture(scope="module", autouse=True)
def installed():
    deferred_files.install()


class Sessions:
    """A media file manager and the session its calls come from (``sessions.now = "B"``)."""

    def __init__(self, monkeypatch):
        self.now = "A"
        self.clock = 1000.0
        self.manager = MediaFileManager(MemoryMediaFileStorage("/media"))
        monkeypatch.setattr(media_file_manager, "_get_session_id", lambda: self.now)
        monkeypatch.setattr(
            deferred_files, "time", types.SimpleNamespace(monotonic=lambda: self.clock)
        )

    def draw(self, name: str, coordinates: str = "1.(2).0") -> str:
        """A download button of this session's run; returns the id its browser holds."""
        return self.manager.add_deferred(lambda: name.encode(), XLSX, coordinates, f"{name}.xlsx")

    def rerun_starts(self, session: str) -> None:
        self.manager.clear_session_refs(session)

    def run_ends(self) -> None:
        self.manager.remove_orphaned_files()

    def take(self, file_id: str) -> bytes:
        url = self.manager.execute_deferred(file_id)
        return self.manager.read_file(url.rsplit("/", 1)[-1].split(".")[0]).content


@pytest.fixture
def sessions(monkeypatch):
    return Sessions(monkeypatch)


def test_streamlit_alone_drops_a_button_s_file_while_its_page_reruns(sessions, monkeypatch):
    monkeypatch.setattr(
        MediaFileManager, "_remove_orphaned_deferred_callables", deferred_files._STREAMLIT_SWEEP
    )
    on_screen = sessions.draw("changes")
    sessions.rerun_starts("A")  # a widget of A's page changed; its button is still shown
    sessions.now = "B"
    sessions.run_ends()  # the other tab's run ends first
    with pytest.raises(MediaFileStorageError, match=f"Deferred file {on_screen} not found"):
        sessions.manager.execute_deferred(on_screen)


def test_a_button_still_on_screen_gets_its_file_while_its_page_reruns(sessions):
    on_screen = sessions.draw("changes")
    sessions.rerun_starts("A")
    sessions.now = "B"
    sessions.run_ends()
    assert sessions.take(on_screen) == b"changes"
    # A's run draws the button again, and ends: the old id still works for a while.
    sessions.now = "A"
    redrawn = sessions.draw("changes")
    sessions.run_ends()
    assert sessions.take(on_screen) == b"changes"
    assert sessions.take(redrawn) == b"changes"


def test_a_file_no_page_shows_goes_after_the_kept_time(sessions):
    on_screen = sessions.draw("changes")
    sessions.rerun_starts("A")
    sessions.run_ends()
    sessions.clock += deferred_files.KEPT_SECONDS - 1
    sessions.run_ends()
    assert sessions.take(on_screen) == b"changes"
    sessions.clock += 2
    sessions.run_ends()
    with pytest.raises(MediaFileStorageError, match="not found"):
        sessions.manager.execute_deferred(on_screen)


def test_a_button_still_drawn_keeps_its_file_however_long_the_page_stays(sessions):
    on_screen = sessions.draw("changes")
    sessions.run_ends()
    sessions.clock += 10 * deferred_files.KEPT_SECONDS
    sessions.run_ends()
    assert sessions.take(on_screen) == b"changes"


def test_a_session_keeps_only_its_newest_unreferenced_files(sessions):
    count = deferred_files.KEPT_PER_SESSION + 3
    drawn = [sessions.draw(f"file{i}", f"1.(2).{i}") for i in range(count)]
    sessions.rerun_starts("A")
    sessions.run_ends()
    kept = [file_id in sessions.manager._deferred_callables for file_id in drawn]
    assert kept == [False] * 3 + [True] * deferred_files.KEPT_PER_SESSION


def test_a_button_drawn_disabled_still_revokes_its_file_at_once(sessions):
    on_screen = sessions.draw("changes", "1.(2).0")
    sessions.manager.remove_deferred("1.(2).0")
    with pytest.raises(MediaFileStorageError, match="not found"):
        sessions.manager.execute_deferred(on_screen)


def _click(manager, file_id: str):
    handler = DeferredFileHandler(lambda: manager)
    request = BackendOperationRequest(
        request_id="r1", deferred_file=DeferredFileRequestPayload(file_id=file_id)
    )
    return asyncio.run(handler.handle(request, "A"))


def test_a_click_on_a_file_that_is_gone_says_to_click_again(sessions):
    response = _click(sessions.manager, "0" * 32)
    assert response.error_msg == EXPIRED


def test_a_refused_download_keeps_streamlit_s_answer(sessions):
    def refused():
        raise RuntimeError("refused")

    file_id = sessions.manager.add_deferred(refused, XLSX, "1.(2).0", "x.xlsx")
    assert _click(sessions.manager, file_id).error_msg == "Failed to generate file for download"


def test_a_click_that_works_is_answered_with_the_file(sessions):
    response = _click(sessions.manager, sessions.draw("changes"))
    assert not response.error_msg and response.deferred_file.url.startswith("/media/")


def test_the_message_is_in_the_session_language():
    assert deferred_files.expired_text("uk") == (
        "Це завантаження більше не доступне: сторінку перемальовано після появи цієї "
        "кнопки. Натисніть кнопку ще раз, коли сторінка оновиться."
    )
    assert deferred_files.expired_text(None) == EXPIRED


def test_install_patches_once():
    handle = DeferredFileHandler.handle
    deferred_files.install()
    assert DeferredFileHandler.handle is handle
    assert deferred_files.installed()
