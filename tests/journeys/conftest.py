"""Fixtures of the user journeys: a browser profile per person, its requests, its screenshots.

Each journey keeps a screenshot of every key step, so that someone who never ran the
test can see what the user saw: ``<journey>-<nn>-<step>.png`` (and the files the person
downloaded, ``<journey>-<nn>-<name>``) in the ``journeys/`` folder of
``$THREATMON_TEST_ARTIFACTS`` (default ``<repo>/test-artifacts``, which git ignores). A
journey deletes its own files of an earlier run when it starts, and a failed journey
adds ``<journey>-<nn>-failed.png`` of the page as it was left.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_ENV_VAR = "THREATMON_TEST_ARTIFACTS"
PASSWORD = "journey test password"
#: ms; a page's first run on a fresh server imports plotly, geopandas and the store.
WAIT = 90_000


def artifacts_folder() -> Path:
    """Where the journeys' screenshots go."""
    configured = os.environ.get(ARTIFACTS_ENV_VAR, "").strip()
    return (Path(configured) if configured else ROOT / "test-artifacts") / "journeys"


#: Streamlit has finished the page's run (the app root says so).
RUN_ENDED = """() => {
  const app = document.querySelector("[data-test-script-state]");
  return app && app.dataset.testScriptState === "notRunning";
}"""


class Journey:
    """One person's path: a browser profile of their own (cookies, downloads), one tab,
    every URL it requested and the files kept on the way."""

    def __init__(self, name: str, context, folder: Path, dismiss_dialog):
        self.name = name
        self.context = context
        self._dismiss_dialog = dismiss_dialog
        self.requests: list[str] = []
        context.on("request", lambda request: self.requests.append(request.url))
        self.page = context.new_page()
        self.artifacts: list[Path] = []
        self._folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for earlier in folder.glob(f"{name}-[0-9][0-9]-*"):
            earlier.unlink()

    def open(self, url: str, heading: str) -> None:
        """Type ``url`` into the address bar and wait for the page titled ``heading``."""
        self.page.goto(url, wait_until="domcontentloaded")
        self.page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=WAIT)
        self._dismiss_dialog(self.page)

    def sign_in(self, name: str, lands_on: str) -> None:
        """Fill in the sign-in form as ``name`` and wait for the page titled ``lands_on``."""
        self.page.get_by_label("User name").fill(name)
        self.page.get_by_role("textbox", name="Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.get_by_role("heading", name=lands_on, exact=True).wait_for(timeout=WAIT)
        # The heading is drawn before the run ends: on a busy machine the sidebar's
        # widgets could still be on their way when the test read them.
        self.page.wait_for_function(RUN_ENDED, timeout=WAIT)
        self._dismiss_dialog(self.page)

    def screenshot(self, step: str) -> Path:
        """Save what the tab shows now as the journey's next numbered step."""
        path = self._next(f"{step}.png")
        self.page.screenshot(path=path)
        return path

    def keep(self, name: str, payload: bytes) -> Path:
        """Save a file the person took away (a download) as the journey's next step."""
        path = self._next(name)
        path.write_bytes(payload)
        return path

    def _next(self, name: str) -> Path:
        self.artifacts.append(self._folder / f"{self.name}-{len(self.artifacts) + 1:02d}-{name}")
        return self.artifacts[-1]


@pytest.fixture
def account(private_accounts):
    """``account(name, role)``: a local account in this test's accounts file, with the
    password :meth:`Journey.sign_in` types; returns the :class:`Accounts` file."""
    from threatmon.access.accounts import Accounts

    accounts = Accounts(private_accounts)

    def add(name: str, role: str) -> Accounts:
        accounts.add(name, role, password=PASSWORD, by="test")
        return accounts

    return add


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # The journey fixture's teardown needs to know whether the test itself failed.
    report = yield
    if report.when == "call":
        item.journey_failed = report.failed
    return report


@pytest.fixture
def journey(browser, dismiss_dialog, request):
    """``journey(name, width=1400, height=1000)``: a :class:`Journey` in a fresh browser
    profile, closed after the test (with a last screenshot if the test failed)."""
    from playwright.sync_api import Error as PlaywrightError

    started: list[Journey] = []

    def start(name: str, *, width: int = 1400, height: int = 1000) -> Journey:
        context = browser.new_context(viewport={"width": width, "height": height})
        started.append(Journey(name, context, artifacts_folder(), dismiss_dialog))
        return started[-1]

    yield start
    for person in started:
        if getattr(request.node, "journey_failed", False) and not person.page.is_closed():
            try:
                person.screenshot("failed")
            except PlaywrightError as exc:  # a crashed tab: the report has the failure
                print(f"No screenshot of the failed journey {person.name}: {exc}")
        person.context.close()
