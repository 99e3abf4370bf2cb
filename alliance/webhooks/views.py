"""Webhook pages for staff and organization admins: list, register, edit, switch on and off, rotate the secret,
send a test event, delete, and the delivery log with re-send.

Views read through selectors and write only through ``services``. Permission comes before input: a person who
manages no webhooks is refused (403) before a form is read, and an endpoint outside what the person may manage
answers 404. A service's refusal becomes a form error or a message; ``NotPermitted`` is left to the middleware.
A new secret is rendered in the answer to the request that created it and never again.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alliance.errors import DomainError
from alliance.pages import form_error, refusal_of

from . import selectors, services
from .forms import WebhookEndpointForm
from .models import WebhookDelivery, WebhookEndpoint

DELIVERIES_PAGE_SIZE = 25

# The actions of the detail page that answer with a message and the detail page again.
SIMPLE_ACTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "activate": (services.webhook_endpoint_activate, "The endpoint is active: events will be sent to it."),
    "deactivate": (services.webhook_endpoint_deactivate, "The endpoint is inactive: nothing will be sent to it."),
    "test": (
        services.webhook_endpoint_send_test,
        "A test event is on its way; its result appears in the delivery log.",
    ),
}


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    """The endpoint, if the person may manage it (403 for people who manage no webhooks, 404 for others')."""
    services.webhooks_manage_check(actor=request.user)
    return get_object_or_404(selectors.webhook_endpoints_visible_to(request.user), pk=pk)


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    services.webhooks_manage_check(actor=request.user)
    endpoints = selectors.webhook_endpoints_visible_to(request.user).order_by("-created_at", "-id")
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


@login_required
@never_cache
def endpoint_create(request: HttpRequest) -> HttpResponse:
    services.webhooks_manage_check(actor=request.user)  # permission before input
    form = WebhookEndpointForm(
        request.POST or None,
        organizations=selectors.webhook_organizations_for(request.user),
        staff=request.user.is_staff,
    )
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.webhook_endpoint_create(
                actor=request.user,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                organization=form.organization(),
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "The endpoint is registered. Copy its secret now: it is shown only once.")
            return _detail(request, endpoint, new_secret=secret)
    return render(request, "webhooks/endpoint_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@never_cache
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _endpoint(request, pk))


def _detail(request: HttpRequest, endpoint: WebhookEndpoint, *, new_secret: str = "") -> HttpResponse:
    page = Paginator(selectors.webhook_deliveries(endpoint), DELIVERIES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {"endpoint": endpoint, "page_obj": page, "deliveries": page.object_list, "new_secret": new_secret},
    )


@login_required
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)  # permission before input
    initial = {"url": endpoint.url, "description": endpoint.description, "event_types": endpoint.event_types}
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_endpoint_update(
                actor=request.user,
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "The endpoint was saved.")
            return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
    return render(
        request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint}, status=400 if form.errors else 200
    )


@login_required
@require_POST
@never_cache
def endpoint_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """activate, deactivate, test, rotate (answers the new secret once), delete."""
    endpoint = _endpoint(request, pk)
    if action == "rotate":
        endpoint, secret = services.webhook_endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
        messages.success(request, "A new secret was issued. Copy it now: it is shown only once.")
        return _detail(request, endpoint, new_secret=secret)
    if action == "delete":
        refusal = refusal_of(services.webhook_endpoint_delete, actor=request.user, endpoint=endpoint)
        if not refusal:
            messages.success(request, f"The endpoint {endpoint.url} was deleted.")
            return redirect("webhooks:endpoint_list")
        messages.error(request, refusal)
    elif action in SIMPLE_ACTIONS:
        service, done = SIMPLE_ACTIONS[action]
        refusal = refusal_of(service, actor=request.user, endpoint=endpoint)
        if refusal:
            messages.error(request, refusal)
        else:
            messages.success(request, done)
    else:
        return HttpResponse(status=404)
    return redirect("webhooks:endpoint_detail", pk=endpoint.pk)


@login_required
@require_POST
def delivery_resend(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id, endpoint=endpoint)
    refusal = refusal_of(services.webhook_delivery_resend, actor=request.user, delivery=delivery)
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, f"The {delivery.event_type} event will be sent again.")
    return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
