"""Webhook pages for staff and organization admins: list, register, edit, switch on and off, rotate the secret,
send a test event, delete, and the delivery log with re-send.

Views read through selectors and write only through ``services``; a ``DomainError`` becomes a form error or a
message. An endpoint outside what the person may manage answers 404. A new secret is rendered in the answer
to the request that created it and never again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alliance.errors import DomainError

from . import selectors, services
from .forms import WebhookEndpointForm
from .models import WebhookDelivery, WebhookEndpoint

DELIVERIES_PAGE_SIZE = 25


def _require_manager(request: HttpRequest) -> None:
    if not selectors.may_manage_webhooks(request.user):
        raise PermissionDenied("Webhooks are for alliance staff and organization admins.")


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    _require_manager(request)
    return get_object_or_404(selectors.webhook_endpoints_visible_to(request.user), pk=pk)


def _form_error(form: WebhookEndpointForm, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    endpoints = selectors.webhook_endpoints_visible_to(request.user).order_by("-created_at", "-id")
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


@login_required
@never_cache
def endpoint_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
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
            _form_error(form, error)
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
    endpoint = _endpoint(request, pk)
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
            _form_error(form, error)
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
    """activate, deactivate, rotate (answers the new secret once), test, delete."""
    endpoint = _endpoint(request, pk)
    try:
        if action == "activate":
            services.webhook_endpoint_activate(actor=request.user, endpoint=endpoint)
            messages.success(request, "The endpoint is active: events will be sent to it.")
        elif action == "deactivate":
            services.webhook_endpoint_deactivate(actor=request.user, endpoint=endpoint)
            messages.success(request, "The endpoint is inactive: nothing will be sent to it.")
        elif action == "rotate":
            endpoint, secret = services.webhook_endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
            messages.success(request, "A new secret was issued. Copy it now: it is shown only once.")
            return _detail(request, endpoint, new_secret=secret)
        elif action == "test":
            services.webhook_endpoint_send_test(actor=request.user, endpoint=endpoint)
            messages.success(request, "A test event is on its way; its result appears in the delivery log.")
        elif action == "delete":
            services.webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
            messages.success(request, f"The endpoint {endpoint.url} was deleted.")
            return redirect("webhooks:endpoint_list")
        else:
            return HttpResponse(status=404)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("webhooks:endpoint_detail", pk=endpoint.pk)


@login_required
@require_POST
def delivery_resend(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id, endpoint=endpoint)
    try:
        services.webhook_delivery_resend(actor=request.user, delivery=delivery)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The {delivery.event_type} event will be sent again.")
    return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
