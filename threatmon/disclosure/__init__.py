"""What may leave the store: the marking, small-count suppression, viewers' sensitive tables and
exports. API: marking.marking_text, suppression.suppress_table, scopes.scope_tables (one
pattern cut to each reader's countries), sensitive, export.to_csv_bytes."""
