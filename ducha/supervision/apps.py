from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "ducha.supervision"
    label = "supervision"

    def ready(self) -> None:
        from ducha.supervision.ledgers import register_ledgers

        register_ledgers()
