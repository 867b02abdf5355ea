from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "reintegra.outreach"
    verbose_name = "Outreach"
