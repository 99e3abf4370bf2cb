"""Webhooks: emission in the caller's transaction, who receives what, signed delivery to a real local receiver,
retries kept in the database, disabling after 410 or a run of failures, and the SSRF guard."""

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from standardwebhooks import Webhook, WebhookVerificationError

from alliance.errors import DomainError, NotPermitted
from alliance.models import Notification
from alliance.webhooks import services, tasks
from alliance.webhooks.event_types import EVENT_TYPES, api_url, organizations_concerned
from alliance.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from alliance.webhooks.services import (
    DISABLE_AFTER_FAILED_DELIVERIES,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    webhook_delivery_attempt,
    webhook_endpoint_create,
)
from alliance.webhooks.signing import secret_generate
from alliance.webhooks.ssrf import UnsafeDestination, destination_check
from events.models import Registration
from members import services as members_services
from members.models import Affiliation
from projects import services as projects_services
from projects.models import Project
from tests.events.factories import EventFactory
from tests.members.factories import AdminAffiliationFactory, ApplicationFactory, OrganizationFactory, UserFactory
from tests.projects.factories import CatalogEntryFactory, LeadFactory, ParticipationFactory, ProjectFactory

from .conftest import make_endpoint

pytestmark = pytest.mark.django_db


def verify(receiver_request: dict, secret: str) -> dict:
    """What a receiver does: check the Standard Webhooks signature and read the JSON."""
    return Webhook(secret).verify(receiver_request["body"], receiver_request["headers"])


def pending(endpoint) -> list[WebhookDelivery]:
    return list(endpoint.deliveries.order_by("pk"))


# --- emission: the outbox in the caller's transaction -----------------------------------------------------------


def test_a_rolled_back_change_emits_nothing(organization, org_admin, staff, django_capture_on_commit_callbacks):
    endpoint, _ = webhook_endpoint_create(
        actor=staff, url="http://127.0.0.1:9/hooks", event_types=["organization.updated"]
    )

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        members_services.organization_update(actor=org_admin, organization=organization, description="Changed.")
        assert endpoint.deliveries.count() == 1  # recorded inside the transaction...
        raise RuntimeError("the request failed after the change")

    assert endpoint.deliveries.count() == 0  # ...and gone with it
    assert callbacks == []


def test_a_committed_change_emits_one_delivery_per_subscribed_active_endpoint(
    organization, org_admin, staff, django_capture_on_commit_callbacks
):
    subscribed = [
        make_endpoint(url="http://127.0.0.1:9/a", event_types=["organization.updated"]),
        make_endpoint(url="http://127.0.0.1:9/b", event_types=["organization.updated", "project.accepted"]),
        make_endpoint(url="http://127.0.0.1:9/c", event_types=["organization.updated"], organization=organization),
    ]
    make_endpoint(url="http://127.0.0.1:9/d", event_types=["project.accepted"])  # another type
    make_endpoint(url="http://127.0.0.1:9/e", event_types=["organization.updated"], active=False)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        members_services.organization_update(actor=org_admin, organization=organization, description="Changed.")

    deliveries = list(WebhookDelivery.objects.order_by("endpoint_id"))
    assert [delivery.endpoint_id for delivery in deliveries] == [endpoint.pk for endpoint in subscribed]
    assert len(callbacks) == 3
    assert len({delivery.message_id for delivery in deliveries}) == 1  # one event, one webhook-id
    assert deliveries[0].payload == {
        "type": "organization.updated",
        "timestamp": deliveries[0].payload["timestamp"],
        "data": {
            "id": organization.pk,
            "object": "organization",
            "url": f"http://127.0.0.1:8000/api/v1/organizations/{organization.slug}/",
        },
    }


def test_actions_that_are_not_event_types_cost_no_query(django_assert_num_queries, organization):
    make_endpoint(url="http://127.0.0.1:9/a", event_types=list(EVENT_TYPES))

    with django_assert_num_queries(0):
        assert services.webhook_event_emit(action="api_token.created", target=organization) == []


