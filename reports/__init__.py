"""Printable outputs: the plotly figures shared by pages and the briefing, chart images drawn
offline, the briefing's content and its PDF. API: figures, chart_png, content, briefing."""
