from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ducha.demo"
    label = "demo"
