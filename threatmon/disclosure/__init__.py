"""What may leave the store: the marking, small-count suppression, viewers' sensitive tables and
exports. API: marking.marking_text, suppression.suppress_table, sensitive, export.to_csv_bytes."""
