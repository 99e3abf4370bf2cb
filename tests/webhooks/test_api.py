"""The webhooks API: the permission matrix over five roles, the secret shown once, rotation, the delivery log,
test send and re-send, and refusals of unsafe URLs."""

import pytest
from standardwebhooks import Webhook

from alliance.webhooks import services
from alliance.webhooks.models import WebhookDelivery, WebhookEndpoint
from alliance.webhooks.services import webhook_delivery_attempt, webhook_endpoint_create
from tests.api_matrix import client_as

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "person", "other_admin", "org_admin", "staff")
URL = "http://127.0.0.1:9/hooks"


@pytest.fixture
def users(person, other_admin, org_admin, staff):
    return {"anonymous": None, "person": person, "other_admin": other_admin, "org_admin": org_admin, "staff": staff}


@pytest.fixture
def org_endpoint(organization, org_admin):
    endpoint, _ = webhook_endpoint_create(
        actor=org_admin, url=URL, event_types=["organization.updated"], organization=organization
    )
    return endpoint


@pytest.fixture
def staff_endpoint(staff):
    endpoint, _ = webhook_endpoint_create(actor=staff, url=URL, event_types=["project.accepted"])
    return endpoint


# (method, path, body, expected codes for anonymous, person, other_admin, org_admin, staff)
MATRIX = [
    ("get", "/api/v1/webhooks/{org}/", None, (401, 404, 404, 200, 200)),
    ("get", "/api/v1/webhooks/{staff}/", None, (401, 404, 404, 404, 200)),
    ("patch", "/api/v1/webhooks/{org}/", {"description": "CRM"}, (401, 404, 404, 200, 200)),
    ("put", "/api/v1/webhooks/{org}/", {"url": URL, "event_types": ["event.cancelled"]}, (401, 404, 404, 200, 200)),
    ("patch", "/api/v1/webhooks/{staff}/", {"description": "CRM"}, (401, 404, 404, 404, 200)),
    ("post", "/api/v1/webhooks/{org}/rotate-secret/", None, (401, 404, 404, 200, 200)),
    ("get", "/api/v1/webhooks/{org}/deliveries/", None, (401, 404, 404, 200, 200)),
    ("post", "/api/v1/webhooks/{org}/test/", None, (401, 404, 404, 202, 202)),
    ("post", "/api/v1/webhooks/{org}/deliveries/{delivery}/resend/", None, (401, 404, 404, 202, 202)),
    ("delete", "/api/v1/webhooks/{org}/", None, (401, 404, 404, 204, 204)),
    ("post", "/api/v1/webhooks/", {"url": URL, "event_types": ["event.cancelled"]}, (401, 403, 201, 201, 201)),
    (
        "post",
        "/api/v1/webhooks/",
        {"url": URL, "event_types": ["event.cancelled"], "organization": "{slug}"},
        (401, 403, 403, 201, 201),
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX)
@pytest.mark.parametrize("role", range(len(ROLES)), ids=ROLES)
def test_permission_matrix(
    method, path, body, expected, role, users, organization, org_endpoint, staff_endpoint, staff
):
    delivery = services.webhook_endpoint_send_test(actor=staff, endpoint=org_endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)
    url = path.format(org=org_endpoint.pk, staff=staff_endpoint.pk, delivery=delivery.pk)
    if body and body.get("organization") == "{slug}":
        body = {**body, "organization": organization.slug}

    response = getattr(client_as(users[ROLES[role]]), method)(url, body, format="json")

    assert response.status_code == expected[role], response.content


@pytest.mark.parametrize("role", ROLES)
def test_the_list_holds_only_what_one_may_manage(role, users, org_endpoint, staff_endpoint):
    response = client_as(users[role]).get("/api/v1/webhooks/")

    if role == "anonymous":
        assert response.status_code == 401
        return
    ids = {row["id"] for row in response.json()["results"]}
    assert (
        ids
        == {
            "person": set(),
            "other_admin": set(),
            "org_admin": {org_endpoint.pk},
            "staff": {org_endpoint.pk, staff_endpoint.pk},
        }[role]
    )


def test_create_answers_the_secret_once(org_admin, organization):
    client = client_as(org_admin)

    response = client.post(
        "/api/v1/webhooks/", {"url": URL, "event_types": ["organization.updated", "event.cancelled"]}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["organization"] == organization.slug
    assert body["event_types"] == ["organization.updated", "event.cancelled"]
    assert WebhookEndpoint.objects.get(pk=body["id"]).secret == body["secret"]
    detail = client.get(f"/api/v1/webhooks/{body['id']}/").json()
    listing = client.get("/api/v1/webhooks/").json()
    assert "secret" not in detail and body["secret"] not in str(listing) and body["secret"] not in str(detail)


def test_staff_create_staff_level_endpoints(staff):
    response = client_as(staff).post("/api/v1/webhooks/", {"url": URL, "event_types": ["event.cancelled"]})

    assert response.status_code == 201
    assert response.json()["organization"] is None


def test_rotate_secret_answers_the_new_secret_once(org_admin, org_endpoint):
    old = org_endpoint.secret

    response = client_as(org_admin).post(f"/api/v1/webhooks/{org_endpoint.pk}/rotate-secret/")

    assert response.status_code == 200
    secret = response.json()["secret"]
    assert secret != old and secret == WebhookEndpoint.objects.get(pk=org_endpoint.pk).secret


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.1/hooks", "it is a private address"),
        ("http://169.254.169.254/", "it is a cloud metadata address"),
        ("ftp://127.0.0.1/", "Only http:// and https:// URLs can receive webhooks."),
    ],
)
def test_unsafe_urls_answer_400_on_the_url_field(staff, url, message, no_connections):
    response = client_as(staff).post("/api/v1/webhooks/", {"url": url, "event_types": ["event.cancelled"]})

    assert response.status_code == 400
    assert message in response.json()["errors"]["url"][0]
    assert WebhookEndpoint.objects.count() == 0


