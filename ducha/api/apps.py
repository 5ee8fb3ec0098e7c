from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ducha.api"
    label = "api"
    verbose_name = "REST API"
