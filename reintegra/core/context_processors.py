from django.conf import settings
from django.http import HttpRequest


def reintegra(request: HttpRequest) -> dict[str, object]:
    return {"DEMO_MODE": settings.DEMO_MODE}
