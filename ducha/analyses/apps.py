from django.apps import AppConfig


class AnalysesConfig(AppConfig):
    """Analysis runs and their findings: the Django side of ducha/analytics."""

    name = "ducha.analyses"
    label = "analyses"
