"""Threat Monitor: the Streamlit entry point (``streamlit run dashboard.py``).

The entry point is the frame around every page: page config, navigation, the DEMO
banner, the language menu and the global filters in the sidebar and the missing-store
message. Every label goes through ``ui.i18n.t``. Pages render; ``data_loaders/`` and
``forecasting/`` think.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from threatmon.access.roles import ROLE_PERMISSIONS, Permission, Principal, Role
from ui.i18n import role_name, t


@dataclass(frozen=True)
class PageSpec:
    """One page of the navigation; ``path`` is relative to this file.

    ``url_path`` must differ from the file's stem. Streamlit still treats a folder
    named ``pages/`` as a legacy multipage folder until ``st.navigation`` has run
    once in the process; a URL path equal to a file's stem would then run that page
    alone, without this frame (no filters, no DEMO banner). AppTest resets that
    state on every run, so there the clash shows up on the second run already.

    For that first run each ``url_path`` has a file of its own in ``pages/``
    (:func:`frame_file`) that runs this frame: without it, the first session of a
    fresh server opened at ``/<url_path>`` (a shared link, before anyone else has
    opened the app) got Streamlit's "Page not found" dialog over the right page.
    """

    path: str
    title: str
    icon: str
    url_path: str
    permission: Permission = Permission.VIEW

    def __post_init__(self) -> None:
        if self.url_path == Path(self.path).stem:
            raise ValueError(
                f"url_path must differ from the file name {Path(self.path).name!r} "
                f"(see PageSpec). Got {self.url_path!r}."
            )


FAVICON = Path(__file__).resolve().parent / "static" / "favicon.png"

#: Every page, in menu order; the first is the default. Tests iterate over this list.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", ":material/dashboard:", "home"),
    PageSpec("pages/map.py", "Map", ":material/map:", "maps"),
    PageSpec("pages/forecasts.py", "Forecasts", ":material/trending_up:", "outlook"),
    PageSpec("pages/coverage.py", "Coverage", ":material/grid_on:", "reported"),
    PageSpec("pages/upload.py", "Upload", ":material/upload_file:", "load", Permission.UPLOAD),
    PageSpec("pages/audit.py", "Audit", ":material/policy:", "log", Permission.READ_AUDIT),
)


def frame_file(spec: PageSpec) -> Path:
    """The file in ``pages/`` that answers ``/<url_path>`` before ``st.navigation`` has
    ever run in the server process: it runs :func:`main` (see :class:`PageSpec`)."""
    return Path(__file__).resolve().parent / Path(spec.path).parent / f"{spec.url_path}.py"


def required_role(permission: Permission) -> Role:
    """The least role that grants ``permission``."""
    return next(role for role in Role if permission in ROLE_PERMISSIONS[role])


def pages_for(principal: Principal) -> list[PageSpec]:
    """The pages ``principal``'s role may open, in menu order."""
    return [spec for spec in PAGES if principal.can(spec.permission)]


def navigation_pages(principal: Principal) -> list:
    """Every page as an ``st.Page``: those ``principal`` may open in the menu, the others
    hidden and answering their address with :func:`no_access`; any other URL lands on
    the first.

    The menu shows each title in the session's language; ``PageSpec.title`` stays the
    English name that identifies the page.
    """
    allowed = pages_for(principal)
    return [
        st.Page(
            spec.path,
            title=page_title(spec),
            icon=spec.icon,
            url_path=spec.url_path,
            default=spec == allowed[0],
        )
        if spec in allowed
        else st.Page(
            functools.partial(no_access, spec),
            title=page_title(spec),
            icon=spec.icon,
            url_path=spec.url_path,
            visibility="hidden",
        )
        for spec in PAGES
    ]


def no_access_text(spec: PageSpec) -> str:
    """Why the session's role cannot open ``spec`` (a viewer typing ``/load``)."""
    return t(
        "access.denied",
        page=page_title(spec),
        role=role_name(required_role(spec.permission).value),
    )


def no_access(spec: PageSpec) -> None:
    """What a page's address shows to a role that may not open it."""
    st.title(page_title(spec))
    st.error(no_access_text(spec), icon=":material/block:")


def page_title(spec: PageSpec) -> str:
    """The page's title in the session's language (catalogue key ``page.<file stem>``)."""
    return t(f"page.{Path(spec.path).stem}")


def marking_html(text: str) -> str:
    """The classification banner (escaped: the text comes from the deployment's settings)."""
    return (
        '<div data-testid="tm-marking" style="background:#b71c1c;color:#fff;'
        "font-weight:700;text-align:center;letter-spacing:0.04em;padding:0.3rem 0.5rem;"
        f'border-radius:0.3rem">{html.escape(text)}</div>'
    )