def test_an_organization_endpoint_never_receives_another_organizations_events(
    organization, other_organization, staff, django_capture_on_commit_callbacks
):
    types = ["organization.updated", "project.accepted", "registration.confirmed", "application.approved"]
    mine = make_endpoint(url="http://127.0.0.1:9/mine", event_types=types, organization=organization)
    theirs = make_endpoint(url="http://127.0.0.1:9/theirs", event_types=types, organization=other_organization)
    everything = make_endpoint(url="http://127.0.0.1:9/staff", event_types=types)

    # the other organization changes its profile
    members_services.organization_update(actor=staff, organization=other_organization, description="Theirs.")
    # a project sponsored by the other organization is accepted
    project = ProjectFactory(state=Project.State.PROPOSED)
    project.sponsors.add(other_organization)
    LeadFactory(project=project)
    projects_services.project_accept(actor=staff, project=project)
    # a person of the other organization registers for an event in its name
    newcomer = AdminAffiliationFactory(organization=other_organization).person
    from events import services as events_services

    registration = events_services.event_register(actor=newcomer, event=EventFactory())
    assert registration.organization_id == other_organization.pk

    assert mine.deliveries.count() == 0
    assert sorted(theirs.deliveries.values_list("event_type", flat=True)) == [
        "organization.updated",
        "project.accepted",
        "registration.confirmed",
    ]
    assert everything.deliveries.count() == 3

    # and the first organization's own change reaches its endpoint (and staff's), not the other's
    members_services.organization_update(actor=staff, organization=organization, description="Ours.")
    assert list(mine.deliveries.values_list("event_type", flat=True)) == ["organization.updated"]
    assert theirs.deliveries.count() == 3
    assert everything.deliveries.count() == 4


def test_the_organizations_an_event_is_about(organization, other_organization):
    project = ProjectFactory()
    project.sponsors.add(organization, other_organization)
    unsponsored = ProjectFactory()
    both = {organization.pk, other_organization.pk}

    assert organizations_concerned(organization) == {organization.pk}
    assert organizations_concerned(ApplicationFactory(organization=organization)) == {organization.pk}
    assert organizations_concerned(Affiliation.objects.create(person=UserFactory(), organization=organization)) == {
        organization.pk
    }
    assert organizations_concerned(project) == both
    assert organizations_concerned(ParticipationFactory(project=project)) == both
    assert organizations_concerned(CatalogEntryFactory(project=project)) == both
    assert organizations_concerned(unsponsored) == set()
    assert organizations_concerned(EventFactory(project=project)) == both
    assert organizations_concerned(EventFactory()) == set()
    registration = Registration.objects.create(event=EventFactory(), person=UserFactory(), organization=organization)
    assert organizations_concerned(registration) == {organization.pk}


def test_payload_urls_point_at_the_api(organization):
    application = ApplicationFactory(organization=organization)
    project = ProjectFactory()

    assert api_url(application) == f"http://127.0.0.1:8000/api/v1/applications/{application.pk}/"
    assert api_url(project) == f"http://127.0.0.1:8000/api/v1/projects/{project.slug}/"
    invitation_url = api_url(
        members_services.invitation_create(
            actor=AdminAffiliationFactory(organization=organization).person,
            organization=organization,
            email="new@example.org",
            role=Affiliation.Role.MEMBER,
        )
    )
    assert invitation_url.startswith(f"http://127.0.0.1:8000/api/v1/organizations/{organization.slug}/invitations/")


# --- delivery to a real receiver -----------------------------------------------------------------------------


def test_a_delivery_reaches_the_receiver_signed_and_verifiable(
    receiver, organization, org_admin, django_capture_on_commit_callbacks
):
    endpoint, secret = webhook_endpoint_create(
        actor=org_admin, url=receiver.url, event_types=["organization.updated"], organization=organization
    )

    with django_capture_on_commit_callbacks(execute=True):
        members_services.organization_update(actor=org_admin, organization=organization, description="Changed.")

    (request,) = receiver.requests
    assert request["path"] == "/hooks"
    payload = verify(request, secret)
    assert payload["type"] == "organization.updated"
    assert payload["data"]["id"] == organization.pk
    delivery = endpoint.deliveries.get()
    assert request["headers"]["webhook-id"] == delivery.message_id
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert delivery.attempts == 1 and delivery.last_status_code == 200
    attempt = delivery.attempt_log.get()
    assert attempt.succeeded and attempt.status_code == 200 and attempt.duration_ms >= 0
    with pytest.raises(WebhookVerificationError):  # the signature binds the body
        Webhook(secret).verify(request["body"].replace(b".updated", b".activated"), request["headers"])
    with pytest.raises(WebhookVerificationError):  # and the secret
        Webhook(secret_generate()).verify(request["body"], request["headers"])


