"""What a reader with a country scope or withheld crime types sees of the bookkeeping
tables: the views both backends create over ``batches`` and ``audit``.

A load is visible when it holds rows (or declares coverage) the reader may see, and its
rows and dates are counted over those rows only: a Moldova-scoped analyst sees how many
Moldovan rows a mixed load of Moldova and Ukraine holds, not the whole load's count,
which would tell the size of Ukraine's share.
"""

from __future__ import annotations

# The reader's views of the row tables (scoped and without withheld types) have the
# tables' names, so these subqueries see only the rows the reader may see.
_VISIBLE = (
    "SELECT batch_id FROM incidents UNION SELECT batch_id FROM incidents_superseded "
    "UNION SELECT batch_id FROM flows UNION SELECT batch_id FROM flows_superseded "
    "UNION SELECT batch_id FROM coverage_declared"
)
# Superseded rows were loaded by their batch too.
_ROWS = (
    "SELECT batch_id, date, period_end AS last FROM incidents "
    "UNION ALL SELECT batch_id, date, period_end FROM incidents_superseded "
    "UNION ALL SELECT batch_id, date, date FROM flows "
    "UNION ALL SELECT batch_id, date, date FROM flows_superseded"
)


def batches_view(source: str) -> str:
    """SELECT of the batches a restricted reader sees, from ``source``'s table (a schema
    or catalogue prefix such as ``public``), their counts and dates in its scope."""
    return (
        "SELECT b.batch_id, b.kind, b.file_name, b.sha256, b.user_name, b.loaded_at, "
        "coalesce(n.rows, 0) AS rows_in_file, coalesce(n.rows, 0) AS rows_loaded, "
        "n.first AS first_date, n.last AS last_date, b.status, b.undone_at, b.undone_by "
        f"FROM {source}.batches b LEFT JOIN (SELECT batch_id, count(*) AS rows, "
        f"min(date) AS first, max(last) AS last FROM ({_ROWS}) r GROUP BY batch_id) n "
        f"ON n.batch_id = b.batch_id WHERE b.batch_id IN ({_VISIBLE})"
    )


def audit_view(source: str) -> str:
    """SELECT of the audit entries a restricted reader sees: those about no load, and
    those about a load it sees. A load entry's details keep the whole file's counts (the
    Audit page is for administrators; docs/security.md notes it)."""
    return (
        f"SELECT * FROM {source}.audit WHERE target IS NULL OR target NOT LIKE 'batch:%' "
        f"OR target IN (SELECT 'batch:' || batch_id FROM ({_VISIBLE}) v)"
    )
