"""Permission before input, for the benchmark registry: whoever may not act hears 403 (404 where they may not even
see the submission or objection, 401 when not signed in to the API), whatever the body says, and nothing changes.
Only a caller who may act hears about bad input (400), as the last tests here show.

The round is in review (A and B submitted, review started, A objects to B's submission); every call sends a body
that would be refused as invalid; the answer must be the refusal of the caller.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alliance.models import AuditEntry, Notification
from projects.benchmarks.models import Benchmark, Metric, Objection, Result, Review, Round, Submission
from tests.api_matrix import API, client_as

from .conftest import Registry, in_state

pytestmark = pytest.mark.django_db

WATCHED = [Benchmark, Metric, Round, Submission, Result, Review, Objection, AuditEntry, Notification]
NOT_TEXT = {"not": "text"}


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row a benchmark action could write, to compare before and after a refused call."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


@pytest.fixture
def world(registry) -> Registry:
    return in_state(registry, "review")


@dataclass
class Call:
    name: str
    who: str  # a role of registry.users
    method: str
    path: str  # formatted with ``w``, the registry
    body: dict[str, Any]
    expected: int


BAD_SUBMISSION = {"organization": "nowhere", "division": "premium", "system": "x", "results": [1], "artifacts": 5}
A = "/submissions/{w.submissions[a].pk}"
B = "/submissions/{w.submissions[b].pk}"
OBJECTION = "/objections/{w.objection.pk}"

API_CALLS = [
    Call("define, anonymous", "anonymous", "post", "/benchmarks/", {"project": 5, "metrics": "x"}, 401),
    Call("define, a member who leads nothing", "member", "post", "/benchmarks/",
         {"project": 5, "metrics": "x", "rules": NOT_TEXT}, 403),
    Call("define, a person in no organization", "person", "post", "/benchmarks/", {"metrics": [{"key": 1}]}, 403),
    Call("rewrite the rules, submitter", "submitter", "patch", "/benchmarks/{w.benchmark.slug}/",
         {"rules": NOT_TEXT, "catalog_entry": "x"}, 403),
    Call("open a round, submitter", "submitter", "post", "/benchmarks/{w.benchmark.slug}/rounds/",
         {"version": "", "submission_deadline": "soon"}, 403),
    Call("open a round, anonymous", "anonymous", "post", "/benchmarks/{w.benchmark.slug}/rounds/", {"version": 1},
         401),
    Call("cancel, member", "member", "post", "/rounds/{w.round.pk}/cancel/", {"reason": NOT_TEXT}, 403),
    Call("cancel, objected", "objected", "post", "/rounds/{w.round.pk}/cancel/", {"reason": ""}, 403),
    Call("publish, submitter", "submitter", "post", "/rounds/{w.round.pk}/publish/", {"x": NOT_TEXT}, 403),
    Call("submit, person in no organization", "person", "post", "/rounds/{w.round.pk}/submissions/",
         BAD_SUBMISSION, 403),
    Call("submit, staff in no organization", "staff", "post", "/rounds/{w.round.pk}/submissions/", BAD_SUBMISSION,
         403),
    Call("change, the objected organization", "objected", "patch", A + "/",
         {"availability": "bogus", "results": []}, 403),
    Call("change, cannot see it", "member", "patch", A + "/", {"availability": "bogus"}, 404),
    Call("change, the lead", "lead", "patch", A + "/", {"system": 5}, 403),
    Call("withdraw, the objected organization", "objected", "post", A + "/withdraw/", {"x": NOT_TEXT}, 403),
    Call("withdraw, cannot see it", "person", "post", A + "/withdraw/", {"x": NOT_TEXT}, 404),
    Call("review, the lead", "lead", "post", B + "/reviews/", {"verdict": "bogus", "comment": NOT_TEXT}, 403),
    Call("review, own organization", "objected", "post", B + "/reviews/", {"verdict": "bogus"}, 403),
    Call("review, cannot see it", "member", "post", B + "/reviews/", {"verdict": "bogus"}, 404),
    Call("object, own organization", "objected", "post", B + "/objections/", {"rule": NOT_TEXT}, 403),
    Call("object, staff", "staff", "post", B + "/objections/", {"rule": "", "description": 5}, 403),
    Call("object, the lead of a non-submitting organization", "lead", "post", B + "/objections/", {"rule": ""}, 403),
    Call("object, cannot see it", "member", "post", B + "/objections/", {"rule": ""}, 404),
    Call("uphold, the objector", "submitter", "post", OBJECTION + "/uphold/", {"outcome": "bogus", "reason": 5},
         403),
    Call("uphold, the objected organization", "objected", "post", OBJECTION + "/uphold/", {"outcome": "bogus"},
         403),
    Call("uphold, cannot see it", "member", "post", OBJECTION + "/uphold/", {"outcome": "bogus"}, 404),
    Call("dismiss, the objected organization", "objected", "post", OBJECTION + "/dismiss/", {"reason": 5}, 403),
    Call("dismiss, anonymous", "anonymous", "post", OBJECTION + "/dismiss/", {"reason": 5}, 401),
]  # fmt: skip


def _path(world: Registry, path: str) -> str:
    return API + path.format(w=world)


@pytest.mark.parametrize("call", API_CALLS, ids=lambda call: call.name)
def test_the_api_refuses_the_caller_before_it_reads_the_body(world, call):
    # given
    client = client_as(world.users[call.who])
    before = snapshot()

    # when
    response = getattr(client, call.method)(_path(world, call.path), call.body, format="json")

    # then the caller's refusal, never a complaint about the body
    assert response.status_code == call.expected, response.content
    assert "errors" not in response.json()
    assert snapshot() == before


@dataclass
class PagePost:
    name: str
    who: str
    url_name: str
    arg: str  # formatted with ``w``, the registry ('' for none)
    body: dict[str, Any]
    expected: int


BAD_FORM = {"organization": "nowhere", "division": "premium", "accuracy": "high", "artifacts": "javascript:x"}

PAGE_POSTS = [
    PagePost("open a round, submitter", "submitter", "benchmarks:round_create", "{w.benchmark.slug}",
             {"version": "", "submission_deadline": "soon"}, 403),
    PagePost("publish, objected", "objected", "benchmarks:round_publish", "{w.round.pk}", {"x": "y"}, 403),
    PagePost("cancel, member", "member", "benchmarks:round_cancel", "{w.round.pk}", {"reason": "x" * 5000}, 403),
    PagePost("submit, person in no organization", "person", "benchmarks:submission_create", "{w.round.pk}",
             BAD_FORM, 403),
    PagePost("submit, staff in no organization", "staff", "benchmarks:submission_create", "{w.round.pk}",
             BAD_FORM, 403),
    PagePost("change, the objected organization", "objected", "benchmarks:submission_edit",
             "{w.submissions[a].pk}", BAD_FORM, 403),
    PagePost("change, cannot see it", "member", "benchmarks:submission_edit", "{w.submissions[a].pk}", BAD_FORM,
             404),
    PagePost("withdraw, the lead", "lead", "benchmarks:submission_withdraw", "{w.submissions[a].pk}", {"x": "y"},
             403),
    PagePost("review, the lead", "lead", "benchmarks:review_post", "{w.submissions[b].pk}", {"verdict": "bogus"},
             403),
    PagePost("review, cannot see it", "member", "benchmarks:review_post", "{w.submissions[b].pk}",
             {"verdict": "bogus"}, 404),
    PagePost("object, own organization", "objected", "benchmarks:objection_post", "{w.submissions[b].pk}",
             {"rule": "", "description": ""}, 403),
    PagePost("object, staff", "staff", "benchmarks:objection_post", "{w.submissions[b].pk}", {"rule": ""}, 403),
    PagePost("decide, the objector", "submitter", "benchmarks:objection_decide", "{w.objection.pk}",
             {"decision": "bogus", "outcome": "bogus", "from": "queue"}, 403),
    PagePost("decide, the objected organization", "objected", "benchmarks:objection_decide", "{w.objection.pk}",
             {"decision": "uphold", "outcome": "bogus"}, 403),
    PagePost("decide, cannot see it", "member", "benchmarks:objection_decide", "{w.objection.pk}",
             {"decision": "bogus"}, 404),
]  # fmt: skip


def _url(world: Registry, post: PagePost) -> str:
    arg = post.arg.format(w=world)
    return reverse(post.url_name, args=[int(arg) if arg.isdigit() else arg] if arg else [])


@pytest.mark.parametrize("post", PAGE_POSTS, ids=lambda post: post.name)
def test_the_pages_refuse_the_caller_before_they_read_the_form(world, post):
    # given
    client = Client()
    client.force_login(world.users[post.who])
    before = snapshot()

    # when
    response = client.post(_url(world, post), post.body)

    # then the caller's refusal page, and nothing changed
    assert response.status_code == post.expected
    assert snapshot() == before


@pytest.mark.parametrize("post", PAGE_POSTS, ids=lambda post: post.name)
def test_the_pages_send_anonymous_visitors_to_sign_in_and_change_nothing(world, post):
    before = snapshot()

    response = Client().post(_url(world, post), post.body)

    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert snapshot() == before


# --- who may act hears about the same bad input ----------------------------------------------------------------

MAY_ACT = [
    Call("rewrite the rules, lead", "lead", "patch", "/benchmarks/{w.benchmark.slug}/", {"rules": NOT_TEXT}, 400),
    Call("open a round, lead", "lead", "post", "/benchmarks/{w.benchmark.slug}/rounds/",
         {"version": "", "submission_deadline": "soon"}, 400),
    Call("submit, member", "member", "post", "/rounds/{w.round.pk}/submissions/", BAD_SUBMISSION, 400),
    Call("review, assigned organization", "submitter", "post", B + "/reviews/", {"verdict": "bogus"}, 400),
    Call("uphold, staff", "staff", "post", OBJECTION + "/uphold/", {"outcome": "bogus", "reason": ""}, 400),
]  # fmt: skip


@pytest.mark.parametrize("call", MAY_ACT, ids=lambda call: call.name)
def test_the_api_tells_who_may_act_about_the_bad_input(world, call):
    before = snapshot()

    response = getattr(client_as(world.users[call.who]), call.method)(_path(world, call.path), call.body, format="json")

    assert response.status_code == call.expected, response.content
    assert response.json()["errors"]
    assert snapshot() == before


def test_the_assigned_reviewer_hears_about_a_bad_verdict_on_the_page(world):
    client = Client()
    client.force_login(world.users["submitter"])
    before = snapshot()

    response = client.post(
        reverse("benchmarks:review_post", args=[world.submissions["b"].pk]), {"verdict": "bogus"}, follow=True
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before
