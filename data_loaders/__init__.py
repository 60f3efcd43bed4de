"""A file becomes contract rows: readers (one per format), normalise, mapping, staging, ingest,
series files, templates and the demo. API: ingest.ingest_file, readers.read_table, demo."""
