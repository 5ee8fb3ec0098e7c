from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ducha.ledger"
    label = "ledger"
