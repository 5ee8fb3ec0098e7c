"""Quartiles and fences exactly as Cardinal computes them: statrs 0.16's `Data::quantile`,
Hyndman–Fan type 8 (median-unbiased), with its float operations in the same order so that
a value on a fence falls on the same side. Comparisons with a fence are inclusive; the
guards (which indicator does nothing when) live with the indicators in cardinal.py."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

THIRD = 1.0 / 3.0


def quantile(ordered: Sequence[float], tau: float) -> float:
    """Type 8 quantile of values sorted ascending; NaN when there are none (statrs's answer,
    which every comparison then fails)."""
    n = len(ordered)
    if n == 0 or not 0.0 <= tau <= 1.0:
        return math.nan
    h = (n + THIRD) * tau + THIRD
    k = int(h)  # truncation, as Rust's `h as i64`
    if k <= 0 or tau == 0.0:
        return float(ordered[0])
    if k >= n or tau == 1.0:
        return float(ordered[n - 1])
    a, b = float(ordered[k - 1]), float(ordered[k])
    return a + (h - k) * (b - a)


def percentile(ordered: Sequence[float], p: int) -> float:
    return quantile(ordered, p / 100.0)


@dataclass(frozen=True)
class Fences:
    q1: float
    q3: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def lower(self) -> float:
        return self.q1 - 1.5 * self.iqr

    @property
    def upper(self) -> float:
        return self.q3 + 1.5 * self.iqr


def fences(ordered: Sequence[float]) -> Fences:
    return Fences(quantile(ordered, 0.25), quantile(ordered, 0.75))
