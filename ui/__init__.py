"""Dashboard-side helpers: the one caching module, global filters, error messages and the
one translation layer (``ui.i18n``, catalogues in ``threatmon/locales/``).

Only this package (with ``dashboard.py`` and ``pages/``) imports Streamlit; the
analysis lives in ``data_loaders/`` and ``forecasting/``.
"""

__all__ = ["data", "filters", "i18n", "messages"]
