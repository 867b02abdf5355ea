from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "reintegra.privacy"
    verbose_name = "Privacy"
