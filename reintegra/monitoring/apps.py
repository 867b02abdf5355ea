from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "reintegra.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from reintegra.cases.services import STAGE_HOOKS
        from reintegra.instruments.services import SUBMIT_HOOKS
        from reintegra.monitoring.consent import (
            schedule_with_consent,
            visits_cancel_on_withdrawal,
        )
        from reintegra.monitoring.services import complete_on_submit
        from reintegra.people.hooks import WITHDRAWAL_HOOKS

        # The schedule skips people who withdrew their monitoring consent.
        if schedule_with_consent not in STAGE_HOOKS:
            STAGE_HOOKS.append(schedule_with_consent)
        if complete_on_submit not in SUBMIT_HOOKS:
            SUBMIT_HOOKS.append(complete_on_submit)
        if visits_cancel_on_withdrawal not in WITHDRAWAL_HOOKS:
            WITHDRAWAL_HOOKS.append(visits_cancel_on_withdrawal)
