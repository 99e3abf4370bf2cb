"""The one place where errors become HTTP answers: services' DomainError and DRF's own exceptions.

Under ``/api/`` every answer is JSON of one shape, ``{"detail": "<a sentence>", "errors": {...}}``: validation
errors (nested ones too: a list field's item, an item of a list of objects), a body too large to read (413),
through ``not_found`` (the root URLconf's ``handler404``) an address no route matches (404) and, through
``server_error`` (``handler500``), an unexpected error (500).
"""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from alliance.errors import DomainError

SERVER_ERROR = (
    "Something went wrong on our side: nothing you sent caused it, and the team has been told. Try again in a moment."
)
TOO_LARGE = "The request body is too large to be accepted. Nothing was changed."


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer JSON errors of one shape: ``{"detail": "...", "errors": {field: [...]}}`` (errors optional)."""
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        return Response(body, status=exc.status_code)
    if isinstance(exc, exceptions.ParseError):
        reason = str(exc.detail).removeprefix("JSON parse error - ")
        return Response(
            {"detail": f"The request body could not be read as JSON: {reason}. Nothing was changed."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": TOO_LARGE}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": first_message(errors), "errors": errors}
        response.status_code = status.HTTP_400_BAD_REQUEST
    return response


def first_message(errors: Any) -> str:
    """The first message in DRF's error structure, however deep: ``{"tags": {0: ["Too long."]}}`` -> "Too long."

    Lists of objects (``[{}, {"name": [...]}]``) hold empty entries for the items without errors; they are skipped.
    Iterative, so no structure can make it recurse.
    """
    pending = [errors]
    while pending:
        item = pending.pop(0)
        if isinstance(item, dict):
            pending[:0] = list(item.values())
        elif isinstance(item, list | tuple):
            pending[:0] = list(item)
        elif item is not None and str(item):
            return str(item)
    return "Invalid input."


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: JSON under ``/api/``, the 500 page elsewhere (rendered without context processors, which
    might be what failed; the CSP nonce is passed to it for its one style block)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    nonce = getattr(request, "csp_nonce", None)  # lazy: str() makes the CSP header carry it
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"csp_nonce": "" if nonce is None else str(nonce)}))


NOT_FOUND = "There is nothing at this address."


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: JSON under ``/api/`` (an address no route matches), the 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    return defaults.page_not_found(request, exception)
