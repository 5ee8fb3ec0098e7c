from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "ducha.core"
    label = "core"

    def ready(self) -> None:
        from ducha.core.planner import use_sqlite_parameter_limit

        connection_created.connect(use_sqlite_parameter_limit, dispatch_uid="ducha-sqlite-parameter-limit")
