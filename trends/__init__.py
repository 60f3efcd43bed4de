"""Change over time: change levels, the overview's KPIs and summaries, and rates.

* :mod:`trends.changes`: percentage changes, the binomial test and the change levels.
* :mod:`trends.overview`: period totals, KPIs, top movers and the overview's summary.
* :mod:`trends.rates`: counts per 100,000 inhabitants, raw or smoothed (empirical Bayes).
* :mod:`trends.summary`: the overview in words: which changes are more than chance, and
  the clearest rises and falls as messages.

The calendar arithmetic they rest on (months, windows, the default period) is
:mod:`threatmon.periods`; the thresholds are :mod:`threatmon.rules`.
"""

from trends.changes import (
    FLAG_LOW_COUNTS,
    FLAG_NOT_SIGNIFICANT,
    LEVEL_RANK,
    LEVELS,
    NO_DATA,
    binomial_p_values,
    change_levels,
    percent_change,
)
from trends.overview import (
    compare_windows,
    kpi_comparison,
    label_changes,
    overview_summary,
    store_overview,
    top_movers,
    window_totals,
)
from trends.rates import empirical_bayes_rates, rates_per_100k

__all__ = [
    "FLAG_LOW_COUNTS",
    "FLAG_NOT_SIGNIFICANT",
    "LEVELS",
    "NO_DATA",
    "LEVEL_RANK",
    "binomial_p_values",
    "change_levels",
    "compare_windows",
    "empirical_bayes_rates",
    "kpi_comparison",
    "label_changes",
    "overview_summary",
    "percent_change",
    "rates_per_100k",
    "store_overview",
    "top_movers",
    "window_totals",
]
