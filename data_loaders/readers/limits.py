"""What an upload may cost before it is refused: the limits every read checks first."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """What an upload may cost before it is refused, checked when built.

    Parameters
    ----------
    max_bytes : int
        Largest file accepted, in bytes (default 100 MB).
    max_uncompressed_bytes : int
        XLSX only: largest sum of the ZIP members' uncompressed sizes (default 500 MB).
    max_compression_ratio : float
        XLSX only: a member compressed more than this (uncompressed / compressed) is
        refused as a possible zip bomb (default 100). Members under 1 MB are exempt:
        small XML parts compress very well and cannot be bombs.
    """

    max_bytes: int = 100 * MB
    max_uncompressed_bytes: int = 500 * MB
    max_compression_ratio: float = 100.0

    def __post_init__(self) -> None:
        for field in ("max_bytes", "max_uncompressed_bytes", "max_compression_ratio"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"`{field}` must be greater than 0. Got {value!r}.")
