"""Dashboard-side helpers: the one caching module, global filters and error messages.

Only this package (with ``dashboard.py`` and ``pages/``) imports Streamlit; the
analysis lives in ``data_loaders/`` and ``forecasting/``.
"""

__all__ = ["data", "filters", "messages"]
