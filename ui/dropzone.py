"""Streamlit's file uploader, worded in the session's language.

``st.file_uploader`` writes its own English inside the drop zone: the "Upload" button
and "100MB per file • CSV, …" (Streamlit 1.67 has no parameter or locale for either).
For Romanian and Ukrainian, :func:`translate_dropzone` adds a style scoped to one
uploader (Streamlit gives a keyed widget the class ``st-key-<key>``) that hides those
texts and shows the catalogue's in their place, with the size limit read from
Streamlit's ``server.maxUploadSize``. English keeps Streamlit's own words. The text
shown while a file is dragged over the zone has no hook and stays English.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.i18n import DEFAULT_LANGUAGE, current_language, number, translate

_SAFE = frozenset(" .,:;•–-()%")


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: anything but letters, digits and plain
    punctuation written as a CSS escape, so no text can end the string or the style."""
    return '"' + "".join(c if c.isalnum() or c in _SAFE else f"\\{ord(c):x} " for c in text) + '"'


def upload_limit_mb() -> int:
    """The largest file Streamlit accepts, in MB (``server.maxUploadSize``)."""
    return int(st.get_option("server.maxUploadSize"))


def dropzone_texts(types: Sequence[str], language: str) -> dict[str, str]:
    """The uploader's button and its limit line in ``language``."""
    size = translate(
        "upload.dropzone.size", language, mb=number(upload_limit_mb(), language=language)
    )
    return {
        "button": translate("upload.dropzone.button", language),
        "limit": translate(
            "upload.dropzone.limit",
            language,
            size=size,
            types=", ".join(kind.upper() for kind in types),
        ),
    }


def dropzone_css(key: str, types: Sequence[str], language: str) -> str:
    """The style that replaces the uploader ``key``'s English texts (empty in English)."""
    if language == DEFAULT_LANGUAGE:
        return ""
    texts = dropzone_texts(types, language)
    zone = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    return (
        "<style>"
        # The texts are hidden (font-size 0) and drawn again by ::after, which keeps
        # the element's colour and place.
        f"{zone} button [data-testid='stMarkdownContainer'] p,"
        f"{zone} [data-testid='stFileUploaderDropzoneInstructions'] span"
        "{font-size:0}"
        f"{zone} button [data-testid='stMarkdownContainer'] p::after"
        f"{{content:{css_string(texts['button'])};font-size:0.875rem}}"
        f"{zone} [data-testid='stFileUploaderDropzoneInstructions'] span::after"
        f"{{content:{css_string(texts['limit'])};font-size:0.875rem}}"
        "</style>"
    )


def translate_dropzone(key: str, types: Sequence[str]) -> None:
    """Word the drop zone of the uploader ``key`` in the session's language."""
    language = current_language()
    if language != DEFAULT_LANGUAGE:
        st.html(dropzone_css(key, types, language))


__all__ = ["css_string", "dropzone_css", "dropzone_texts", "translate_dropzone", "upload_limit_mb"]
