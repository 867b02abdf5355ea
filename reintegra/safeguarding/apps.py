from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "reintegra.safeguarding"
    verbose_name = "Safeguarding"
