"""Each person's private calendar-feed address: issued on first use, revoked by issuing a new one."""

from django.db import transaction

from alliance.audit import audit_record
from alliance.errors import require_staff
from members.models import User

from ..models import CalendarFeed


def calendar_feed_for(*, actor: User) -> CalendarFeed:
    """The person's feed, created the first time they ask for it (My events shows its address)."""
    feed, _ = CalendarFeed.objects.get_or_create(person=actor)
    return feed


def calendar_feed_reset(*, actor: User, person: User | None = None) -> CalendarFeed:
    """Issue a new private feed address; the old one stops working at once.

    The person resets their own (``person`` left out); staff reset a leaked one from the admin.
    """
    owner = person if person is not None else actor
    if owner.pk != actor.pk:
        require_staff(actor)
    with transaction.atomic():
        feed = calendar_feed_for(actor=owner)
        feed.token = CalendarFeed._meta.get_field("token").default()
        feed.save(update_fields=["token"])
        audit_record(actor=actor, action="calendar_feed.reset", target=feed)
    return feed