def demo_banner(seed: str | None) -> str:
    """The text shown on every page of a demo store."""
    seed_text = t("frame.seed", seed=seed) if seed else t("frame.seed_unknown")
    return t("frame.demo_banner", seed=seed_text)


def demo_open_note() -> str:
    """Added to the demo banner when nobody signs in."""
    return t("frame.demo_open_note")


def _account_box(principal: Principal) -> None:
    from ui import auth

    with st.sidebar.container(border=True):
        scope = ", ".join(principal.scope) if principal.scope else t("account.all_countries")
        st.markdown(f"**{_plain(principal.name)}** · {role_name(principal.role.value)}  \n{scope}")
        if principal.suppressed:
            st.caption(t("account.suppressed_note"))
        if principal.auth != "demo":
            st.button(t("account.sign_out"), icon=":material/logout:", on_click=auth.sign_out)


def _plain(text: str) -> str:
    """A name as literal Markdown text (account names are chosen by people)."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]()<>#+-.!|~:$" else c for c in text)


def main() -> None:
    """Draw the frame and run the selected page."""
    from ui import warmup

    try:
        _frame_and_page()
    finally:
        # The first run of a fresh server: the pages' heavy imports go on in the
        # background once its first page is drawn (the sign-in form or the page asked
        # for), while the person reads it or signs in. Started before that page, they
        # held the interpreter lock through it: seconds more for a first Overview.
        warmup.start()


def _frame_and_page() -> None:
    # Imported here so that importing this module (tests reading PAGES) stays cheap.
    from threatmon.disclosure.marking import marking_text
    from ui import auth, data, deferred_files, filters, guarded, i18n, messages, server_hardening
    from ui.fit import fit_labels

    server_hardening.install()  # before this run can take an upload (see the module)
    deferred_files.install()  # before this run draws a download
    i18n.start_language()  # before the first label: ?lang= on a session's first run
    # A local image: a ":material/…:" page icon makes the browser fetch the favicon
    # from fonts.gstatic.com, which an offline network cannot reach.
    st.set_page_config(page_title="Threat Monitor", page_icon=str(FAVICON), layout="wide")
    st.html(marking_html(marking_text()))
    fit_labels()  # long labels wrap rather than being cut (every language)

    status = data.store_status()
    sign_in_mode = auth.mode(status.is_demo)
    principal = auth.signed_in(sign_in_mode)
    auth.emit_cookie()  # a sign-in, sign-out or expiry of the run before or of this one
    # A download or callback refused since the last run (e.g. on a disabled account).
    guarded.show_refusal()
    if principal is None:
        # One hidden page: whatever URL was asked for, this is all that runs.
        gate = auth.no_accounts_page if sign_in_mode == auth.NO_ACCOUNTS else auth.sign_in_page
        # The gate answers at every page's address, so a shared link shows the sign-in
        # form (not "Page not found") and, once signed in, opens the page it named.
        page = st.navigation(
            [
                st.Page(gate, title=t("auth.sign_in"), url_path=spec.url_path, default=index == 0)
                for index, spec in enumerate(PAGES)
            ],
            position="hidden",
        )
        i18n.language_selector(st.sidebar)
        filters.clear_current_filters()
        if sign_in_mode == auth.NO_ACCOUNTS:
            _store_messages(status, messages)
        page.run()
        return
    auth.remember(principal)
    page = st.navigation(navigation_pages(principal))
    _account_box(principal)
    i18n.language_selector(st.sidebar)

    if not status.ok:
        filters.clear_current_filters()
        _store_messages(status, messages)
    else:
        if status.is_demo:
            banner = demo_banner(status.meta.get("demo_seed"))
            if sign_in_mode == auth.DEMO_OPEN:
                banner += " " + demo_open_note()
            st.warning(banner, icon=":material/science:")
        if status.has_data:
            filters.render_filters(
                status.first,
                status.last,
                data.regions(),
                data.visible_crime_types(),
                latest=status.latest,
            )
            # After a load the forecasts of all series are stale: start their refresh
            # now, in its own process, whichever page is open.
            data.forecast_refresh()
        else:
            filters.clear_current_filters()
            st.info(t("frame.empty_store", path=status.path), icon=":material/inbox:")
    page.run()


def _store_messages(status, messages) -> None:
    if status.ok:
        return
    if status.missing:
        st.error(messages.missing_store_text(status.path), icon=":material/database:")
    else:
        messages.show_error(status.error)


if __name__ == "__main__":
    main()
