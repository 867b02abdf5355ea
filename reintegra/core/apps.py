from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "reintegra.core"
    label = "core"

    def ready(self) -> None:
        from reintegra.core import checks  # noqa: F401  (registers the deploy checks)
