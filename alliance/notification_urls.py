"""Moved to ``alliance.notifications.urls``; this shim keeps ``include("alliance.notification_urls")`` working
until ``alliance/portal/urls.py`` includes the new path. Delete it then."""

from alliance.notifications.urls import urlpatterns

__all__ = ["urlpatterns"]
