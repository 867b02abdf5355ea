from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "reintegra.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from reintegra.cases.services import STAGE_HOOKS
        from reintegra.instruments.services import SUBMIT_HOOKS
        from reintegra.monitoring.services import complete_on_submit, schedule_on_stage_change

        if schedule_on_stage_change not in STAGE_HOOKS:
            STAGE_HOOKS.append(schedule_on_stage_change)
        if complete_on_submit not in SUBMIT_HOOKS:
            SUBMIT_HOOKS.append(complete_on_submit)