def test_a_500_is_retried_later_from_the_database_then_succeeds(receiver, staff):
    endpoint, secret = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["organization.updated"])
    receiver.answer(500)
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)
    started = timezone.now()

    assert webhook_delivery_attempt(delivery_id=delivery.pk) is False

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1 and delivery.last_status_code == 500
    assert delivery.last_error == "The receiver answered 500."
    assert started + RETRY_DELAYS[0] <= delivery.next_attempt_at <= timezone.now() + RETRY_DELAYS[0]
    assert list(delivery.attempt_log.values_list("number", "status_code", "succeeded")) == [(1, 500, False)]
    # not due yet: neither the sweep nor a duplicated task sends it again
    assert tasks.webhooks_sweep() == 0
    assert webhook_delivery_attempt(delivery_id=delivery.pk) is False
    assert len(receiver.requests) == 1

    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        assert tasks.webhooks_sweep() == 1  # the beat job re-queues it; the (eager) task sends it

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert delivery.attempts == 2 and delivery.next_attempt_at is None
    assert list(delivery.attempt_log.order_by("number").values_list("number", "status_code")) == [(1, 500), (2, 200)]
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["headers"]["webhook-id"] == receiver.requests[1]["headers"]["webhook-id"]
    verify(receiver.requests[1], secret)


def test_the_retry_schedule_spans_about_a_day_then_gives_up(receiver, staff):
    endpoint, _ = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["organization.updated"])
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)
    now = timezone.now()

    for number in range(1, MAX_ATTEMPTS + 1):
        receiver.answer(503)
        with time_machine.travel(now, tick=False):
            webhook_delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        if number < MAX_ATTEMPTS:
            assert delivery.next_attempt_at == now + RETRY_DELAYS[number - 1]
            now = delivery.next_attempt_at

    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == MAX_ATTEMPTS == 7
    assert timedelta(hours=18) <= sum(RETRY_DELAYS, timedelta()) <= timedelta(hours=30)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1 and endpoint.active


def test_a_410_disables_the_endpoint_and_tells_its_owners(receiver, organization, org_admin):
    endpoint, _ = webhook_endpoint_create(
        actor=org_admin, url=receiver.url, event_types=["organization.updated"], organization=organization
    )
    second_admin = AdminAffiliationFactory(organization=organization).person
    receiver.answer(410)
    delivery = services.webhook_endpoint_send_test(actor=org_admin, endpoint=endpoint)

    webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 1  # no retry after 410
    assert not endpoint.active
    assert "410" in endpoint.disabled_reason
    notifications = Notification.objects.filter(subject__contains="Webhook deliveries")
    assert sorted(notifications.values_list("email", flat=True)) == sorted([org_admin.email, second_admin.email])
    assert endpoint.url in notifications.first().body
    # nothing more is sent to a disabled endpoint
    members_services.organization_update(actor=org_admin, organization=organization, description="Again.")
    assert endpoint.deliveries.count() == 1


def test_the_owner_is_emailed_when_the_endpoint_is_disabled(receiver, staff, django_capture_on_commit_callbacks):
    endpoint, _ = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["organization.updated"])
    receiver.answer(410)
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_attempt(delivery_id=delivery.pk)

    (message,) = mail.outbox
    assert message.to == [staff.email]
    assert "Webhook deliveries to" in message.subject
    assert f"/webhooks/{endpoint.pk}/" in message.body


