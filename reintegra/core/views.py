"""Error pages and small helpers shared by every app's views."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from reintegra.core.errors import NotAllowed, ServiceError


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the error may come from a context processor. The request id (also in
    # the X-Request-Id header and the log line) lets support find the error without a traceback.
    from reintegra.core.middleware import current_request_id

    context = {"request_id": current_request_id()}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)


def add_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Show a service's refusal next to the field it names (or at the top of the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def form_errors(form: forms.BaseForm) -> str:
    """A form's errors as one message."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def run_service(request: HttpRequest, fn: Any, success: str, **kwargs: Any) -> Any:
    """Call a service as the user; its refusal becomes an error message on the next page
    (NotAllowed still answers 403). Returns the result, or None when refused."""
    try:
        result = fn(actor=request.user, **kwargs)
    except NotAllowed:
        raise
    except ServiceError as err:
        messages.error(request, err.message)
        return None
    messages.success(request, success)
    return result


def submit_form(
    request: HttpRequest, form: forms.BaseForm, fn: Any, success: str, **kwargs: Any
) -> Any:
    """A valid form's data goes to the service (with `kwargs`); an invalid one is a message."""
    if form.is_valid():
        return run_service(request, fn, success, **kwargs, **form.cleaned_data)
    messages.error(request, form_errors(form))
    return None
