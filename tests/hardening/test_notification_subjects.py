"""A notification's subject longer than a subject may be (255 characters) is shortened with an ellipsis: long names
never make the action they report fail. Each case goes through the real service that writes it."""

import pytest
from django.core import mail

from alliance.models import Notification
from alliance.notifications import notification_deliver
from alliance.webhooks import services as webhook_services
from alliance.webhooks.models import WebhookEndpoint
from members import services as member_services
from members.models import JoinRequest
from projects import services as project_services
from projects.models import ProjectUpdate
from tests.members.factories import AdminAffiliationFactory, OrganizationFactory, StaffFactory, UserFactory
from tests.projects.factories import LeadFactory, ParticipationFactory, ProjectFactory
from tests.webhooks.conftest import receiver  # noqa: F401  (the local HTTP receiver fixture)

pytestmark = pytest.mark.django_db

LIMIT = 255


def _assert_shortened(notification: Notification, beginning: str) -> None:
    assert len(notification.subject) == LIMIT
    assert notification.subject.endswith("…")
    assert notification.subject.startswith(beginning)
    assert notification_deliver(notification_id=notification.pk) is True
    assert mail.outbox[-1].subject == f"[Alliance Portal] {notification.subject}"


def test_a_long_project_title_and_a_long_update_title_are_posted_and_told_with_a_shortened_subject():
    # given a project whose title, and the update's, are as long as they may be
    project = ProjectFactory(title="Open evaluation of multilingual safety classifiers " * 3 + "x" * 47)
    lead = LeadFactory(project=project).person
    participant = ParticipationFactory(project=project).person
    title = "Release notes for the second quarter with every benchmark " * 3 + "y" * 26
    assert len(project.title) == len(title) == 200

    # when the lead posts it
    update = project_services.project_update_post(actor=lead, project=project, title=title, body="It is out.")

    # then the update is posted and the participant told, with a subject that fits
    assert ProjectUpdate.objects.filter(pk=update.pk, title=title).exists()
    _assert_shortened(Notification.objects.get(recipient=participant), f"{project.title}: Release notes")


def test_a_long_name_asking_to_join_a_long_named_organization_is_told_with_a_shortened_subject():
    # given an organization with a long name, and a person with a long name on its domain
    name = "The International Consortium for Responsible Machine Learning " * 3 + "z" * 14
    organization = OrganizationFactory(name=name)
    admin = AdminAffiliationFactory(organization=organization).person
    member_services.domain_add(actor=StaffFactory(), organization=organization, domain="consortium.example")
    colleague = UserFactory(email="colleague@consortium.example", name="Maximiliane Alexandra " * 6 + "w" * 18)
    assert (len(organization.name), len(colleague.name)) == (200, 150)

    # when the person asks to join
    join_request = member_services.join_request_create(actor=colleague, organization=organization)

    # then the request is recorded and the admin told, with a subject that fits
    assert JoinRequest.objects.filter(pk=join_request.pk, status=JoinRequest.Status.PENDING).exists()
    _assert_shortened(Notification.objects.get(recipient=admin), f"{colleague.name} asks to join The International")


def test_an_endpoint_with_a_long_address_is_disabled_and_its_owner_told_with_a_shortened_subject(receiver):  # noqa: F811
    # given an endpoint whose address is long, and a receiver that answers 410 Gone
    staff = StaffFactory()
    url = f"{receiver.url}?subscription=" + "a1b2c3d4" * 40
    endpoint, _secret = webhook_services.webhook_endpoint_create(
        actor=staff, url=url, event_types=["organization.updated"]
    )
    receiver.answer(410)
    delivery = webhook_services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)

    # when the delivery is attempted
    webhook_services.webhook_delivery_attempt(delivery_id=delivery.pk)

    # then the endpoint is disabled and its owner told, with a subject that fits (the body keeps the whole address)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).active is False
    notification = Notification.objects.get(recipient=staff)
    assert url in notification.body
    _assert_shortened(notification, f"Webhook deliveries to {receiver.url}?subscription=a1b2")
