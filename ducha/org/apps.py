from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "ducha.org"
    label = "org"
