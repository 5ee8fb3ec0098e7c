"""The supervision app's ledgers, one module per area, registered when the app is ready."""

from ducha.core.registry import register
from ducha.supervision.ledgers import complaints, letters, rounds, weekly


def register_ledgers() -> None:
    register(*weekly.LEDGERS, *rounds.LEDGERS, *letters.LEDGERS, *complaints.LEDGERS)
