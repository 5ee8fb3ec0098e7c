from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "ducha.core"
    label = "core"

    def ready(self) -> None:
        from ducha.analytics import duck
        from ducha.core.planner import use_sqlite_parameter_limit

        # Every analytics DuckDB is held to the server's settings, read when it opens.
        duck.use_limits(_analytics_limits)

        connection_created.connect(use_sqlite_parameter_limit, dispatch_uid="ducha-sqlite-parameter-limit")


def _analytics_limits():
    from ducha.analytics.duck import Limits

    return Limits(settings.ANALYTICS_MEMORY_LIMIT, str(settings.ANALYTICS_SPILL_DIR))
