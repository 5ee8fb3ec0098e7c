from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ducha.reports"
    label = "reports"
