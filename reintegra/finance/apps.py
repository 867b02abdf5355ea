from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "reintegra.finance"
    verbose_name = "Finance"