def test_unknown_event_types_answer_400(staff):
    response = client_as(staff).post("/api/v1/webhooks/", {"url": URL, "event_types": ["organization.deleted"]})

    assert response.status_code == 400
    assert "event_types" in response.json()["errors"]


def test_patch_active_switches_deliveries_off_and_on(org_admin, org_endpoint):
    client = client_as(org_admin)

    off = client.patch(f"/api/v1/webhooks/{org_endpoint.pk}/", {"active": False}, format="json")
    on = client.patch(f"/api/v1/webhooks/{org_endpoint.pk}/", {"active": True}, format="json")

    assert off.status_code == 200 and off.json()["active"] is False
    assert on.status_code == 200 and on.json()["active"] is True


def test_test_send_and_the_delivery_log(receiver, org_admin, organization, django_capture_on_commit_callbacks):
    endpoint, secret = webhook_endpoint_create(
        actor=org_admin, url=receiver.url, event_types=["organization.updated"], organization=organization
    )
    receiver.answer(500)
    client = client_as(org_admin)

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/api/v1/webhooks/{endpoint.pk}/test/")
    assert sent.status_code == 202 and sent.json()["event_type"] == "webhook.test"
    delivery = WebhookDelivery.objects.get(pk=sent.json()["id"])
    assert delivery.attempts == 1  # tried at once after commit, and answered 500

    with django_capture_on_commit_callbacks(execute=True):
        resent = client.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/resend/")
    assert resent.status_code == 202 and resent.json()["resent_from"] == delivery.pk

    log = client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert log["count"] == 2
    newest, oldest = log["results"]
    assert newest["status"] == "succeeded" and newest["attempt_log"][0]["status_code"] == 200
    assert oldest["status"] == "pending" and oldest["next_attempt_at"] is not None
    assert oldest["attempt_log"] == [
        {
            "number": 1,
            "attempted_at": oldest["attempt_log"][0]["attempted_at"],
            "status_code": 500,
            "duration_ms": oldest["attempt_log"][0]["duration_ms"],
            "succeeded": False,
            "error": "The receiver answered 500.",
        }
    ]
    assert Webhook(secret).verify(receiver.requests[1]["body"], receiver.requests[1]["headers"])["type"] == (
        "webhook.test"
    )


def test_resend_of_another_endpoints_delivery_is_404(org_admin, organization, org_endpoint, staff, staff_endpoint):
    foreign = services.webhook_endpoint_send_test(actor=staff, endpoint=staff_endpoint)
    webhook_delivery_attempt(delivery_id=foreign.pk)

    response = client_as(org_admin).post(f"/api/v1/webhooks/{org_endpoint.pk}/deliveries/{foreign.pk}/resend/")

    assert response.status_code == 404


def test_session_writes_need_csrf(org_admin, org_endpoint, csrf_api_client):
    csrf_api_client.force_login(org_admin)

    response = csrf_api_client.post(f"/api/v1/webhooks/{org_endpoint.pk}/rotate-secret/")

    assert response.status_code == 403
