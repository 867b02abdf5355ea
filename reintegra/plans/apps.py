from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "reintegra.plans"
    verbose_name = "Plans"
