"""The store: one interface over DuckDB and PostgreSQL, with its schema, queries, writes
and audit log."""
