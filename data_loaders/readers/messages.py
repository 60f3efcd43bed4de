"""Pieces of the readers' messages: sizes, plurals, delimiters and DuckDB's errors in words."""

from __future__ import annotations

from data_loaders.readers.limits import MB

MAX_REPORTED = 100  # problems listed per error; DuckDB stops collecting rejects there too


def human_size(n: int) -> str:
    for unit, scale in (("MB", MB), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def delimiter_name(delimiter: str) -> str:
    return {"\t": "tabs", ",": "commas", ";": "semicolons", "|": "pipes"}[delimiter]


def first_line(exc: BaseException) -> str:
    text = str(exc).split("\n", 1)[0].strip()
    return text.split("Error: ", 1)[-1] if "Error: " in text else text
