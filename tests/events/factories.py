from datetime import timedelta

import factory
from django.utils import timezone

from events.models import Event, Registration
from tests.members.factories import StaffFactory, UserFactory


class EventFactory(factory.django.DjangoModelFactory):
    """A published public workshop a week from now, registration open since yesterday."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Workshop {n}")
    slug = factory.Sequence(lambda n: f"workshop-{n}")
    description = "Hands-on evaluation of open models."
    kind = Event.Kind.WORKSHOP
    format = Event.Format.HYBRID
    venue = "Alliance House, Rue de la Loi 1, Brussels"
    online_url = "https://meet.example.org/workshop"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=3))
    timezone = "Europe/Brussels"
    status = Event.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    capacity = 20
    created_by = factory.SubFactory(StaffFactory)

    @factory.post_generation
    def organizers(obj, create, extracted, **kwargs):
        if create:
            obj.organizers.add(*(extracted or [obj.created_by]))


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration; keep ``event.confirmed_count`` right by using ``register`` in tests instead."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED
