"""Labels wrap instead of being cut: one style for every page, in every language.

Streamlit cuts a widget label, a metric's label or delta note, a multiselect choice or
a button's text with an ellipsis when it does not fit its column on one line. Romanian
and Ukrainian labels are often a third longer than English ones, and at 1366 px wide a
metric in a row of four, or a toggle in a narrow column, showed "Незаконний обіг
нарко…" or "Mod …". These texts wrap onto a second line instead (a long word breaks
only when it cannot fit alone); ``tests/pages/test_fit_browser.py`` checks every page in
every language at 1366×768.
"""

from __future__ import annotations

import streamlit as st

#: Where Streamlit puts the texts that it would otherwise cut.
WRAPPED = (
    "[data-testid='stWidgetLabel'] p",
    "[data-testid='stMetricLabel'] p",
    "[data-testid='stMetricLabel'] div",
    "[data-testid='stMetricDelta'] div",
    "[data-testid='stMetric'] [data-testid='stCaptionContainer']",
    "[data-testid='stMetric'] [data-testid='stCaptionContainer'] *",
    "[data-testid='stMultiSelect'] [data-tag] > span",
    "[data-testid='stButton'] button p",
    "[data-testid='stDownloadButton'] button p",
)

FIT_CSS = (
    "<style>" + ",".join(WRAPPED) + "{white-space:normal !important;overflow:visible !important;"
    "text-overflow:clip !important;overflow-wrap:break-word;max-width:none !important;"
    "height:auto !important}"
    # A chosen option of a multiselect keeps to the box's width, on several lines, and the
    # box grows to hold them (Streamlit fixes it at one line and hides the rest).
    "[data-testid='stMultiSelectTagsContainer']{flex-wrap:wrap}"
    "[data-testid='stMultiSelectTagsContainer'],"
    "[data-testid='stMultiSelect'] div:has(> [data-testid='stMultiSelectTagsContainer']),"
    "[data-testid='stMultiSelect'] .react-aria-ComboBox"
    "{height:auto !important;max-height:none !important;overflow-y:visible !important}"
    "[data-testid='stMultiSelect'] [data-tag]{max-width:100%;height:auto}"
    # A metric's delta note goes under the delta when both do not fit on one line.
    "[data-testid='stMetric'] div:has(> [data-testid='stMetricDeltaDescription'])"
    "{flex-wrap:wrap}"
    "</style>"
)


def fit_labels() -> None:
    """Add the style to the page (once per run; it takes no space)."""
    st.html(FIT_CSS)


__all__ = ["FIT_CSS", "WRAPPED", "fit_labels"]
