"""The audit trail's pages, written once for the staff trail and an organization's: the period filter, the page of
entries, and the CSV export of the same filtered rows.

A row shows what its entry recorded (who, the action, the target's name then, the changes and the note), never the
target's state now. People read by name (``get_full_name``: "Former member" once erased), actions by their label
(``alliance.audit.action_label``), times with their zone in 24-hour style.
"""

import csv
import datetime
import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from .audit import action_label
from .models import AuditEntry
from .pages import query_string_without_page

AUDIT_PAGE_SIZE = 50
CSV_CHUNK_SIZE = 500
SYSTEM = "The system"


class AuditPeriodForm(forms.Form):
    """From and to (both days included, in the portal's time zone); either may be left empty."""

    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the start date as a date, for example 2026-01-31."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the end date as a date, for example 2026-12-31."},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return data


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entries_in_period(
    entries: QuerySet[AuditEntry], *, start: datetime.date | None, end: datetime.date | None
) -> QuerySet[AuditEntry]:
    """The entries recorded from the start of ``start`` to the end of ``end`` (either open)."""
    if start:
        entries = entries.filter(created_at__gte=_start_of(start))
    if end:
        entries = entries.filter(created_at__lt=_start_of(end + datetime.timedelta(days=1)))
    return entries


def actor_name(entry: AuditEntry) -> str:
    """Who did it, by name ("Former member" for an erased person), or the system."""
    return entry.actor.get_full_name() if entry.actor is not None else SYSTEM


def _time_with_zone(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def recorded_value(value: Any) -> str:
    """A value an entry recorded, as a person reads it: a moment in the portal's zone, 24-hour, with its label
    (services record them as ISO 8601), "—" for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        moment = datetime.datetime.fromisoformat(value)
        if timezone.is_aware(moment):
            return _time_with_zone(moment)
    return str(value)


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: a leading =, +, - or @ would be read as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _changes_text(changes: dict[str, Any]) -> str:
    return "; ".join(
        f"{field}: {recorded_value(values[0])} → {recorded_value(values[1])}"
        for field, values in (changes or {}).items()
    )


class _Echo:
    """The file ``csv.writer`` writes to: each row comes back as a string, for the streaming response."""

    def write(self, value: str) -> str:
        return value


def _csv_rows(entries: QuerySet[AuditEntry], zone: datetime.tzinfo) -> Iterator[str]:
    """The rows, in ``zone``: the reader's, captured with the request (the stream runs after the request's own zone
    is gone)."""
    with timezone.override(zone):
        yield from _csv_rows_in_zone(entries)


def _csv_rows_in_zone(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(["When", "Who", "Action", "Action code", "Kind of target", "Target", "Changes", "Note"])
    for entry in entries.iterator(chunk_size=CSV_CHUNK_SIZE):
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    _time_with_zone(entry.created_at),
                    actor_name(entry),
                    action_label(entry.action),
                    entry.action,
                    entry.target_type.name,
                    entry.target_repr,
                    _changes_text(entry.changes),
                    entry.note,
                )
            ]
        )


def audit_csv_response(entries: QuerySet[AuditEntry], *, filename: str) -> StreamingHttpResponse:
    """The filtered entries as CSV, streamed in chunks (one query per chunk, however many rows)."""
    rows = _csv_rows(entries, timezone.get_current_timezone())
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_query_string(request: HttpRequest) -> str:
    """The page's filters, without its page number, asking for CSV."""
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return query.urlencode()


def audit_trail_page(
    request: HttpRequest,
    entries: QuerySet[AuditEntry],
    *,
    form: AuditPeriodForm,
    template: str,
    filename: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse | StreamingHttpResponse:
    """One audit page: the entries in the form's period, newest first, as a page of ``AUDIT_PAGE_SIZE`` or, with
    ``?format=csv``, as a CSV file of every filtered row. Invalid filters answer 400 with the form's errors."""
    entries = entries.select_related("actor", "target_type").order_by("-created_at", "-id")
    valid = not form.is_bound or form.is_valid()
    if not valid:
        entries = entries.none()
    else:
        if form.is_bound:
            entries = audit_entries_in_period(entries, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        if request.GET.get("format") == "csv":
            return audit_csv_response(entries, filename=filename)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = query_string_without_page(request)
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page,
            "entries": page.object_list,
            "query_string": query_string,
            "csv_query_string": _csv_query_string(request),
            **(context or {}),
        },
        status=200 if valid else 400,
    )
