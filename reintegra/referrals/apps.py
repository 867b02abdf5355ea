from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "reintegra.referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from reintegra.instruments.services import SUBMIT_HOOKS
        from reintegra.referrals.services import refer_on_flag

        if refer_on_flag not in SUBMIT_HOOKS:
            SUBMIT_HOOKS.append(refer_on_flag)
