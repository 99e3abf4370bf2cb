"""Webhook events of the registry: a round opened, a submission received, a round published, a result removed.

Each is recorded as a delivery in the change's transaction, to the staff-level endpoints subscribed to it and to
the endpoints of the organizations it concerns: a round concerns its project's sponsors and, once submitted to,
its submitters; a submission only its own organization (while the round is open nobody else may know of it).
"""

from datetime import timedelta

import pytest
from standardwebhooks import Webhook

from alliance.webhooks.models import WebhookDelivery, WebhookEndpoint
from alliance.webhooks.signing import secret_generate
from projects.benchmarks import services

from .conftest import PUBLISH_AT, REVIEW_BY, SUBMIT_BY, in_state

pytestmark = pytest.mark.django_db

BENCHMARK_EVENTS = [
    "benchmark_round.opened",
    "benchmark_submission.received",
    "benchmark_round.published",
    "benchmark_result.removed",
]


def endpoint(url: str, organization=None) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        secret=secret_generate(), url=url, event_types=BENCHMARK_EVENTS, organization=organization
    )


def heard(endpoint: WebhookEndpoint) -> list[tuple[str, str, int]]:
    return [
        (delivery.event_type, delivery.payload["data"]["object"], delivery.payload["data"]["id"])
        for delivery in endpoint.deliveries.order_by("pk")
    ]


def test_each_benchmark_event_reaches_staff_and_only_the_organizations_it_concerns(registry):
    # given a staff-level endpoint, and the endpoints of the host (the project's sponsor), A, B and C
    staff = endpoint("http://127.0.0.1:9/staff")
    host, a, b, c = (
        endpoint(f"http://127.0.0.1:9/{key}", organization)
        for key, organization in (("host", registry.host), *registry.organizations.items())
    )

    # when a round opens, A and B submit, the round is published and B's result removed after an objection
    round = services.round_open(
        actor=registry.lead,
        benchmark=registry.benchmark,
        version="v2.0",
        harness_url="https://git.example.org/harness",
        harness_commit="9e8d7c6",
        submission_deadline=SUBMIT_BY,
        review_deadline=REVIEW_BY,
        publish_at=PUBLISH_AT,
    )
    registry.round = round
    world = in_state(registry, "published")
    services.objection_uphold(actor=registry.staff, objection=world.objection, outcome="remove", reason="Not sold.")
    ids = {"round": round.pk, "a": world.submissions["a"].pk, "b": world.submissions["b"].pk}

    # then staff heard all of it, in order, with thin payloads naming the objects
    assert heard(staff) == [
        ("benchmark_round.opened", "benchmark_round", ids["round"]),
        ("benchmark_submission.received", "benchmark_submission", ids["a"]),
        ("benchmark_submission.received", "benchmark_submission", ids["b"]),
        ("benchmark_round.published", "benchmark_round", ids["round"]),
        ("benchmark_result.removed", "benchmark_submission", ids["b"]),
    ]
    # the sponsor heard of the round; A and B of the round's publication and of their own submissions only
    assert heard(host) == [
        ("benchmark_round.opened", "benchmark_round", ids["round"]),
        ("benchmark_round.published", "benchmark_round", ids["round"]),
    ]
    assert heard(a) == [
        ("benchmark_submission.received", "benchmark_submission", ids["a"]),
        ("benchmark_round.published", "benchmark_round", ids["round"]),
    ]
    assert heard(b) == [
        ("benchmark_submission.received", "benchmark_submission", ids["b"]),
        ("benchmark_round.published", "benchmark_round", ids["round"]),
        ("benchmark_result.removed", "benchmark_submission", ids["b"]),
    ]
    assert heard(c) == []
    # and the payloads point at the API's resources
    urls = {delivery.event_type: delivery.payload["data"]["url"] for delivery in staff.deliveries.all()}
    assert urls["benchmark_round.published"].endswith(f"/api/v1/rounds/{round.pk}/")
    assert urls["benchmark_result.removed"].endswith(f"/api/v1/submissions/{ids['b']}/")


def test_a_fix_not_made_before_publication_is_a_result_removed_event(registry):
    staff = endpoint("http://127.0.0.1:9/staff")
    world = in_state(registry, "review")
    # the objection to B's is upheld with a fix that B never makes
    services.objection_uphold(actor=registry.lead, objection=world.objection, outcome="fix_required", reason="Rerun.")
    registry.publish()

    removed = [entry for entry in heard(staff) if entry[0] == "benchmark_result.removed"]
    assert removed == [("benchmark_result.removed", "benchmark_submission", world.submissions["b"].pk)]


def test_the_publication_reaches_a_real_receiver_signed(registry, receiver, django_capture_on_commit_callbacks):
    # given a staff endpoint pointing at a local receiver
    secret = secret_generate()
    WebhookEndpoint.objects.create(secret=secret, url=receiver.url, event_types=["benchmark_round.published"])
    in_state(registry, "review")
    services.objection_dismiss(actor=registry.staff, objection=registry.objection, reason="Fine.")
    registry.at(REVIEW_BY + timedelta(minutes=1))

    # when the lead publishes and the change commits
    with django_capture_on_commit_callbacks(execute=True):
        services.round_publish(actor=registry.lead, round=registry.round)

    # then the receiver got one signed, verifiable event about the round
    (request,) = receiver.requests
    payload = Webhook(secret).verify(request["body"], request["headers"])
    assert payload["type"] == "benchmark_round.published"
    assert payload["data"] == {
        "id": registry.round.pk,
        "object": "benchmark_round",
        "url": f"http://127.0.0.1:8000/api/v1/rounds/{registry.round.pk}/",
    }
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED
