"""A draw's rule: what the sampling models and forms need without loading DuckDB and
Arrow (every command imports the models; the engine is in sampling.py)."""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Weighting(StrEnum):
    NONE = "none"  # every record of a stratum alike
    AMOUNT = "amount"  # in proportion to the amount (none or below 1 yuan: 1)
    FLAGS = "flags"  # in proportion to 1 + the red flags raised


@dataclass(frozen=True)
class SamplingRule:
    proportion: Decimal  # 0 < proportion ≤ 1
    minimum: int  # per unit, ≥ 0
    seed: str
    weighting: Weighting = Weighting.NONE

    def __post_init__(self) -> None:
        if not Decimal(0) < self.proportion <= Decimal(1):
            raise ValueError(f"proportion must be above 0 and at most 1, not {self.proportion}")
        if self.minimum < 0:
            raise ValueError(f"minimum must not be negative, not {self.minimum}")
        if not self.seed:
            raise ValueError("a draw needs a seed")
