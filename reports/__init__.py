"""Printable outputs: chart images and the PDF briefing, drawn offline."""
