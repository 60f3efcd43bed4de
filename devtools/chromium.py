"""How the tests and the load bench start Debian's chromium: headless, offline, quiet.

One list, so that the browser the tests check the pages in is the browser the load
test measures them with.
"""

from __future__ import annotations

#: Headless without a sandbox (containers, root), no GPU, and nothing fetched on its own
#: account: no component updates, no background networking, no first-run pages.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
