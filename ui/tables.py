"""Numbers in a table written as the session's language writes them.

Streamlit's column formats are printf patterns with English separators: a Romanian page
that writes "1.234,5" in every sentence showed "1,234.5" in its tables. A table's
numbers are given to the grid as the display texts of a pandas Styler, made by
:func:`ui.i18n.number`, so the grid shows "1.234,5" (Romanian) or "1 234,5" (Ukrainian)
and still sorts by the numbers. A column format in ``column_config`` would override the
Styler's text, so the columns given here must carry none (labels and help stay there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from pandas.io.formats.style import Styler

from ui.i18n import number


@dataclass(frozen=True)
class Digits:
    """How a column's numbers are written: ``decimals``, a "+" on rises (``sign``), and
    ``suffix`` after the number; ``scale`` multiplies first (a share 0.62 as "62 %")."""

    decimals: int = 0
    sign: bool = False
    suffix: str = ""
    scale: float = 1.0
    #: False for identifiers (batch 1204, not "1.204").
    grouped: bool = True

    def text(self, value, language: str | None = None) -> str:
        """``value`` written in ``language`` (the session's by default); "" when missing."""
        if pd.isna(value):
            return ""
        if not self.grouped:
            return f"{int(value)}{self.suffix}"
        shown = number(float(value) * self.scale, self.decimals, self.sign, language)
        return shown + self.suffix


#: Whole counts: "1.234" in Romanian.
COUNT = Digits()
#: Identifiers: digits only.
IDENTIFIER = Digits(grouped=False)
#: A share written as a percentage: 0.625 → "63 %" (Streamlit's ``format="percent"``).
SHARE = Digits(suffix=" %", scale=100.0)


def in_language(
    frame: pd.DataFrame, digits: Mapping[str, Digits], language: str | None = None
) -> Styler:
    """``frame`` for ``st.dataframe`` with each numeric column written per ``digits``.

    Every numeric column of ``frame`` needs its :class:`Digits`: one left out would be
    shown with six decimals by the Styler. Columns named in ``digits`` that ``frame``
    lacks are ignored (a table shows some of its columns only in some views).
    """
    numeric = [
        column
        for column in frame.columns
        if pd.api.types.is_numeric_dtype(frame[column])
        and not pd.api.types.is_bool_dtype(frame[column])
    ]
    missing = [column for column in numeric if column not in digits]
    if missing:
        raise ValueError(f"No digits given for the numeric columns {missing}.")
    formatters = {
        column: (lambda value, spec=spec: spec.text(value, language))
        for column, spec in digits.items()
        if column in frame.columns
    }
    return frame.style.format(formatters, na_rep="")