def test_a_long_run_of_failed_deliveries_disables_the_endpoint(receiver, staff):
    endpoint, _ = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["organization.updated"])
    endpoint.consecutive_failures = DISABLE_AFTER_FAILED_DELIVERIES - 2
    endpoint.save(update_fields=["consecutive_failures"])

    def fail_for_good() -> None:
        delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS - 1)
        receiver.answer(500)
        webhook_delivery_attempt(delivery_id=delivery.pk)

    fail_for_good()
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.consecutive_failures == DISABLE_AFTER_FAILED_DELIVERIES - 1

    fail_for_good()
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.disabled_reason == "10 deliveries in a row failed after every retry."
    assert Notification.objects.filter(email=staff.email, subject__contains=endpoint.url).count() == 1


def test_a_success_resets_the_run_of_failures(receiver, staff):
    endpoint, _ = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["organization.updated"])
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=DISABLE_AFTER_FAILED_DELIVERIES - 1)

    webhook_delivery_attempt(delivery_id=services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint).pk)

    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.consecutive_failures == 0


def test_redirects_are_not_followed(receiver, staff):
    endpoint, _ = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["organization.updated"])
    receiver.answer(302, {"Location": "http://169.254.169.254/latest/meta-data/"})
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) is False

    delivery.refresh_from_db()
    assert len(receiver.requests) == 1  # only the first request; the Location was not visited
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.last_status_code == 302
    assert "redirects are not followed" in delivery.last_error
    assert "169.254.169.254" in delivery.last_error


def test_an_unreachable_receiver_is_a_logged_failure(staff):
    endpoint, _ = webhook_endpoint_create(actor=staff, url="http://127.0.0.1:9/closed", event_types=["event.cancelled"])
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) is False

    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and attempt.error == "The receiver refused the connection."


def test_a_task_run_twice_sends_once(receiver, staff):
    endpoint, _ = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["organization.updated"])
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)

    assert tasks.deliver_webhook(delivery.pk) is True
    assert tasks.deliver_webhook(delivery.pk) is False

    assert len(receiver.requests) == 1


def test_the_broker_being_down_delays_but_loses_nothing(
    receiver, organization, org_admin, staff, monkeypatch, django_capture_on_commit_callbacks
):
    endpoint, _ = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["organization.updated"])

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_webhook, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        members_services.organization_update(actor=org_admin, organization=organization, description="Changed.")
    assert receiver.requests == []
    assert endpoint.deliveries.get().status == WebhookDelivery.Status.PENDING

    monkeypatch.undo()
    assert tasks.webhooks_sweep() == 1

    assert endpoint.deliveries.get().status == WebhookDelivery.Status.SUCCEEDED
    assert len(receiver.requests) == 1


def test_a_rotated_secret_signs_with_both_secrets_for_a_day(receiver, staff):
    endpoint, old_secret = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["event.cancelled"])
    endpoint, new_secret = services.webhook_endpoint_rotate_secret(actor=staff, endpoint=endpoint)
    assert new_secret != old_secret and new_secret.startswith("whsec_")

    webhook_delivery_attempt(delivery_id=services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint).pk)
    verify(receiver.requests[0], new_secret)
    verify(receiver.requests[0], old_secret)

    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=True):
        webhook_delivery_attempt(delivery_id=services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint).pk)
        verify(receiver.requests[1], new_secret)
        with pytest.raises(WebhookVerificationError):
            verify(receiver.requests[1], old_secret)


def test_resend_sends_the_same_event_again(receiver, staff):
    endpoint, secret = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["event.cancelled"])
    original = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)
    webhook_delivery_attempt(delivery_id=original.pk)

    copy = services.webhook_delivery_resend(actor=staff, delivery=original)
    webhook_delivery_attempt(delivery_id=copy.pk)

    assert copy.resent_from_id == original.pk
    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert json.loads(first["body"]) == verify(second, secret)


def test_deliveries_of_a_deactivated_endpoint_are_closed_without_sending(receiver, staff):
    endpoint, _ = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["event.cancelled"])
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)
    services.webhook_endpoint_deactivate(actor=staff, endpoint=endpoint)

    assert tasks.webhooks_sweep() == 1

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_error == "Not sent: the endpoint is not active."
    assert receiver.requests == []
    with pytest.raises(DomainError, match="Activate the endpoint"):
        services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)


