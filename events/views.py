"""Pages and calendars of the events domain.

Views read through ``events.selectors`` and write only through ``events.services``. Who may act is asked first
(a selector predicate, or the service's own check), before any form is read; a ``NotPermitted`` is answered 403 by
``alliance.pages.DomainErrorMiddleware``. Any other ``DomainError`` from a service becomes a form error or a
message, and nothing has changed. Registering and cancelling answer htmx
requests with the updated registration panel and plain form posts with a redirect, so every page works
without JavaScript too. An event the viewer may not see is a 404 everywhere, its calendar included; the
organizer pages of a visible event answer 403 to everyone but its organizers and staff.
"""

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alliance.errors import DomainError, NotPermitted
from alliance.page_cache import cached_for_visitors
from alliance.pages import filtered_list_page, form_error, refusal_of
from members.selectors import organizations_visible_to
from projects.models import FocusArea

from . import selectors, services
from .calendar import calendar_links, event_calendar, feed_calendar
from .forms import CancelEventForm, CapacityForm, EventFilterForm, EventForm, OrganizerAddForm, RegistrationFilterForm
from .models import CalendarFeed, Event, Registration

EVENT_PAGE_SIZE = 20
ANONYMIZED = "Anonymized attendee"  # a registration kept past RETENTION_EVENT_DAYS: only the count remains


def _visible_event(request: HttpRequest, slug: str) -> Event:
    """The event with the viewer's registration and organizer flag; 404 when the viewer may not see it."""
    event = selectors.event_for_viewer(person=request.user, slug=slug)
    if event is None:
        raise Http404("No event here.")
    return event


def _organized_event(request: HttpRequest, slug: str) -> Event:
    event = _visible_event(request, slug)
    if not event.viewer_is_organizer:
        raise PermissionDenied("Only the event's organizers and staff can see this page.")
    return event


# --- the list -------------------------------------------------------------------------------------------------


@cached_for_visitors("events")
def event_list(request: HttpRequest) -> HttpResponse:
    """Upcoming (or past) events, filtered; htmx swaps only the results while the person chooses."""
    focus_areas = list(FocusArea.objects.order_by("name"))
    hosting = selectors.hosting_projects(request.user)
    form = EventFilterForm(request.GET, focus_areas=focus_areas, projects=list(hosting))
    filters = form.filters()
    return filtered_list_page(
        request,
        selectors.event_list(person=request.user, **filters),
        form=form,
        filters=filters,
        page_size=EVENT_PAGE_SIZE,
        name="events",
        template="events/event_list.html",
        results_template="events/partials/event_results.html",
        not_filters=("when",),
        when=filters["when"],
        can_create=selectors.may_create_events(request.user),
    )


# --- the event page and its registration panel ------------------------------------------------------------


def _flash(request: HttpRequest, *, notice: str = "", error: str = "") -> None:
    """A plain form post's outcome, shown on the page it is sent back to."""
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)


def _panel_context(request: HttpRequest, event: Event, **extra: Any) -> dict[str, Any]:
    """The registration panel: what the viewer may do, by the rule ``event_register`` refuses by."""
    registration = selectors.viewer_registration(event)
    options = selectors.registration_options(request.user, event, registration=registration)
    confirmed = registration is not None and registration.status == Registration.Status.CONFIRMED
    return {
        "event": event,
        "registration": registration,
        "state": options.state,
        "refusal": options.refusal,
        "is_organizer": event.viewer_is_organizer,
        "show_online_link": bool(event.online_url) and (confirmed or event.viewer_is_organizer),
        "login_url": f"{reverse('account_login')}?next={event.get_absolute_url()}",
        "calendar_links": calendar_links(event) if event.status != Event.Status.CANCELLED else {},
        **extra,
    }


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _visible_event(request, slug)
    return render(request, "events/event_detail.html", _panel_context(request, event))


