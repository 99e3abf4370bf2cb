"""Pages of the events domain. The names below are used by notifications and calendars too."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/calendar.ics", views.event_ics, name="event_ics"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
