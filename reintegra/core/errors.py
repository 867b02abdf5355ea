"""Errors raised by services; views and the API turn them into messages / 4xx answers."""

from typing import Any


class ServiceError(Exception):
    """A request the service refuses. `code` is machine-readable, the message human-readable."""

    code = "invalid"
    status = 422

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field
        # Several problems at once (a form's fields, an upload's rows): {"loc": [...], "msg": ...}
        self.errors = errors


class ValidationFailed(ServiceError):
    code = "invalid"
    status = 422


class StaleVersion(ServiceError):
    code = "stale_version"
    status = 409


class Conflict(ServiceError):
    code = "conflict"
    status = 409


class NotAllowed(ServiceError):
    """The user may see the object but not do this to it."""

    code = "forbidden"
    status = 403
