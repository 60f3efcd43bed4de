"""Turn the project's errors into Streamlit messages (the dashboard's one error helper)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from reports.words import Words
from threatmon.errors import Problem, StoreError, ThreatmonError
from threatmon.messages import Message
from ui.i18n import current_language, t

# More problems than this are summarised; a 10 000-row upload must not print 10 000 lines.
MAX_LISTED = 10


def error_text(exc: ThreatmonError, limit: int = MAX_LISTED) -> str:
    """Markdown for ``exc``: its message, then one bullet per problem (at most ``limit``).

    >>> from threatmon.errors import FilterError, Problem
    >>> print(error_text(FilterError("Invalid filter.", [Problem(None, "countries", "XX",
    ...       "Not one of the project's countries.")])))
    Invalid filter.
    <BLANKLINE>
    - column 'countries': Not one of the project's countries. Got 'XX'.
    """
    text = str(exc)
    problems: tuple[Problem, ...] = tuple(getattr(exc, "problems", ()) or ())
    if problems:
        text += "\n\n" + problem_list(problems, limit)
    return text


def problem_list(problems: Iterable[Problem | str], limit: int = MAX_LISTED) -> str:
    """A Markdown bullet list of problems, the rest counted in a last line.

    The problems are the engine's sentences (English); only the last line is translated.
    """
    problems = list(problems)
    lines = [f"- {p}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append("- " + t("messages.and_more", count=len(problems) - limit))
    return "\n".join(lines)


def show_error(exc: ThreatmonError) -> None:
    """Show ``exc`` as ``st.error`` (with its problems listed), never as a traceback."""
    icon = ":material/database:" if isinstance(exc, StoreError) else ":material/error:"
    st.error(error_text(exc), icon=icon)


def show_warning(title: str, problems: Iterable[Problem | str]) -> None:
    """One ``st.warning`` with a title line and the problems as bullets."""
    problems = list(problems)
    if problems:
        st.warning(f"{title}\n\n{problem_list(problems)}", icon=":material/warning:")


def missing_store_text(path) -> str:
    """What to do when there is no store yet."""
    return t("messages.missing_store", path=path)


# -- the logic's sentences ---------------------------------------------------------------------


def place_names(language: str | None = None) -> dict[str, str]:
    """Region code → "Name (Country)" in ``language``: a region is always named with its
    country, as names repeat ("Călărași" is in Moldova and in Romania)."""
    return dict(Words(language or current_language()).places())


def say(
    message: Message, places: Mapping[str, str] | None = None, language: str | None = None
) -> str:
    """``message`` (from ``trends`` or ``forecasting``) written in ``language`` (default:
    the session's): ``msg.<key>`` of the catalogue, its values with the language's names,
    months and number separators (see :class:`threatmon.messages.Message`).

    ``places`` (:func:`place_names`) saves building the region names for every message.
    """
    return Words(language or current_language()).say(message, places)


def reading_label(code: str, language: str | None = None) -> str:
    """A reading of :data:`trends.summary.READINGS` in words ("clear rise", "could be
    chance", …)."""
    return say(Message(f"reading.{code}"), {}, language)