# --- the SSRF guard ------------------------------------------------------------------------------------------

FORBIDDEN_URLS = [
    ("http://10.0.0.1/hooks", "a private address"),
    ("http://192.168.1.1/hooks", "a private address"),
    ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
    ("http://[fd00:ec2::254]/", "a cloud metadata address"),
    ("http://[::1]:8000/hooks", "a loopback address"),
    ("http://127.0.0.1:8000/hooks", "a loopback address"),
    ("http://sneaky.example.test/hooks", "a loopback address"),  # a name that resolves to 127.0.0.1
    ("http://[::ffff:10.1.2.3]/", "a private address"),
    ("http://[64:ff9b::a9fe:a9fe]/", "a cloud metadata address"),  # NAT64 of 169.254.169.254
    ("http://[2002:c0a8:0101::1]/", "a private address"),  # 6to4 of 192.168.1.1
    ("http://224.0.0.1/", "a multicast address"),
    ("http://0.0.0.0/", "an unspecified address"),
    ("ftp://hooks.example.org/", "Only http:// and https://"),
    ("http://user:secret@hooks.example.org/", "no user name or password"),
]


@pytest.fixture
def no_loopback(settings, fake_dns):
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    fake_dns["sneaky.example.test"] = "127.0.0.1"
    fake_dns["hooks.example.org"] = "93.184.215.14"


@pytest.mark.parametrize(("url", "reason"), FORBIDDEN_URLS)
def test_forbidden_addresses_are_refused_at_registration(url, reason, staff, no_loopback, no_connections):
    with pytest.raises(UnsafeDestination, match=reason) as refusal:
        webhook_endpoint_create(actor=staff, url=url, event_types=["organization.updated"])

    assert refusal.value.field == "url"
    assert WebhookEndpoint.objects.count() == 0
    assert no_connections == []


@pytest.mark.parametrize(("url", "reason"), FORBIDDEN_URLS)
def test_forbidden_addresses_are_refused_at_send_time(url, reason, staff, no_loopback, no_connections):
    endpoint = make_endpoint(url=url, event_types=["organization.updated"], created_by=staff)
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)

    assert webhook_delivery_attempt(delivery_id=delivery.pk) is False

    delivery.refresh_from_db()
    assert reason in delivery.last_error
    assert delivery.last_status_code is None and delivery.status == WebhookDelivery.Status.PENDING
    assert no_connections == []


def test_a_name_that_turns_private_after_registration_is_refused_before_connecting(
    staff, settings, fake_dns, no_connections
):
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    fake_dns["rebind.example.org"] = "93.184.215.14"
    endpoint, _ = webhook_endpoint_create(
        actor=staff, url="http://rebind.example.org/", event_types=["event.cancelled"]
    )
    fake_dns["rebind.example.org"] = "10.0.0.1"  # DNS changed since
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)

    webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.last_error == "Webhooks cannot be sent to rebind.example.org (10.0.0.1): it is a private address."
    assert no_connections == []


def test_the_connection_goes_to_the_checked_address(receiver, staff, fake_dns):
    """The name is resolved once, checked, and that very address is dialled; the Host header keeps the name."""
    fake_dns["receiver.example.test"] = "127.0.0.1"
    url = receiver.url.replace("127.0.0.1", "receiver.example.test")
    endpoint, secret = webhook_endpoint_create(actor=staff, url=url, event_types=["event.cancelled"])

    webhook_delivery_attempt(delivery_id=services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint).pk)

    (request,) = receiver.requests
    assert request["headers"]["Host"].startswith("receiver.example.test:")
    verify(request, secret)


