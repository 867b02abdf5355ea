from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "reintegra.outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        from reintegra.outreach.consent import deliveries_cancel_on_withdrawal
        from reintegra.people.hooks import WITHDRAWAL_HOOKS

        if deliveries_cancel_on_withdrawal not in WITHDRAWAL_HOOKS:
            WITHDRAWAL_HOOKS.append(deliveries_cancel_on_withdrawal)
