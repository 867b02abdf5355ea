from typing import Any

from django.http import HttpRequest

from reintegra.instruments.permissions import can_view_instruments


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Whether the main menu offers the instruments (evaluated only when a template asks)."""
    user = getattr(request, "user", None)

    def shown() -> bool:
        return bool(user is not None and user.is_authenticated and can_view_instruments(user))

    return {"show_instruments": shown}