def test_metadata_addresses_are_refused_even_inside_allowed_networks(settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["169.254.0.0/16", "10.0.0.0/8"]

    assert destination_check("http://10.0.0.1/").addresses == ("10.0.0.1",)
    with pytest.raises(UnsafeDestination, match="cloud metadata"):
        destination_check("http://169.254.169.254/")


def test_loopback_is_allowed_only_by_the_setting(settings):
    assert destination_check("http://127.0.0.1:8000/x?y=1").target == "/x?y=1"
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    with pytest.raises(UnsafeDestination):
        destination_check("http://127.0.0.1:8000/x")


def test_an_unknown_host_is_refused():
    with pytest.raises(UnsafeDestination, match="could not be found"):
        destination_check("https://no-such-host.invalid/")


# --- endpoint rules ------------------------------------------------------------------------------------------


def test_who_may_register_which_endpoint(organization, org_admin, org_member, other_admin, staff, person):
    url = "http://127.0.0.1:9/hooks"
    with pytest.raises(NotPermitted):
        webhook_endpoint_create(actor=org_admin, url=url, event_types=["organization.updated"])  # staff-level
    with pytest.raises(NotPermitted):
        webhook_endpoint_create(actor=other_admin, url=url, event_types=["event.cancelled"], organization=organization)
    with pytest.raises(NotPermitted):
        webhook_endpoint_create(actor=org_member, url=url, event_types=["event.cancelled"], organization=organization)
    with pytest.raises(NotPermitted):
        services.webhook_default_organization(actor=person)

    assert services.webhook_default_organization(actor=org_admin) == organization
    assert services.webhook_default_organization(actor=staff) is None
    endpoint, secret = webhook_endpoint_create(
        actor=org_admin, url=url, event_types=["event.cancelled"], organization=organization
    )
    assert endpoint.organization == organization and secret == endpoint.secret
    staff_endpoint, _ = webhook_endpoint_create(actor=staff, url=url, event_types=["event.cancelled"])
    assert staff_endpoint.is_staff_level
    with pytest.raises(NotPermitted):
        services.webhook_endpoint_rotate_secret(actor=org_admin, endpoint=staff_endpoint)
    with pytest.raises(NotPermitted):
        services.webhook_endpoint_delete(actor=other_admin, endpoint=endpoint)


def test_an_admin_of_several_organizations_must_say_which(org_admin):
    AdminAffiliationFactory(person=org_admin, organization=OrganizationFactory())

    with pytest.raises(DomainError, match="several organizations") as refusal:
        services.webhook_default_organization(actor=org_admin)
    assert refusal.value.field == "organization"


@pytest.mark.parametrize(
    ("event_types", "message"),
    [([], "Choose at least one event type."), (["organization.updated", "nope"], "Unknown event types: nope.")],
)
def test_event_types_must_be_known(staff, event_types, message):
    with pytest.raises(DomainError, match=message):
        webhook_endpoint_create(actor=staff, url="http://127.0.0.1:9/", event_types=event_types)


def test_reactivation_clears_the_disabled_state(staff):
    endpoint = make_endpoint(
        url="http://127.0.0.1:9/",
        event_types=["event.cancelled"],
        active=False,
        disabled_reason="The receiver answered 410 Gone.",
        consecutive_failures=10,
    )

    endpoint = services.webhook_endpoint_activate(actor=staff, endpoint=endpoint)

    assert endpoint.active and endpoint.disabled_reason == "" and endpoint.consecutive_failures == 0


def test_changes_to_endpoints_are_audited_and_never_sent_as_events(staff):
    endpoint, _ = webhook_endpoint_create(actor=staff, url="http://127.0.0.1:9/", event_types=list(EVENT_TYPES))
    services.webhook_endpoint_update(actor=staff, endpoint=endpoint, description="Our CRM")
    services.webhook_endpoint_rotate_secret(actor=staff, endpoint=endpoint)

    from alliance.models import AuditEntry

    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "webhook.created",
        "webhook.updated",
        "webhook.secret_rotated",
    ]
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_delivery_send_it_once(receiver, staff, monkeypatch):
    """The row lock with SKIP LOCKED: while one worker sends, the other skips the delivery instead of sending."""
    monkeypatch.setattr(services.emission, "_enqueue", lambda delivery_id: None)  # only the two workers below send
    endpoint, _ = webhook_endpoint_create(actor=staff, url=receiver.url, event_types=["event.cancelled"])
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint)
    receiver.delay = 0.5
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(webhook_delivery_attempt(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)

    assert sorted(results) == [False, True]
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 1
