"""A category of a national table that has no crime type, refused (or skipped) as a whole."""

from __future__ import annotations

from dataclasses import dataclass

from threatmon.errors import Problem

#: A refused category lists this many of its lines, then how many more.
LINES_LISTED = 10


@dataclass(frozen=True)
class OutOfScope:
    """The rows of one category that has no crime type (``ICCS0101 Intentional homicide``)."""

    category: str
    reason: str
    first_line: int
    first_value: str
    lines: tuple[int, ...]  # the first LINES_LISTED
    rows: int
    count: int

    def problem(self) -> Problem:
        """The refusal of the whole category, on its first line."""
        shown = ", ".join(str(line) for line in self.lines)
        if self.rows > len(self.lines):
            shown += f" and {self.rows - len(self.lines):,} more"
        where = f"line {shown}" if self.rows == 1 else f"lines {shown}"
        return Problem(
            self.first_line,
            "crime_type",
            self.first_value,
            f"{self.category} ({where}): {self.reason}; use --skip-out-of-scope to load the rest.",
        )
