"""A request id on every response and every log line, so support can trace without personal data."""

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-Id", "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-Id"] = request_id
        return response


class PrivatePagesMiddleware:
    """Pages shown to a signed-in user may hold personal data: browsers must not store them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


# Paths that carry a secret (a provider's referral link, /r/<token>/): logs show them without it.
SECRET_PATH = re.compile(r"/r/[A-Za-z0-9_-]{16,}")


def _redact(value: Any) -> Any:
    return SECRET_PATH.sub("/r/[link]", value) if isinstance(value, str) else value


class SecretPathLogFilter(logging.Filter):
    """Log lines never carry a secret link: Django logs the path of every 4xx/5xx answer
    ("Not Found: /r/…"), and the development server every request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(a) for a in record.args)
        return True


class ServiceErrorMiddleware:
    """A service refusal that escapes a view becomes a clear 403/409/422 page, never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from reintegra.core.errors import ServiceError

        if not isinstance(exception, ServiceError):
            return None
        template = "403.html" if exception.status == 403 else "error.html"
        return render(request, template, {"message": exception.message}, status=exception.status)
