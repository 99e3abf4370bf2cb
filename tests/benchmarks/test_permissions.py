"""The visibility and permission rules of the registry as one table over every endpoint, API and pages.

Seven roles (``ROLES``: anonymous, a person in no organization, a member whose organization did not submit, the
submitter A, the objected organization B, the benchmark's lead, staff) in each state of the round (``STATES``, on
a frozen clock: see ``in_state``). Each row of a table gives, per state, the status code each role hears, in the
order of ``ROLES``; ``None`` where the row does not apply (there is no objection while the round is open), and
no test is made for it. A hidden round, submission or objection answers 404; a write's effect happens exactly when
it succeeds. Each call runs in a transaction rolled back afterwards, so every role meets the same world.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import User
from projects.benchmarks.models import Benchmark, Objection, Round, Submission
from tests.api_matrix import API, Case, check_case, client_as, refreshed
from tests.projects.factories import LeadFactory

from .conftest import METRICS, REVIEW_BY, ROLES, STATES, SUBMIT_BY, SYSTEM, T0, Registry, in_state, results
from .factories import BenchmarkProjectFactory

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """The registry in one state, and who is calling (so that a body can name the caller's own organization)."""

    registry: Registry
    state: str
    spare: Any  # a second benchmark project of the lead, without a benchmark yet
    caller: str = "anonymous"

    @property
    def users(self) -> dict[str, User | None]:
        return self.registry.users

    @property
    def benchmark(self) -> Benchmark:
        return self.registry.benchmark

    @property
    def round(self) -> Round:
        return self.registry.round

    @property
    def a(self) -> Submission:
        return self.registry.submissions["a"]

    @property
    def b(self) -> Submission:
        return self.registry.submissions["b"]

    @property
    def objection(self) -> Objection | None:
        return self.registry.objection

    @property
    def mine(self) -> str:
        """The slug of the caller's first organization (A's for those who have none)."""
        person = self.users[self.caller]
        organization = person.affiliations.order_by("pk").first() if person else None
        return organization.organization.slug if organization else self.registry.organizations["a"].slug


@pytest.fixture(params=STATES)
def world(request, registry) -> World:
    spare = BenchmarkProjectFactory(title="Fair Speech Benchmark", slug="fair-speech-benchmark")
    LeadFactory(project=spare, person=registry.lead)
    return World(registry=in_state(registry, request.param), state=request.param, spare=spare)


@contextmanager
def undone() -> Iterator[None]:
    """Whatever happens inside is rolled back: the next role meets the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@dataclass
class Row:
    """One endpoint of the table: its call, and per state the code of each role (None: not applicable)."""

    name: str
    method: str
    path: str
    codes: dict[str, tuple[int, ...] | None]
    body: dict[str, Any] | None = None
    changed: Callable[[World], bool] | None = None

    def case(self, state: str) -> Case | None:
        expected = self.codes[state]
        if expected is None:
            return None
        return Case(self.name, self.method, self.path, expected, self.body, self.changed)


def everywhere(codes: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    return dict.fromkeys(STATES, codes)


ALL_200 = everywhere((200,) * 7)
MANAGERS_ONLY = (401, 403, 403, 403, 403)  # anonymous, person, member, submitter, objected; then lead, staff
FUTURE = {
    "submission_deadline": "2026-06-01T09:00:00Z",
    "review_deadline": "2026-06-10T09:00:00Z",
    "publish_at": "2026-06-20T09:00:00Z",
}
NEW_SUBMISSION = {
    "organization": "{w.mine}",
    "division": "closed",
    "availability": "available",
    "system": SYSTEM,
    "results": results(70.0, 69.0, 71.0),
    "artifacts": ["https://git.example.org/logs/2"],
}


def _published_again(w: World) -> bool:
    return refreshed(w.round).published_at != w.round.published_at


API_ROWS = [
    # benchmarks
    Row("list benchmarks", "get", "/benchmarks/", ALL_200),
    Row("benchmark", "get", "/benchmarks/{w.benchmark.slug}/", ALL_200),
    Row("define a benchmark", "post", "/benchmarks/", everywhere((*MANAGERS_ONLY, 201, 201)),
        {"project": "{w.spare.slug}", "metrics": METRICS, "rules": "Run the harness."},
        lambda w: Benchmark.objects.filter(project=w.spare).exists()),
    Row("rewrite the rules", "patch", "/benchmarks/{w.benchmark.slug}/", everywhere((*MANAGERS_ONLY, 200, 200)),
        {"rules": "New rules."}, lambda w: refreshed(w.benchmark).rules == "New rules."),
    Row("rounds", "get", "/benchmarks/{w.benchmark.slug}/rounds/", ALL_200),
    Row("open a round", "post", "/benchmarks/{w.benchmark.slug}/rounds/", everywhere((*MANAGERS_ONLY, 201, 201)),
        {"version": "v9.0", "harness_url": "https://git.example.org/h", "harness_commit": "abc1234", **FUTURE},
        lambda w: w.benchmark.rounds.filter(version="v9.0").exists()),
    Row("leaderboard", "get", "/benchmarks/{w.benchmark.slug}/leaderboard/",
        {**everywhere((404,) * 7), "published": (200,) * 7}),
    # rounds
    Row("round", "get", "/rounds/{w.round.pk}/", ALL_200),
    Row("publish", "post", "/rounds/{w.round.pk}/publish/", everywhere((*MANAGERS_ONLY, 400, 400)),
        changed=_published_again),
    Row("cancel", "post", "/rounds/{w.round.pk}/cancel/",
        {"open": (*MANAGERS_ONLY, 200, 200), "review": (*MANAGERS_ONLY, 200, 200),
         "published": (*MANAGERS_ONLY, 400, 400), "cancelled": (*MANAGERS_ONLY, 400, 400)},
        {"reason": "The harness is broken."},
        lambda w: refreshed(w.round).cancel_reason == "The harness is broken."),
    Row("the round's submissions", "get", "/rounds/{w.round.pk}/submissions/", ALL_200),
    Row("submit", "post", "/rounds/{w.round.pk}/submissions/",
        {"open": (401, 403, 201, 201, 201, 201, 403), **dict.fromkeys(STATES[1:], (401, 403, 400, 400, 400, 400, 403))},
        NEW_SUBMISSION, lambda w: Submission.objects.filter(round=w.round).count() == 3),
    Row("my review assignments", "get", "/rounds/{w.round.pk}/assignments/", ALL_200),
    Row("releases", "get", "/rounds/{w.round.pk}/releases/", ALL_200),
    Row("release 1 as CSV", "get", "/rounds/{w.round.pk}/releases/1/results.csv",
        {**everywhere((404,) * 7), "published": (200,) * 7}),
    # submissions
    Row("A's submission", "get", "/submissions/{w.a.pk}/",
        {"open": (404, 404, 404, 200, 404, 404, 200), "review": (404, 404, 404, 200, 200, 200, 200),
         "published": (200,) * 7, "cancelled": (404, 404, 404, 200, 404, 404, 200)}),
    Row("B's submission", "get", "/submissions/{w.b.pk}/",
        {"open": (404, 404, 404, 404, 200, 404, 200), "review": (404, 404, 404, 200, 200, 200, 200),
         "published": (200,) * 7, "cancelled": (404, 404, 404, 404, 200, 404, 200)}),
    Row("change A's submission", "patch", "/submissions/{w.a.pk}/",
        {"open": (401, 404, 404, 200, 404, 404, 403), "review": (401, 404, 404, 400, 403, 403, 403),
         "published": (401, 403, 403, 400, 403, 403, 403), "cancelled": (401, 404, 404, 400, 404, 404, 403)},
        {"availability": "preview"}, lambda w: refreshed(w.a).availability == "preview"),
    Row("withdraw A's submission", "post", "/submissions/{w.a.pk}/withdraw/",
        {"open": (401, 404, 404, 200, 404, 404, 403), "review": (401, 404, 404, 200, 403, 403, 403),
         "published": (401, 403, 403, 400, 403, 403, 403), "cancelled": (401, 404, 404, 400, 404, 404, 403)},
        changed=lambda w: refreshed(w.a).state == "withdrawn"),
    Row("review B's submission", "post", "/submissions/{w.b.pk}/reviews/",
        {"open": (401, 404, 404, 404, 403, 404, 403), "review": (401, 404, 404, 201, 403, 403, 403),
         "published": (401, 403, 403, 400, 403, 403, 403), "cancelled": (401, 404, 404, 404, 403, 404, 403)},
        {"verdict": "compliant", "comment": "The logs match."},
        lambda w: w.b.assignments.filter(review__comment="The logs match.").exists()),
    Row("object to B's submission", "post", "/submissions/{w.b.pk}/objections/",
        {"open": (401, 404, 404, 404, 403, 404, 403), "review": (401, 404, 404, 400, 403, 403, 403),
         "published": (401, 403, 400, 201, 403, 201, 403), "cancelled": (401, 404, 404, 404, 403, 404, 403)},
        {"rule": "Rule 1", "description": "The logs differ."},
        lambda w: Objection.objects.filter(submission=w.b, rule="Rule 1").exists()),
    # objections (there is none while the round is open)
    Row("the objection", "get", "/objections/{w.objection.pk}/",
        {"open": None, "review": (404, 404, 404, 200, 200, 200, 200), "published": (200,) * 7,
         "cancelled": (404, 404, 404, 404, 200, 404, 200)}),
    Row("uphold the objection", "post", "/objections/{w.objection.pk}/uphold/",
        {"open": None, "review": (401, 404, 404, 403, 403, 200, 200), "published": (401, 403, 403, 403, 403, 200, 200),
         "cancelled": (401, 404, 404, 404, 403, 404, 400)},
        {"outcome": "remove", "reason": "The logs differ."}, lambda w: refreshed(w.objection).state == "upheld"),
    Row("dismiss the objection", "post", "/objections/{w.objection.pk}/dismiss/",
        {"open": None, "review": (401, 404, 404, 403, 403, 200, 200), "published": (401, 403, 403, 403, 403, 200, 200),
         "cancelled": (401, 404, 404, 404, 403, 404, 400)},
        {"reason": "Nothing breaks the rules."},
        lambda w: refreshed(w.objection).decision_reason == "Nothing breaks the rules."),
]  # fmt: skip


def applicable(rows: list) -> list:
    """(state, row) for each state in which the row applies (its codes are not None), for the ``world`` fixture."""
    return [pytest.param(state, row, id=f"{state}-{row.name}") for row in rows for state in STATES if row.codes[state]]


@pytest.mark.parametrize(("world", "row"), applicable(API_ROWS), indirect=["world"])
def test_every_api_endpoint_answers_each_role_in_each_state_as_the_table_says(world, row):
    case = row.case(world.state)
    assert case is not None
    for role in ROLES:
        world.caller = role
        with undone():
            check_case(world, case, role, ROLES)


# --- what each role sees of the round ---------------------------------------------------------------------------

SEES = {  # which of A's and B's submissions each role sees, in the order of ROLES
    "open": ("", "", "", "a", "b", "", "ab"),
    "review": ("", "", "", "ab", "ab", "ab", "ab"),
    "published": ("ab",) * 7,
    "cancelled": ("", "", "", "a", "b", "", "ab"),
}


def test_each_role_sees_the_submissions_the_state_allows_in_the_lists_and_on_the_pages(world):
    for role, seen in zip(ROLES, SEES[world.state], strict=True):
        person = world.users[role]
        expected = {world.registry.submissions[key].pk for key in seen}

        # the API's list of the round's submissions
        listed = client_as(person).get(f"{API}/rounds/{world.round.pk}/submissions/").json()["results"]
        assert {item["id"] for item in listed} == expected, role

        # the round page lists exactly those (by their systems' names), besides the person's own
        page = _client(person).get(world.round.get_absolute_url()).content.decode()
        for key, name in (("a", "Aurora LM"), ("b", "Borealis LM")):
            assert (name in page) is (key in seen), (role, name)

        # and each submission's page answers 200 or 404
        for key in ("a", "b"):
            response = _client(person).get(world.registry.submissions[key].get_absolute_url())
            assert response.status_code == (200 if key in seen else 404), (role, key)


def test_review_assignments_are_the_callers_organizations_only(world):
    for role in ROLES:
        assignments = client_as(world.users[role]).get(f"{API}/rounds/{world.round.pk}/assignments/").json()
        reviews = {"submitter": [world.b.pk], "objected": [world.a.pk]}.get(role, [])
        assert [item["submission"] for item in assignments] == ([] if world.state == "open" else reviews), role


# --- pages --------------------------------------------------------------------------------------------------------

LOGIN = 302  # anonymous visitors are sent to sign in
DONE = 302  # a form post redirects, with its notice (done or refused by the service)


def _client(person: User | None) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


@dataclass
class PageRow:
    name: str
    method: str
    url_name: str
    args: str  # attribute paths of the world, comma-separated ("round.pk")
    codes: dict[str, tuple[int, ...] | None]
    body: dict[str, Any] | None = None
    changed: Callable[[World], bool] | None = None


PAGE_SUBMISSION = {
    "organization": "",  # filled with the caller's organization's id
    "division": "closed", "availability": "available", "model": "Nordic LM", "model_version": "2",
    "hardware": "8 x H100", "software": "harness 2.1", "accuracy": "70", "accuracy_ci_low": "69",
    "accuracy_ci_high": "71", "artifacts": "https://git.example.org/logs/3",
}  # fmt: skip
ROUND_FORM = {"version": "v9.0", "harness_url": "https://git.example.org/h", "harness_commit": "abc1234",
              "submission_deadline": "2026-06-01T09:00", "review_deadline": "2026-06-10T09:00",
              "publish_at": "2026-06-20T09:00"}  # fmt: skip
MANAGER_PAGE = (LOGIN, 403, 403, 403, 403)

PAGE_ROWS = [
    PageRow("benchmarks", "get", "benchmarks:benchmark_list", "", everywhere((200,) * 7)),
    PageRow("benchmark page", "get", "benchmarks:benchmark_detail", "benchmark.slug", everywhere((200,) * 7)),
    PageRow("leaderboard page", "get", "benchmarks:leaderboard", "benchmark.slug", everywhere((200,) * 7)),
    PageRow("round form", "get", "benchmarks:round_create", "benchmark.slug", everywhere((*MANAGER_PAGE, 200, 200))),
    PageRow("open a round", "post", "benchmarks:round_create", "benchmark.slug",
            everywhere((*MANAGER_PAGE, DONE, DONE)), ROUND_FORM,
            lambda w: w.benchmark.rounds.filter(version="v9.0").exists()),
    PageRow("round page", "get", "benchmarks:round_detail", "round.pk", everywhere((200,) * 7)),
    PageRow("submission form", "get", "benchmarks:submission_create", "round.pk",
            {"open": (LOGIN, 403, 200, 200, 200, 200, 403),
             **dict.fromkeys(STATES[1:], (LOGIN, 403, DONE, DONE, DONE, DONE, 403))}),
    PageRow("submit", "post", "benchmarks:submission_create", "round.pk",
            everywhere((LOGIN, 403, DONE, DONE, DONE, DONE, 403)), PAGE_SUBMISSION,
            lambda w: Submission.objects.filter(round=w.round).count() == 3),
    PageRow("publish", "post", "benchmarks:round_publish", "round.pk", everywhere((*MANAGER_PAGE, DONE, DONE)),
            changed=_published_again),
    PageRow("cancel", "post", "benchmarks:round_cancel", "round.pk", everywhere((*MANAGER_PAGE, DONE, DONE)),
            {"reason": "The harness is broken."},
            lambda w: refreshed(w.round).cancel_reason == "The harness is broken."),
    PageRow("A's submission page", "get", "benchmarks:submission_detail", "a.pk",
            {"open": (404, 404, 404, 200, 404, 404, 200), "review": (404, 404, 404, 200, 200, 200, 200),
             "published": (200,) * 7, "cancelled": (404, 404, 404, 200, 404, 404, 200)}),
    PageRow("change A's submission (form)", "get", "benchmarks:submission_edit", "a.pk",
            {"open": (LOGIN, 404, 404, 200, 404, 404, 403), "review": (LOGIN, 404, 404, DONE, 403, 403, 403),
             "published": (LOGIN, 403, 403, DONE, 403, 403, 403),
             "cancelled": (LOGIN, 404, 404, DONE, 404, 404, 403)}),
    PageRow("change A's submission", "post", "benchmarks:submission_edit", "a.pk",
            {"open": (LOGIN, 404, 404, DONE, 404, 404, 403), "review": (LOGIN, 404, 404, DONE, 403, 403, 403),
             "published": (LOGIN, 403, 403, DONE, 403, 403, 403),
             "cancelled": (LOGIN, 404, 404, DONE, 404, 404, 403)},
            {**PAGE_SUBMISSION, "availability": "preview"}, lambda w: refreshed(w.a).availability == "preview"),
    PageRow("withdraw A's submission", "post", "benchmarks:submission_withdraw", "a.pk",
            {"open": (LOGIN, 404, 404, DONE, 404, 404, 403), "review": (LOGIN, 404, 404, DONE, 403, 403, 403),
             "published": (LOGIN, 403, 403, DONE, 403, 403, 403),
             "cancelled": (LOGIN, 404, 404, DONE, 404, 404, 403)},
            changed=lambda w: refreshed(w.a).state == "withdrawn"),
    PageRow("say A's system is available", "post", "benchmarks:submission_available", "a.pk",
            {"open": (LOGIN, 404, 404, DONE, 404, 404, 403), "review": (LOGIN, 404, 404, DONE, 403, 403, 403),
             "published": (LOGIN, 403, 403, DONE, 403, 403, 403),
             "cancelled": (LOGIN, 404, 404, DONE, 404, 404, 403)}),
    PageRow("review B's submission", "post", "benchmarks:review_post", "b.pk",
            {"open": (LOGIN, 404, 404, 404, 403, 404, 403), "review": (LOGIN, 404, 404, DONE, 403, 403, 403),
             "published": (LOGIN, 403, 403, DONE, 403, 403, 403),
             "cancelled": (LOGIN, 404, 404, 404, 403, 404, 403)},
            {"verdict": "compliant", "comment": "The logs match."},
            lambda w: w.b.assignments.filter(review__comment="The logs match.").exists()),
    PageRow("object to B's submission", "post", "benchmarks:objection_post", "b.pk",
            {"open": (LOGIN, 404, 404, 404, 403, 404, 403), "review": (LOGIN, 404, 404, DONE, 403, 403, 403),
             "published": (LOGIN, 403, DONE, DONE, 403, DONE, 403),
             "cancelled": (LOGIN, 404, 404, 404, 403, 404, 403)},
            {"rule": "Rule 1", "description": "The logs differ."},
            lambda w: Objection.objects.filter(submission=w.b, rule="Rule 1").exists()),
    PageRow("objection queue", "get", "benchmarks:objection_queue", "",
            everywhere((LOGIN, 403, 403, 403, 403, 200, 200))),
    PageRow("decide the objection", "post", "benchmarks:objection_decide", "objection.pk",
            {"open": None, "review": (LOGIN, 404, 404, 403, 403, DONE, DONE),
             "published": (LOGIN, 403, 403, 403, 403, DONE, DONE),
             "cancelled": (LOGIN, 404, 404, 404, 403, 404, DONE)},
            {"decision": "uphold", "outcome": "remove", "reason": "The logs differ."},
            lambda w: refreshed(w.objection).state == "upheld"),
]  # fmt: skip


def _resolve(world: World, path: str) -> Any:
    value: Any = world
    for name in path.split("."):
        value = getattr(value, name)
    return value


def _changes_expected(role: str, code: int) -> bool | None:
    """A refusal changes nothing; a form post that redirects may have worked or been refused with a notice (the
    table's codes cannot tell: the API rows pin those), so it is not judged here."""
    if role == "anonymous" or code in (403, 404):
        return False
    return None


@pytest.mark.parametrize(("world", "row"), applicable(PAGE_ROWS), indirect=["world"])
def test_every_page_answers_each_role_in_each_state_as_the_table_says(world, row):
    expected = row.codes[world.state]
    assert expected is not None
    url = reverse(row.url_name, args=[_resolve(world, arg) for arg in row.args.split(",") if arg])
    for role, code in zip(ROLES, expected, strict=True):
        person = world.users[role]
        with undone():
            body = dict(row.body or {})
            if "organization" in body:
                affiliation = person.affiliations.first() if person else None
                body["organization"] = str(affiliation.organization_id) if affiliation else ""
            response = getattr(_client(person), row.method)(url, body)
            assert response.status_code == code, (role, response.content[:300])
            if code == LOGIN and role == "anonymous":
                assert reverse("account_login") in response["Location"]
            if row.changed is not None and _changes_expected(role, code) is False:
                assert not row.changed(world), role


def test_a_successful_form_post_is_a_redirect_that_did_the_work(registry):
    # given the open round, and the table's form posts that succeed for their role
    world = World(registry=in_state(registry, "open"), state="open", spare=None)
    submitter = world.users["submitter"]

    # when A's person submits through the page and withdraws through the page
    body = {**PAGE_SUBMISSION, "organization": str(registry.organizations["a"].pk)}
    created = _client(submitter).post(reverse("benchmarks:submission_create", args=[world.round.pk]), body)
    withdrawn = _client(submitter).post(reverse("benchmarks:submission_withdraw", args=[world.a.pk]))

    # then both redirected, and both happened
    assert created.status_code == withdrawn.status_code == 302
    assert Submission.objects.filter(round=world.round).count() == 3
    assert refreshed(world.a).state == "withdrawn"


def test_the_table_runs_on_a_frozen_clock(world):
    # the states hold at a fixed moment: open before the deadline; review (and cancelled) just after it, before the
    # review deadline; published just after the review deadline
    moment = {"open": T0, "review": SUBMIT_BY + timedelta(minutes=1), "cancelled": SUBMIT_BY + timedelta(minutes=1),
              "published": REVIEW_BY + timedelta(minutes=1)}  # fmt: skip
    assert timezone.now() == moment[world.state]
    assert world.round.state == world.state