def _panel_response(request: HttpRequest, slug: str, *, notice: str = "", error: str = "") -> HttpResponse:
    """htmx: the fresh registration panel with the outcome. Otherwise: back to the event page."""
    if request.htmx:
        return render(
            request,
            "events/partials/registration_panel.html",
            _panel_context(request, _visible_event(request, slug), notice=notice, error=error),
        )
    _flash(request, notice=notice, error=error)
    return redirect("events:event_detail", slug=slug)


@login_required
@require_POST
def event_register(request: HttpRequest, slug: str) -> HttpResponse:
    """The service asks who the person is before anything else (a 403 for who may not register at all) and decides;
    the event is read lightly for it, and in full only for the panel that answers."""
    event = selectors.event_visible(person=request.user, slug=slug)
    if event is None:
        raise Http404("No event here.")
    try:
        registration = services.event_register(actor=request.user, event=event)
    except NotPermitted:
        raise
    except DomainError as error:
        return _panel_response(request, slug, error=error.message)
    if registration.status == Registration.Status.CONFIRMED:
        notice = "You are registered. A confirmation is on its way to your inbox."  # the panel says "You have a seat."
    else:
        position = services.waitlist_position(registration)
        notice = f"The event is full: you are number {position} on the waitlist. We will write when a seat is yours."
    return _panel_response(request, slug, notice=notice)


@login_required
@require_POST
def event_registration_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    event = _visible_event(request, slug)
    try:
        registration = services.event_registration_cancel(actor=request.user, event=event)
    except DomainError as error:
        return _panel_response(request, slug, error=error.message)
    was_waiting = registration.waitlisted_at is not None and registration.confirmed_at is None
    notice = "You left the waitlist." if was_waiting else "Your registration is cancelled; your seat went back."
    return _panel_response(request, slug, notice=notice)


# --- calendars ------------------------------------------------------------------------------------------------


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """The event as an .ics file; its online link only for confirmed attendees and organizers."""
    event = _visible_event(request, slug)
    registration = selectors.viewer_registration(event)
    confirmed = registration is not None and registration.status == Registration.Status.CONFIRMED
    body = event_calendar(event, with_online_link=confirmed or event.viewer_is_organizer)
    return _calendar_response(body, f"{event.slug}.ics")


@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private feed of the events they hold a confirmed seat at; unknown or reset tokens are 404."""
    feed = CalendarFeed.objects.select_related("person").filter(token=token, person__is_active=True).first()
    if feed is None:
        raise Http404("No calendar at this address. It may have been reset: copy the new one from My events.")
    body = feed_calendar(selectors.feed_events(feed.person), owner=feed.person.get_full_name())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="alliance-events.ics"'
    return response


# --- my events --------------------------------------------------------------------------------------------------


@login_required
@never_cache
def my_events(request: HttpRequest) -> HttpResponse:
    """The person's registrations, the events they organize, and their private calendar-feed address."""
    feed = services.calendar_feed_for(actor=request.user)
    feed_url = request.build_absolute_uri(feed.get_absolute_url())
    return render(
        request,
        "events/my_events.html",
        {
            "upcoming": list(selectors.person_registrations(request.user)),
            "cancelled": list(selectors.person_cancelled_registrations(request.user)),
            "past": list(selectors.person_past_registrations(request.user)[:20]),
            "organized": list(selectors.events_organized_by(request.user)[:50]),
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[-1],
            "can_create": selectors.may_create_events(request.user),
        },
    )


@login_required
@require_POST
def calendar_feed_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_reset(actor=request.user)
    messages.success(request, "Your calendar has a new address; the old one no longer works. Subscribe again.")
    return redirect(reverse("events:my_events") + "#calendar")


