"""Analysis without Streamlit: period comparisons, change levels and figure builders.

``trends`` holds the pure DataFrame functions behind the overview page, ``charts`` the
plotly figure builders. Nothing in this package imports Streamlit (tests enforce it).
"""

__all__ = ["charts", "trends"]
