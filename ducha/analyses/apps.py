from django.apps import AppConfig


class AnalysesConfig(AppConfig):
    """Analysis runs and their findings: the Django side of ducha/analytics."""

    name = "ducha.analyses"
    label = "analyses"

    def ready(self) -> None:
        # Sampling (ledger) weights by red flags; the ledger may not import this app.
        from ducha.analyses.redflag_weights import flags_per_project
        from ducha.ledger.flag_weights import register_flag_counter

        register_flag_counter(flags_per_project)
