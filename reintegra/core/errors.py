"""Errors raised by services; views and the API turn them into messages / 4xx answers."""


class ServiceError(Exception):
    """A request the service refuses. `code` is machine-readable, the message human-readable."""

    code = "invalid"
    status = 422

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field


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
