"""The JSON API (django-ninja): the NinjaAPI instance, its authentication and its error answers.

Core is the lowest layer, so the routers of the apps are mounted by `reintegra.reports.api_root`,
which also tells `token_auth` how a bearer token becomes a user (the accounts layer knows).

Every error answers `{"detail": "human-readable message", "code": "machine_code"}` (DESIGN §10):
422 for invalid input (never a 500), 401 without credentials, 403 for a forbidden action on a
visible object, 404 for a missing or out-of-scope object, 409 for a stale version or a conflict.
"""

from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.session import SessionAuth
from pydantic import AfterValidator, Field

from reintegra.core.errors import ServiceError

# The largest primary key a database holds (signed 64 bits): larger ids are invalid input,
# not a database error.
MAX_ID = 2**63 - 1


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL characters in text: refuse them here as invalid input.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


# Text from clients: no NUL characters. Give each field its `max_length` with Field().
Text = Annotated[str, AfterValidator(_no_nul)]
# An object id in a body or a query.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# An object id in the URL: `/people/{person_id}` with `person_id: PathId`.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class Ref(Schema):
    """A reference to another object: its id and display name."""

    id: int
    name: str


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


# The error answers every authenticated operation may give, for the OpenAPI schema.
ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`. `resolve` turns a raw token into an active user or None;
    the accounts layer sets it when the API is assembled (until then no token is accepted)."""

    def __init__(self) -> None:
        super().__init__()
        self.resolve: Callable[[str], Any] | None = None

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if self.resolve is None or not token or len(token) > 200:
            return None
        user = self.resolve(token)
        if user is None:
            return None
        # Handlers and services read request.user whichever way the caller signed in.
        request.user = user
        return user


class CookieSessionAuth(SessionAuth):
    """The pages' session cookie; unsafe methods need the CSRF token (checked by ninja)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


token_auth = TokenAuth()
session_auth: APIKeyCookie = CookieSessionAuth()

api = NinjaAPI(
    title="Reintegra API",
    version="1",
    description="Case management for return and reintegration programmes. "
    "Authenticate with `POST /api/token` and `Authorization: Bearer <token>`, "
    "or with the session cookie of the pages (CSRF token required for writes).",
    urls_namespace="api",
    auth=[token_auth, session_auth],
    # The Swagger page would load its scripts from a CDN: the schema is enough.
    docs_url=None,
)


def error_response(
    request: HttpRequest,
    status: int,
    detail: str,
    code: str,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail, "code": code}
    body.update({k: v for k, v in extra.items() if v is not None})
    return api.create_response(request, body, status=status)


def _location(loc: Any) -> list[str | int]:
    # ninja prefixes the source ("body", "query", "path") and the body parameter's name.
    parts = [p for p in loc if isinstance(p, (str, int))]
    if parts and parts[0] == "body" and len(parts) > 1:
        parts = parts[:1] + parts[2:]
    return parts


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = []
    for error in exc.errors:
        loc = _location(error.get("loc", ()))
        errors.append({"loc": loc, "msg": str(error.get("msg", "")), "type": error.get("type")})
    detail = _("The request is not valid.")
    field = None
    if errors:
        loc, msg = errors[0]["loc"], errors[0]["msg"]
        # loc[0] is where the value came from (body, query, path); the rest names the field.
        if len(loc) > 1 and isinstance(loc[-1], str):
            field = loc[-1]
        where = ".".join(str(part) for part in loc[1:])
        detail = f"{detail} {where}: {msg}" if where else f"{detail} {msg}"
    return error_response(request, 422, detail, "invalid", field=field, errors=errors)


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return error_response(
        request, exc.status, exc.message, exc.code, field=exc.field, errors=exc.errors
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 404, _("Not found."), "not_found")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 403, _("You are not allowed to do this."), "forbidden")


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 401, _("Authentication required."), "not_authenticated")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # ninja answers 400 when the body is not JSON: that is invalid input, 422.
        return error_response(request, 422, _("The request body is not valid JSON."), "malformed")
    if exc.status_code == 403 and "CSRF" in str(exc):
        return error_response(request, 403, _("CSRF check failed."), "csrf_failed")
    if exc.status_code == 429:
        return error_response(request, 429, _("Too many requests. Try again later."), "throttled")
    return error_response(request, exc.status_code, str(exc), f"http_{exc.status_code}")
