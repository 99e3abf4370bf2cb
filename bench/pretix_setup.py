"""Run by pretix's own Python (a separate virtualenv, never the portal's): a live event with one free admission
product, a quota of ``seats``, the waiting list on, and a team API token; prints them as JSON.

    PRETIX_CONFIG_FILE=... DJANGO_SETTINGS_MODULE=pretix.settings $PRETIX_VENV/bin/python bench/pretix_setup.py 100
"""

import json
import secrets
import sys
from datetime import timedelta
from decimal import Decimal

import django

django.setup()

from django.utils import timezone  # noqa: E402 (after django.setup)
from django_scopes import scopes_disabled  # noqa: E402
from pretix.base.models import Event, Item, Organizer, Quota, Team  # noqa: E402


def main() -> None:
    seats = int(sys.argv[1])
    slug = f"race{secrets.token_hex(3)}"
    with scopes_disabled():
        organizer, _ = Organizer.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
        event = Event.objects.create(
            organizer=organizer,
            name="Race",
            slug=slug,
            date_from=timezone.now() + timedelta(days=7),
            currency="EUR",
            live=True,
        )
        event.set_defaults()
        event.settings.locales = ["en"]
        event.settings.locale = "en"
        event.settings.waiting_list_enabled = True
        event.settings.waiting_list_auto = False
        event.settings.payment_free__enabled = True
        item = Item.objects.create(event=event, name="Seat", default_price=Decimal("0.00"), admission=True)
        quota = Quota.objects.create(event=event, name="Seats", size=seats)
        quota.items.add(item)
        team = Team.objects.create(
            organizer=organizer,
            name=f"Bench {slug}",
            all_events=True,
            all_event_permissions=True,
            all_organizer_permissions=True,
        )
        token = team.tokens.create(name="bench")
    print(json.dumps({"organizer": organizer.slug, "event": slug, "item": item.pk, "token": token.token}))


if __name__ == "__main__":
    main()
