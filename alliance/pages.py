"""Plumbing every page shares, written once: how a service's refusal reaches the person, and small view helpers.

``DomainErrorMiddleware`` is the pages' counterpart of the API's exception handler: a ``NotPermitted`` that a
view lets through answers 403 with the service's message, any other ``DomainError`` a 400 page with it. Views
catch ``DomainError`` only where they can do better (show it on the form's field with ``form_error``, or as a
notice with ``refusal_of``); they never translate ``NotPermitted`` themselves.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.defaults import permission_denied

from .errors import DomainError, NotPermitted


class DomainErrorMiddleware:
    """A refusal no view handled becomes its page: 403 for ``NotPermitted``, 400 for any other ``DomainError``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None  # the API's exception handler answers in JSON
        if isinstance(exception, NotPermitted):
            return permission_denied(request, PermissionDenied(exception.message))
        if isinstance(exception, DomainError):
            return render(request, "400.html", {"message": exception.message}, status=400)
        return None


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous people are sent to sign in; signed-in people who are not staff get 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied("Only alliance staff can see this page.")
        return view(request, *args, **kwargs)

    return wrapper


def form_error(form: Any, error: DomainError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def refusal_of(service: Callable[..., Any], **kwargs: Any) -> str:
    """Call a service; its refusal's message, or '' when it went through. ``NotPermitted`` is not caught."""
    try:
        service(**kwargs)
    except NotPermitted:
        raise
    except DomainError as error:
        return error.message
    return ""


def query_string_without_page(request: HttpRequest) -> str:
    """The list's filters as a query string prefix for page links ('' when there are none)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode() + "&" if query else ""


def filtered_list_page(
    request: HttpRequest,
    rows: Any,
    *,
    form: Any,
    filters: dict[str, Any],
    page_size: int,
    name: str,
    template: str,
    results_template: str,
    not_filters: tuple[str, ...] = (),
    **extra: Any,
) -> HttpResponse:
    """A searchable, filtered list: one page of ``rows`` under ``name``, with its filter form and page links.

    An htmx request (the person typing or choosing) gets only ``results_template``, the part that changes; a
    history restore or a plain request gets the whole ``template``. ``filtered`` says whether any filter is set
    (``not_filters`` name those that are a view, not a filter, such as upcoming or past).
    """
    page = Paginator(rows, page_size).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        name: page.object_list,
        "query_string": query_string_without_page(request),
        "filtered": any(value for key, value in filters.items() if key not in not_filters),
        **extra,
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, results_template, context)
    return render(request, template, context)


def is_internal_path(target: str) -> bool:
    """Whether ``target`` is a path on this site ("/events/?when=past"): no scheme, no host, nothing to leave by."""
    return (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    )


def safe_next(request: HttpRequest, default: str) -> str:
    """Where ``next`` asks to go, if it is on this site; ``default`` otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default
