from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ducha.ledger"
    label = "ledger"

    def ready(self) -> None:
        from ducha.ledger.ledgers import register_ledgers

        register_ledgers()
