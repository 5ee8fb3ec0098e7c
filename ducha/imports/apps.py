from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "ducha.imports"
    label = "imports"
