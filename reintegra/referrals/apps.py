from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "reintegra.referrals"
    verbose_name = "Referrals"
