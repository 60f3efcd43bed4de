"""The sentences of a load's summary about rows that are not loaded as they are: parts
added into one figure, rows of earlier loads replaced, categories skipped, and figures
the file says were not reported."""

from __future__ import annotations


def parts_text(parts: int, *, future: bool = False) -> str:
    """The sentence that reports rows added into others of the same figure, with a leading
    space; "" for none."""
    if not parts:
        return ""
    verb = ("is" if parts == 1 else "are") if future else ("was" if parts == 1 else "were")
    noun = "row" if parts == 1 else "rows"
    return (
        f" {parts:,} {noun} {verb} added into another row of the same crime type, place and "
        "period (categories that share a crime type are parts of one figure)."
    )


def replaced_text(replaced, *, future: bool = False) -> str:
    """The sentence that reports the rows a load superseded (``future``: would supersede,
    in a dry run), with a leading space; "" for none. ``replaced`` is the result's list of
    ``{"batch_id": n, "rows": n}``."""
    if not replaced:
        return ""
    rows = sum(item["rows"] for item in replaced)
    parts = ", ".join(
        f"batch {item['batch_id']} ({item['rows']:,} {'row' if item['rows'] == 1 else 'rows'})"
        for item in replaced
    )
    noun = "row" if rows == 1 else "rows"
    if future:
        return (
            f" Would replace {rows:,} {noun} of earlier loads, kept until the new batch is "
            f"undone: {parts}."
        )
    return f" Replaced {rows:,} {noun} of earlier loads, kept until this batch is undone: {parts}."


def skipped_text(skipped) -> str:
    """The sentence that reports skipped categories, with a leading space; "" for none.

    ``skipped`` is a list of :class:`~data_loaders.out_of_scope.OutOfScope` or the result's
    ``skipped`` mapping.
    """
    if isinstance(skipped, dict):
        items = [(name, n["rows"], n["count"]) for name, n in skipped.items()]
    else:
        items = [(c.category, c.rows, c.count) for c in skipped]
    if not items:
        return ""
    rows = sum(n for _, n, _ in items)
    parts = "; ".join(
        f"{name} ({n:,} {'row' if n == 1 else 'rows'}, count {total:,})" for name, n, total in items
    )
    noun = "row" if rows == 1 else "rows"
    return f" Skipped {rows:,} {noun} in categories without a crime type: {parts}."


def not_reported_text(rows: int, *, future: bool = False) -> str:
    """The sentence that reports figures whose value says "not reported" (an empty cell,
    ``:``, ``..``, ``n/a``…), with a leading space; "" for none."""
    if not rows:
        return ""
    noun = "row" if rows == 1 else "rows"
    verb = ("is" if rows == 1 else "are") if future else ("was" if rows == 1 else "were")
    return (
        f" {rows:,} {noun} {'gives' if rows == 1 else 'give'} no value (not reported) and "
        f"{verb} left out: those places and periods are no data, not 0."
    )
