"""Pages of the events domain. The names below are used by notifications and calendars too.

``events/new/`` is matched before ``events/<slug>/``; the services keep ``new`` from ever being an event's slug.
"""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("members/<slug:slug>/events/", views.organization_events, name="organization_events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/calendar.ics", views.event_ics, name="event_ics"),
    path("events/<slug:slug>/register/", views.event_register, name="event_register"),
    path("events/<slug:slug>/cancel-registration/", views.event_registration_cancel, name="event_registration_cancel"),
    path("events/<slug:slug>/edit/", views.event_edit, name="event_edit"),
    path("events/<slug:slug>/manage/", views.event_manage, name="event_manage"),
    path("events/<slug:slug>/manage/publish/", views.event_publish, name="event_publish"),
    path("events/<slug:slug>/manage/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<slug:slug>/manage/capacity/", views.event_capacity, name="event_capacity"),
    path("events/<slug:slug>/manage/attendees.csv", views.attendees_csv, name="attendees_csv"),
    path(
        "events/<slug:slug>/manage/registrations/<int:pk>/check-in/",
        views.registration_check_in,
        name="registration_check_in",
    ),
    path(
        "events/<slug:slug>/manage/registrations/<int:pk>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path("events/<slug:slug>/manage/organizers/", views.event_organizer_add, name="event_organizer_add"),
    path(
        "events/<slug:slug>/manage/organizers/<int:user_id>/remove/",
        views.event_organizer_remove,
        name="event_organizer_remove",
    ),
    path("account/events/", views.my_events, name="my_events"),
    path("account/events/calendar/reset/", views.calendar_feed_reset, name="calendar_feed_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
