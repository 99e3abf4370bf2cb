"""Requests refused before any view or query runs: NUL characters, JSON nested too deep, bodies too large.

PostgreSQL cannot store or even compare a NUL character in text: ``WHERE slug = '\\x00'`` is an error, so a
``%00`` in an address (``/api/v1/projects/%00/``), a query parameter (``?search=%00``), a form field or a JSON
string (``"\\u0000"``) used to become a 500 from whichever query met it first. ``RequestGuardMiddleware`` looks
once, for every request, at the path, the query string, the fields of a form and the strings of a JSON body
(never the contents of uploaded files: a PNG is full of NUL bytes) and answers 400 before the database is asked.
Forms sent with PUT or PATCH are parsed by the API's own parsers (``alliance.api.parsers``), which call the same
check.

JSON nested deeper than ``MAX_JSON_DEPTH`` is refused here too, whichever parser a view would have used (the
API's default parser refuses it as well).

Reading the body here also means a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or with too many fields) is
answered here, the same way for pages and the API: 413 (or 400) with a sentence, JSON under ``/api/``.
"""

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from .api.parsers import MAX_JSON_DEPTH, json_too_deep
from .errors import DomainError

logger = logging.getLogger(__name__)

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulCharacter(DomainError):
    """Text holding a NUL character, which no field of the portal can store."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"The request holds a NUL character (\\0) in {where}, which is never valid. Nothing was changed."
        )


def refuse_nul_in_fields(data: Any, *, where: str = "the field") -> None:
    """Raise ``NulCharacter`` naming the first form field (a QueryDict or a dict of lists) whose name or value holds
    a NUL."""
    items: Iterable[tuple[Any, Any]] = data.lists() if hasattr(data, "lists") else data.items()
    for name, values in items:
        for value in values if isinstance(values, list | tuple) else [values]:
            if NUL in str(name) or (isinstance(value, str) and NUL in value):
                raise NulCharacter(f"{where} “{str(name).replace(NUL, '')}”")


def _nul_in_json(value: Any) -> bool:
    """Whether any string of a decoded JSON document (keys included) holds a NUL; iterative, never recursive."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class TooDeep(DomainError):
    """JSON nested so deep that decoding it would exhaust Python's recursion limit."""

    def __init__(self) -> None:
        super().__init__(
            f"The request body could not be read as JSON: it is nested more than {MAX_JSON_DEPTH} levels deep. "
            "Nothing was changed."
        )


def _refuse_json(body: bytes) -> None:
    if json_too_deep(body):
        raise TooDeep()
    # A raw NUL byte is not valid JSON (the parser refuses it); an escaped one is only possible where
    # ``\u0000`` appears, so most bodies are never decoded here.
    if b"\\u0000" not in body:
        return
    try:
        document = json.loads(body)
    except ValueError:
        return  # malformed JSON: the parser answers it
    if _nul_in_json(document):
        raise NulCharacter("the JSON body")


def _content_type(request: HttpRequest) -> str:
    return request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()


def check_request(request: HttpRequest) -> None:
    """Raise ``NulCharacter`` when the path, the query, a form field or a JSON string of ``request`` holds a NUL,
    ``TooDeep`` for JSON nested deeper than ``MAX_JSON_DEPTH`` (whatever parser the view would use).

    Reads (and so may raise ``RequestDataTooBig``, ``TooManyFieldsSent``...) the body of forms and JSON.
    """
    if NUL in request.path or NUL in request.path_info:
        raise NulCharacter("the address")
    refuse_nul_in_fields(request.GET, where="the query parameter")
    content_type = _content_type(request)
    if content_type in FORM_TYPES:
        if request.method == "POST":
            refuse_nul_in_fields(request.POST)  # files are in request.FILES, never looked into
        elif content_type == FORM_TYPES[0]:
            refuse_nul_in_fields(QueryDict(request.body, encoding=request.encoding))
        # multipart PUT/PATCH: the API's MultiPartParser checks it as it reads the stream
    elif content_type == "application/json" or content_type.endswith("+json"):
        _refuse_json(request.body)


def refusal(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    """The answer to a request refused here: ``{"detail": ...}`` under /api/, the 400 page (with its status) else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "400.html", {"message": message}, status=status)


class RequestGuardMiddleware:
    """Refuse, before any view or query, what no view can handle; install it right after SecurityMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except (NulCharacter, TooDeep) as error:
            return refusal(request, error.message, status=400)
        except RequestDataTooBig:
            return refusal(request, "The request body is too large to be accepted. Nothing was changed.", status=413)
        except (TooManyFieldsSent, TooManyFilesSent):
            return refusal(request, "The request has too many fields or files. Nothing was changed.", status=400)
        except MultiPartParserError as error:
            logger.info("Refused an unreadable multipart body: %s", error)
            return refusal(request, "The form data could not be read. Nothing was changed.", status=400)
        return self.get_response(request)
