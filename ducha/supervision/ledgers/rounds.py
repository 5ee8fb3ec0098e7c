"""The rounds ledgers of the supervision app (see ducha/ledger/ledgers.py for the pattern)."""

from ducha.core.registry import Ledger

LEDGERS: list[Ledger] = []
