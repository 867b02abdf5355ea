from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reintegra.reports"
    label = "reports"
