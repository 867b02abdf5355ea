from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "reintegra.community"
    verbose_name = "Community"
