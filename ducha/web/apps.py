from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ducha.web"
    label = "web"
