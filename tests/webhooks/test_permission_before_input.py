"""Permission before input, for every webhooks API action and form post: a caller who may not act hears 401/403
(or 404 for an endpoint they may not see) whatever the body says, and nothing changes; only a caller who may act
hears about a bad body (400)."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from alliance.webhooks.models import WebhookDelivery, WebhookEndpoint
from alliance.webhooks.services import webhook_endpoint_create, webhook_endpoint_send_test
from tests.api_matrix import Case, check_case

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "person", "other_admin", "org_admin", "staff")
URL = "http://127.0.0.1:9/hooks"
BAD_ENDPOINT = {"url": "ftp://10.0.0.1/", "event_types": ["organization.deleted"], "description": "x" * 300}
JUNK = {"secret": "whsec_mine", "status": "succeeded", "attempts": -1}


@dataclass
class World:
    users: dict[str, Any]
    organization: Any
    endpoint: WebhookEndpoint
    delivery: WebhookDelivery
    before: dict[str, Any]

    def endpoint_changed(self) -> bool:
        now = WebhookEndpoint.objects.filter(pk=self.endpoint.pk).values(*self.before).first()
        return now != self.before

    def endpoints_added(self) -> bool:
        return WebhookEndpoint.objects.count() != 1

    def deliveries_added(self) -> bool:
        return WebhookDelivery.objects.count() != 1


@pytest.fixture
def world(person, other_admin, org_admin, staff, organization):
    endpoint, _ = webhook_endpoint_create(
        actor=org_admin, url=URL, event_types=["organization.updated"], organization=organization
    )
    delivery = webhook_endpoint_send_test(actor=staff, endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)
    fields = ("url", "event_types", "description", "active", "secret")
    return World(
        users={"anonymous": None, "person": person, "other_admin": other_admin, "org_admin": org_admin, "staff": staff},
        organization=organization,
        endpoint=endpoint,
        delivery=delivery,
        before=WebhookEndpoint.objects.filter(pk=endpoint.pk).values(*fields).get(),
    )


ENDPOINT = "/webhooks/{w.endpoint.pk}/"
CASES = [
    Case(
        "create for another organization, with a bad body",
        "post",
        "/webhooks/",
        (401, 403, 403, 400, 400),
        body={**BAD_ENDPOINT, "organization": "{w.organization.slug}"},
        changed=World.endpoints_added,
    ),
    Case(
        "create with a body of the wrong shape",
        "post",
        "/webhooks/",
        (401, 403, 400, 400, 400),  # an admin of another organization may register webhooks: they hear why not
        body={"url": ["not", "a", "string"], "event_types": "organization.updated", "organization": 12},
        changed=World.endpoints_added,
    ),
    Case(
        "edit (PATCH), with a bad body",
        "patch",
        ENDPOINT,
        (401, 404, 404, 400, 400),
        body={**BAD_ENDPOINT, "active": "perhaps"},
        changed=World.endpoint_changed,
    ),
    Case(
        "edit (PUT), with a bad body",
        "put",
        ENDPOINT,
        (401, 404, 404, 400, 400),
        body=BAD_ENDPOINT,
        changed=World.endpoint_changed,
    ),
    Case(
        "disable",
        "patch",
        ENDPOINT,
        (401, 404, 404, 200, 200),
        body={"active": False},
        changed=World.endpoint_changed,
    ),
    Case(
        "rotate the secret, with junk in the body",
        "post",
        ENDPOINT + "rotate-secret/",
        (401, 404, 404, 200, 200),
        body=JUNK,
        changed=World.endpoint_changed,
    ),
    Case(
        "send a test event, with junk in the body",
        "post",
        ENDPOINT + "test/",
        (401, 404, 404, 202, 202),
        body=JUNK,
        changed=World.deliveries_added,
    ),
    Case(
        "re-send a delivery, with junk in the body",
        "post",
        ENDPOINT + "deliveries/{w.delivery.pk}/resend/",
        (401, 404, 404, 202, 202),
        body=JUNK,
        changed=World.deliveries_added,
    ),
    Case("delete", "delete", ENDPOINT, (401, 404, 404, 204, 204), changed=World.endpoints_added),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.parametrize("role", ROLES)
def test_the_api_asks_permission_before_it_reads_the_body(world, case, role):
    check_case(world, case, role, ROLES)


# --- the pages -----------------------------------------------------------------------------------------------------


def test_a_person_who_manages_no_webhooks_is_refused_a_bad_registration_form(client, person):
    client.force_login(person)

    response = client.post(reverse("webhooks:endpoint_create"), {**BAD_ENDPOINT, "organization": "nope"})

    assert response.status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_an_admin_of_another_organization_gets_404_for_every_form_post_on_the_endpoint(client, world, other_admin):
    client.force_login(other_admin)
    endpoint = world.endpoint

    posts = [
        (reverse("webhooks:endpoint_edit", args=[endpoint.pk]), BAD_ENDPOINT),
        *(
            (reverse("webhooks:endpoint_action", args=[endpoint.pk, action]), JUNK)
            for action in ("activate", "deactivate", "rotate", "test", "delete", "no-such-action")
        ),
        (reverse("webhooks:delivery_resend", args=[endpoint.pk, world.delivery.pk]), JUNK),
    ]
    for url, body in posts:
        assert client.post(url, body).status_code == 404, url

    assert not world.endpoint_changed()
    assert not world.deliveries_added()


def test_anonymous_form_posts_are_sent_to_sign_in(client, world):
    endpoint = world.endpoint
    for url in (
        reverse("webhooks:endpoint_create"),
        reverse("webhooks:endpoint_edit", args=[endpoint.pk]),
        reverse("webhooks:endpoint_action", args=[endpoint.pk, "rotate"]),
        reverse("webhooks:delivery_resend", args=[endpoint.pk, world.delivery.pk]),
    ):
        response = client.post(url, BAD_ENDPOINT)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url

    assert not world.endpoint_changed() and not world.endpoints_added() and not world.deliveries_added()


def test_only_a_manager_hears_about_the_bad_form(client, world, org_admin):
    client.force_login(org_admin)

    response = client.post(reverse("webhooks:endpoint_edit", args=[world.endpoint.pk]), BAD_ENDPOINT)

    assert response.status_code == 400
    assert response.context["form"].errors  # the choice field, or the service on the URL
    assert not world.endpoint_changed()
