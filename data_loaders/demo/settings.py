"""What a demo is generated from: its settings, its calendar and its seeded random streams.

Nothing here is real. The generator imitates the shape of the 2022 displacement from
Ukraine and of police-recorded crime in the project's countries closely enough that
every page (trends, hotspot maps, forecasts, early warning) finds something true, and
it returns what it planted so that tests and pages can check it is found.
``docs/demo-data.md`` lists every assumption.

Structure (region effects, reporting practice, month-to-month noise) depends only on
the seed; ``scale`` multiplies the expected counts, so a small demo has the shape of a
big one. Everything is vectorised numpy: ten million rows take seconds.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np

DEMO_START = date(2021, 1, 1)
DEMO_END = date(2026, 10, 31)
WAR_START = date(2022, 2, 24)
MAX_SCALE = 100
ROWS_AT_SCALE_1 = 500_000


@dataclass(frozen=True)
class DemoSettings:
    """What to generate: the random seed and the size relative to the default.

    Parameters
    ----------
    seed : int
        Same seed, same data (bit for bit). At least 0.
    scale : float
        Multiplies the expected number of incident rows (1.0 gives about 500 000);
        greater than 0 and at most 100. Flows are real-world magnitudes and do not scale.
    """

    seed: int = 20260224
    scale: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer):
            raise TypeError(f"`seed` must be an integer. Got {self.seed!r}.")
        if self.seed < 0:
            raise ValueError(f"`seed` must be 0 or greater. Got {self.seed!r}.")
        if isinstance(self.scale, bool) or not isinstance(self.scale, int | float | np.number):
            raise TypeError(f"`scale` must be a number. Got {self.scale!r}.")
        if not math.isfinite(self.scale):
            raise ValueError(f"`scale` must be a finite number. Got {self.scale!r}.")
        if self.scale <= 0:
            raise ValueError(f"`scale` must be greater than 0. Got {self.scale!r}.")
        if self.scale > MAX_SCALE:
            raise ValueError(f"`scale` must be at most {MAX_SCALE}. Got {self.scale!r}.")


def rng(settings: DemoSettings, stream: str) -> np.random.Generator:
    # One independent stream per purpose: adding draws to one never shifts another, and the
    # structural streams ignore `scale`, which keeps the shape identical at every scale.
    return np.random.default_rng([int(settings.seed), zlib.crc32(stream.encode())])


def demo_months() -> np.ndarray:
    return np.arange(np.datetime64(DEMO_START, "M"), np.datetime64(DEMO_END, "M") + 1)


def month_index(month: str) -> int:
    return int((np.datetime64(month, "M") - np.datetime64(DEMO_START, "M")).astype(int))
