"""Webhook pages: who may open them, registering with the secret shown once, editing, switching on and off,
rotating, test send, the delivery log with re-send, deleting, and the menu link."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.webhooks import services
from alliance.webhooks.models import WebhookDelivery, WebhookEndpoint
from alliance.webhooks.services import webhook_delivery_attempt, webhook_endpoint_create

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:9/hooks"


@pytest.fixture
def endpoint(organization, org_admin):
    endpoint, _ = webhook_endpoint_create(
        actor=org_admin, url=URL, event_types=["organization.updated"], organization=organization
    )
    return endpoint


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(reverse("webhooks:endpoint_list"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_people_who_administer_nothing_are_refused(client, person):
    client.force_login(person)

    assert client.get(reverse("webhooks:endpoint_list")).status_code == 403
    assert client.get(reverse("webhooks:endpoint_create")).status_code == 403


def test_another_organizations_endpoint_is_not_found(client, other_admin, endpoint):
    client.force_login(other_admin)

    assert client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("webhooks:endpoint_action", args=[endpoint.pk, "rotate"])).status_code == 404
    assert client.get(reverse("webhooks:endpoint_list")).context["endpoints"].count() == 0


def test_the_menu_links_to_webhooks_for_admins_and_staff_only(client, person, org_admin, staff):
    link = f'href="{reverse("webhooks:endpoint_list")}"'
    for user, shown in ((person, False), (org_admin, True), (staff, True)):
        client.force_login(user)
        assert (link in client.get(reverse("home")).content.decode()) is shown


def test_registering_shows_the_secret_once(client, org_admin, organization):
    client.force_login(org_admin)

    response = client.post(
        reverse("webhooks:endpoint_create"),
        {"organization": organization.pk, "url": URL, "event_types": ["organization.updated", "event.cancelled"]},
    )

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.organization == organization and endpoint.event_types == ["organization.updated", "event.cancelled"]
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk])).content.decode()


def test_an_unsafe_url_is_a_form_error(client, staff, settings, no_connections):
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    client.force_login(staff)

    response = client.post(
        reverse("webhooks:endpoint_create"), {"url": "http://[::1]/", "event_types": ["event.cancelled"]}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["url"] == ["Webhooks cannot be sent to ::1: it is a loopback address."]
    assert WebhookEndpoint.objects.count() == 0


def test_an_organization_admin_must_choose_their_organization(client, org_admin):
    client.force_login(org_admin)

    response = client.post(reverse("webhooks:endpoint_create"), {"url": URL, "event_types": ["event.cancelled"]})

    assert response.status_code == 400 and "organization" in response.context["form"].errors


def test_editing_the_endpoint(client, org_admin, endpoint):
    client.force_login(org_admin)

    response = client.post(
        reverse("webhooks:endpoint_edit", args=[endpoint.pk]),
        {"url": "http://127.0.0.1:9/other", "description": "CRM", "event_types": ["application.approved"]},
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.description, endpoint.event_types) == (
        "http://127.0.0.1:9/other",
        "CRM",
        ["application.approved"],
    )


def test_deactivate_activate_rotate_and_delete(client, org_admin, endpoint):
    client.force_login(org_admin)
    old_secret = endpoint.secret

    client.post(reverse("webhooks:endpoint_action", args=[endpoint.pk, "deactivate"]))
    assert not WebhookEndpoint.objects.get(pk=endpoint.pk).active
    client.post(reverse("webhooks:endpoint_action", args=[endpoint.pk, "activate"]))
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).active

    rotated = client.post(reverse("webhooks:endpoint_action", args=[endpoint.pk, "rotate"]))
    new_secret = WebhookEndpoint.objects.get(pk=endpoint.pk).secret
    assert new_secret != old_secret and new_secret in rotated.content.decode()

    deleted = client.post(reverse("webhooks:endpoint_action", args=[endpoint.pk, "delete"]))
    assert deleted.status_code == 302 and not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_test_send_and_the_delivery_log_with_resend(
    client, receiver, org_admin, organization, django_capture_on_commit_callbacks
):
    endpoint, _ = webhook_endpoint_create(
        actor=org_admin, url=receiver.url, event_types=["organization.updated"], organization=organization
    )
    receiver.answer(503)
    client.force_login(org_admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:endpoint_action", args=[endpoint.pk, "test"]))
    delivery = endpoint.deliveries.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)

    page = client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk])).content.decode()
    assert "webhook.test" in page and "503" in page and "The receiver answered 503." in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:delivery_resend", args=[endpoint.pk, delivery.pk]))
    resent = endpoint.deliveries.get(resent_from=delivery)
    assert resent.status == WebhookDelivery.Status.SUCCEEDED and len(receiver.requests) == 2


def test_the_delivery_log_costs_the_same_queries_for_2_and_20_deliveries(client, staff, endpoint):
    """The page layout's own queries belong to others; what matters here is that rows cost no query each."""
    client.force_login(staff)
    counts = []
    for total in (2, 20):
        while endpoint.deliveries.count() < total:
            webhook_delivery_attempt(delivery_id=services.webhook_endpoint_send_test(actor=staff, endpoint=endpoint).pk)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk]))
        assert response.content.decode().count("The receiver refused the connection.") == total
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
