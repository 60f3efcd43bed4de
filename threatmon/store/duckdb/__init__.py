"""The store in a DuckDB file, the embedded default: its reader (:mod:`.reader`, read-only,
reopened when replaced) and its write session (:mod:`.writer`, a changed copy renamed over
the file)."""

from threatmon.store.duckdb.reader import FileReader
from threatmon.store.duckdb.writer import Transaction, interrupted_writes, write_session

__all__ = ["FileReader", "Transaction", "interrupted_writes", "write_session"]
