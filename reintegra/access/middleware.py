"""Coordinators and the system administrator must set up MFA before working (outside demo mode)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


class RequireMfaMiddleware:
    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/token")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_enrol(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _("Set up multi-factor authentication first."),
                        "code": "mfa_setup_required",
                    },
                    status=403,
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_enrol(self, request: HttpRequest) -> bool:
        if settings.DEMO_MODE or not request.user.is_authenticated:
            return False
        if request.path.startswith(self.EXEMPT_PREFIXES):
            return False
        from allauth.mfa.models import Authenticator

        from reintegra.access.principal import principal

        if not principal(request.user).has_role(*settings.MFA_REQUIRED_ROLES):
            return False
        return not Authenticator.objects.filter(
            user=request.user, type=Authenticator.Type.TOTP
        ).exists()
