"""Moved to ``alliance.notifications.api``; this shim keeps ``alliance/portal/api_urls.py``'s import working
until it imports the new path. Delete it then."""

from alliance.notifications.api import register

__all__ = ["register"]
