"""The projects app's part of erasing an account: the person leaves every project through ``participation_remove``
(so a live project's last lead is refused, and each departure is audited and sent to webhooks as usual) and stops
chairing focus areas. What they wrote (updates, reviews, catalog entries) stays, signed by "Former member"."""

from django.db import transaction

from alliance.audit import audit_record
from members.models import User
from projects.models import FocusArea, Participation

from .participation import participation_remove


def person_projects_leave(*, person: User) -> None:
    """Leave every project (requests to join withdrawn too) and give up every focus-area chair."""
    with transaction.atomic():
        for participation in Participation.objects.filter(person=person).select_related("project").order_by("pk"):
            participation_remove(actor=person, participation=participation)
        for focus_area in FocusArea.objects.filter(chairs=person).order_by("pk"):
            focus_area.chairs.remove(person)
            audit_record(
                actor=person, action="focus_area.chair_left", target=focus_area, changes={"chairs": (person.pk, None)}
            )
