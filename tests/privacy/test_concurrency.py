"""A real race on PostgreSQL: the two admins of an organization erase their accounts at the same instant. Each sees
another admin before it starts; the last-admin rule, counted under the lock of the organization's admin rows inside
the erasure's one transaction, lets exactly one through: the other is refused as a whole (nothing of it done)."""

import pytest

from alliance.errors import DomainError
from alliance.portal import privacy
from members.models import Affiliation, User
from members.services import LAST_ADMIN
from tests.members.factories import AffiliationFactory, OrganizationFactory, UserFactory
from tests.races import race, require_free_connections


@pytest.mark.django_db(transaction=True)
def test_two_admins_erasing_at_once_leave_the_organization_one_admin():
    require_free_connections(4)
    organization = OrganizationFactory()
    first, second = UserFactory(), UserFactory()
    for person in (first, second):
        AffiliationFactory(person=person, organization=organization, role=Affiliation.Role.ADMIN)
    assert privacy.erasure_refusals(first) == privacy.erasure_refusals(second) == []

    _, errors = race(
        [lambda person=person: privacy.person_erase(actor=person, person=person) for person in (first, second)]
    )

    assert len(errors) == 1 and isinstance(errors[0], DomainError) and errors[0].message == LAST_ADMIN
    erased = [person for person in User.objects.filter(pk__in=[first.pk, second.pk]) if person.erased_at is not None]
    kept = [person for person in User.objects.filter(pk__in=[first.pk, second.pk]) if person.erased_at is None]
    assert len(erased) == len(kept) == 1
    assert kept[0].name and kept[0].is_active  # refused as a whole: nothing of the erasure stayed
    admins = Affiliation.objects.filter(organization=organization, role=Affiliation.Role.ADMIN)
    assert list(admins.values_list("person_id", flat=True)) == [kept[0].pk]


@pytest.mark.django_db(transaction=True)
def test_without_the_lock_the_race_leaves_the_organization_without_an_admin(monkeypatch):
    """The race exists: counted without the lock, both erasures see two admins and both go through."""
    import threading

    from members.services import affiliations

    require_free_connections(4)
    organization = OrganizationFactory()
    first, second = UserFactory(), UserFactory()
    for person in (first, second):
        AffiliationFactory(person=person, organization=organization, role=Affiliation.Role.ADMIN)
    both_counted = threading.Barrier(2)

    def count_without_lock(organization_id: int) -> int:
        admins = Affiliation.objects.filter(organization_id=organization_id, role=Affiliation.Role.ADMIN).count()
        both_counted.wait(timeout=30)  # each has counted before either removes its row
        return admins

    monkeypatch.setattr(affiliations, "lock_and_count_admins", count_without_lock)

    _, errors = race(
        [lambda person=person: privacy.person_erase(actor=person, person=person) for person in (first, second)]
    )

    assert errors == []
    assert not Affiliation.objects.filter(organization=organization, role=Affiliation.Role.ADMIN).exists()