# --- creating and editing ---------------------------------------------------------------------------------------


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    """Staff, and leads for the projects they lead, create a draft event."""
    services.event_create_check(actor=request.user)  # before reading the form: who may not, hears that (403)
    projects = selectors.projects_person_may_host(request.user)
    form = EventForm(request.POST or None, projects=projects, project_required=not request.user.is_staff)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["timezone_name"] = data.pop("timezone")
        try:
            event = services.event_create(actor=request.user, **data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, f"“{event}” was created as a draft. Publish it when it is ready.")
            return redirect("events:event_manage", slug=event.slug)
    return render(request, "events/event_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = _organized_event(request, slug)
    form = EventForm(request.POST or None, initial=EventForm.initial_for(event), editing=True)
    if request.method == "POST" and form.is_valid():
        changes = form.changes_to(event)
        try:
            services.event_update(actor=request.user, event=event, **changes)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "The event was saved." if changes else "Nothing changed.")
            return redirect("events:event_manage", slug=event.slug)
    return render(request, "events/event_form.html", {"form": form, "event": event}, status=400 if form.errors else 200)


# --- organizer pages --------------------------------------------------------------------------------------------


def _manage_context(request: HttpRequest, event: Event, **forms: Any) -> dict[str, Any]:
    filter_form = RegistrationFilterForm(request.GET)
    status = filter_form.status_filter()
    counts = {value: 0 for value in Registration.Status.values}
    for row in Registration.objects.filter(event=event).values_list("status", flat=True):
        counts[row] += 1
    return {
        "event": event,
        "filter_form": filter_form,
        "status": status,
        "counts": counts,
        "registrations": list(selectors.event_registrations(event, status=status)),
        "waitlist": list(selectors.event_waitlist(event)),
        "capacity_form": forms.get("capacity_form") or CapacityForm(initial={"capacity": event.capacity}),
        "cancel_form": forms.get("cancel_form") or CancelEventForm(),
        "organizers": list(selectors.event_organizers(event)),
        "organizer_form": forms.get("organizer_form") or OrganizerAddForm(),
    }


@login_required
def event_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Organizers: registrations (filtered by status), the waitlist in order, check-in, capacity, publish, cancel."""
    event = _organized_event(request, slug)
    context = _manage_context(request, event)
    if request.htmx and request.htmx.target == "registrations":
        return render(request, "events/partials/registration_table.html", context)
    return render(request, "events/event_manage.html", context)


def _manage_page(request: HttpRequest, event: Event, **forms: Any) -> HttpResponse:
    """The manage page again, with a form that was refused (400)."""
    return render(request, "events/event_manage.html", _manage_context(request, event, **forms), status=400)


def _to_manage(event: Event) -> HttpResponse:
    return redirect("events:event_manage", slug=event.slug)


@login_required
@require_POST
def event_publish(request: HttpRequest, slug: str) -> HttpResponse:
    event = _organized_event(request, slug)
    error = refusal_of(services.event_publish, actor=request.user, event=event)
    _flash(request, notice="The event is published: people can see it and register.", error=error)
    return _to_manage(event)


@login_required
@require_POST
def event_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    event = _organized_event(request, slug)
    form = CancelEventForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, event, cancel_form=form)
    error = refusal_of(
        services.event_cancel, actor=request.user, event=event, reason=form.cleaned_data["reason"].strip()
    )
    _flash(request, notice="The event is cancelled; everyone registered or waiting is being told.", error=error)
    return _to_manage(event)


@login_required
@require_POST
def event_capacity(request: HttpRequest, slug: str) -> HttpResponse:
    event = _organized_event(request, slug)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, event, capacity_form=form)
    capacity = form.cleaned_data["capacity"]
    try:
        services.event_change_capacity(actor=request.user, event=event, capacity=capacity)
    except DomainError as error:
        form_error(form, error)
        return _manage_page(request, event, capacity_form=form)
    messages.success(request, f"The capacity is now {capacity or 'unlimited'}.")
    return _to_manage(event)


def _organized_registration(request: HttpRequest, slug: str, pk: int) -> tuple[Event, Registration]:
    event = _organized_event(request, slug)
    registration = get_object_or_404(selectors.registrations_for_organizers(), pk=pk, event=event)
    return event, registration


@login_required
@require_POST
def registration_check_in(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Mark a confirmed attendee as present; htmx swaps only their row."""
    event, registration = _organized_registration(request, slug, pk)
    error = refusal_of(services.registration_check_in, actor=request.user, registration=registration)
    notice = "" if error else f"{registration.person.get_full_name()} is checked in."
    if request.htmx:
        _, registration = _organized_registration(request, slug, pk)
        return render(
            request,
            "events/partials/registration_row.html",
            {"event": event, "registration": registration, "notice": notice, "error": error},
        )
    _flash(request, notice=notice, error=error)
    return _to_manage(event)


