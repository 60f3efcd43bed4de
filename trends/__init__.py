"""Change over time: period comparisons, change levels and the overview's summaries."""
