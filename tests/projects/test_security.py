"""Security of the projects pages and mail: what strangers can learn about the people of a project.

People sign up with an email address and a password only, so many have no name; the pages and the emails sent
to others must then name them without revealing their address.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import Notification
from projects import services
from projects.models import CatalogEntry
from tests.members.factories import StaffFactory, UserFactory

from .factories import CatalogEntryFactory, LeadFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


def test_a_public_project_page_shows_no_email_address_of_people_without_a_name(client, project):
    # given a lead, a contributor and a staff validator who never gave a name
    lead = LeadFactory(project=project, person=UserFactory(name="")).person
    contributor = ParticipationFactory(project=project, person=UserFactory(name="")).person
    services.project_update_post(actor=lead, project=project, title="Release", body="Version 1 is out.")
    validator = StaffFactory(name="")
    CatalogEntryFactory(
        project=project,
        status=CatalogEntry.Status.VALIDATED,
        validated_by=validator,
        validated_at=timezone.now(),
    )

    # when an anonymous visitor reads the project page
    response = client.get(reverse("projects:project_detail", kwargs={"slug": project.slug}))

    # then nobody's address is on it, but the people are
    assert response.status_code == 200
    page = response.content.decode()
    for person in (lead, contributor, validator):
        assert person.email not in page
    assert page.count("Name not given") >= 2


def test_a_public_catalog_entry_does_not_show_the_validators_address(client, project):
    validator = StaffFactory(name="")
    entry = CatalogEntryFactory(
        project=project, status=CatalogEntry.Status.VALIDATED, validated_by=validator, validated_at=timezone.now()
    )

    response = client.get(reverse("projects:catalog_detail", kwargs={"pk": entry.pk}))

    assert response.status_code == 200
    assert validator.email not in response.content.decode()


def test_the_update_email_to_participants_does_not_reveal_the_authors_address(
    project, django_capture_on_commit_callbacks
):
    # given a lead without a name and another participant
    lead = LeadFactory(project=project, person=UserFactory(name="")).person
    participant = ParticipationFactory(project=project).person

    # when the lead posts an update
    with django_capture_on_commit_callbacks(execute=False):
        services.project_update_post(actor=lead, project=project, title="Release", body="Version 1 is out.")

    # then the participant's notification does not carry the lead's address
    notification = Notification.objects.get(recipient=participant)
    assert lead.email not in notification.subject + notification.body