@login_required
@require_POST
def registration_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An organizer cancels someone's registration; the first person waiting gets the seat."""
    event, registration = _organized_registration(request, slug, pk)
    error = refusal_of(services.registration_cancel, actor=request.user, registration=registration)
    _flash(request, notice=f"The registration of {registration.person.get_full_name()} is cancelled.", error=error)
    if request.htmx:  # the seat may have gone to someone waiting: the whole page changes
        return HttpResponse(status=204, headers={"HX-Redirect": reverse("events:event_manage", args=[event.slug])})
    return _to_manage(event)


def _organizers_response(
    request: HttpRequest, event: Event, *, form: OrganizerAddForm | None = None, notice: str = "", error: str = ""
) -> HttpResponse:
    """htmx: the fresh organizers section with the outcome. Otherwise: the manage page (with the form's errors)."""
    if request.htmx:
        context = {
            "event": event,
            "organizers": list(selectors.event_organizers(event)),
            "organizer_form": form if form is not None and form.errors else OrganizerAddForm(),
            "notice": notice,
            "error": error,
        }
        return render(request, "events/partials/organizer_section.html", context)
    if form is not None and form.errors:
        return _manage_page(request, event, organizer_form=form)
    _flash(request, notice=notice, error=error)
    return _to_manage(event)


@login_required
@require_POST
def event_organizer_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add an organizer by the address of their account; htmx swaps only the organizers section."""
    event = _organized_event(request, slug)
    form = OrganizerAddForm(request.POST)
    if form.is_valid():
        try:
            person = services.organizer_by_address(form.cleaned_data["email"])
            services.event_organizer_add(actor=request.user, event=event, person=person)
        except DomainError as error:
            form_error(form, error)
        else:
            return _organizers_response(request, event, notice=f"{person.get_full_name()} now organizes this event.")
    return _organizers_response(request, event, form=form)


@login_required
@require_POST
def event_organizer_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Remove an organizer, oneself included; one who is no longer an organizer goes back to the event page."""
    event = _organized_event(request, slug)
    person = get_object_or_404(selectors.event_organizers(event), pk=user_id)
    error = refusal_of(services.event_organizer_remove, actor=request.user, event=event, person=person)
    if error:
        return _organizers_response(request, event, error=error)
    if not selectors.is_organizer(request.user, event):
        messages.success(request, "You no longer organize this event.")
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": event.get_absolute_url()})
        return redirect(event)
    return _organizers_response(request, event, notice=f"{person.get_full_name()} no longer organizes this event.")


def _csv_cell(value: Any) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def attendees_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """Confirmed attendees: name, email, organization, when they registered, when they were checked in."""
    event = _organized_event(request, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    writer = csv.writer(response)
    writer.writerow(["Name", "Email", "Organization", "Registered", "Checked in"])
    for registration in selectors.confirmed_attendees(event):
        writer.writerow(
            _csv_cell(value)
            for value in (
                registration.person.get_full_name() if registration.person else ANONYMIZED,
                registration.person.email if registration.person else "",
                registration.organization.name if registration.organization else "",
                registration.created_at.isoformat(timespec="seconds"),
                registration.checked_in_at.isoformat(timespec="seconds") if registration.checked_in_at else "",
            )
        )
    return response


ORGANIZATION_PAGE_EVENTS = 6


def organization_events(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization's coming events (hosted by a project it leads, or organized by its people): a part of the
    organization's page."""
    organization = get_object_or_404(organizations_visible_to(request.user), slug=slug)
    events = selectors.organization_upcoming_events(organization, person=request.user)
    return render(
        request,
        "events/partials/organization_events.html",
        {"organization": organization, "events": list(events[: ORGANIZATION_PAGE_EVENTS + 1])},
    )
