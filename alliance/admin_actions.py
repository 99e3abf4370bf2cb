"""Admin actions run services, never raw writes: one helper for every app's admin."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .errors import DomainError


def run_service_on_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    service: Callable[[Any], Any],
    done: str,
) -> None:
    """Call ``service`` for each selected row; report how many succeeded and each refusal's own message."""
    succeeded = 0
    for obj in queryset:
        try:
            service(obj)
        except DomainError as error:
            model_admin.message_user(request, f"{obj}: {error.message}", level=messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, f"{done}: {succeeded}.", level=messages.SUCCESS)
