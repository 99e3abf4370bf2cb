"""Pages of the notification backbone; the names are used by the emails (unsubscribe links) too."""

from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox_mark_all_read"),
    path("inbox/<int:pk>/open/", views.inbox_open, name="inbox_open"),
    path("inbox/<int:pk>/read/", views.inbox_mark_read, name="inbox_mark_read"),
    path("account/notifications/", views.preferences, name="notification_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notification_unsubscribe"),
    path("staff/notifications/failed/", views.failed_notifications, name="failed_notifications"),
    path("staff/notifications/<int:pk>/retry/", views.failed_notification_retry, name="failed_notification_retry"),
]
