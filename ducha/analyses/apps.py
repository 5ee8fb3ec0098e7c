from django.apps import AppConfig
from django.conf import settings


class AnalysesConfig(AppConfig):
    """Analysis runs and their findings: the Django side of ducha/analytics."""

    name = "ducha.analyses"
    label = "analyses"

    def ready(self) -> None:
        # Sampling (ledger) weights by red flags; the ledger may not import this app.
        from ducha.analyses.redflag_weights import flags_per_project
        from ducha.ledger.flag_weights import register_flag_counter

        register_flag_counter(flags_per_project)

        # Every analytics DuckDB (the comparison's, sampling's, the red flags') is held to the
        # server's settings, read when it opens. Here, not in core: core sits below analytics.
        from ducha.analytics import duck

        duck.use_limits(_analytics_limits)


def _analytics_limits():
    from ducha.analytics.duck import Limits

    return Limits(settings.ANALYTICS_MEMORY_LIMIT, str(settings.ANALYTICS_SPILL_DIR))
