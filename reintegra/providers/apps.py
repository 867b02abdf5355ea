from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "reintegra.providers"
    label = "providers"
