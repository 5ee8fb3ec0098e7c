from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ducha.web"
    label = "web"

    def ready(self):
        from ducha.web import lockout  # noqa: F401  (connects the lockout log)
