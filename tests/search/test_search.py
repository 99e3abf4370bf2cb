"""The one search: relevance, kinds, typo tolerance, every visibility rule, fixed query counts, its indexes, the page
and the API; and the same search on SQLite, the embedded default."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.urls import reverse

from alliance.portal.search import search
from events.models import Event
from members.models import Affiliation, Organization
from projects.models import CatalogEntry, Participation, Project
from tests.events.factories import EventFactory
from tests.governance.factories import CommitteeFactory
from tests.members.factories import OrganizationFactory, StaffFactory, UserFactory
from tests.projects.factories import CatalogEntryFactory, ParticipationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world():
    """Something of every kind about photosynthesis, and what must stay hidden from some or all."""
    people = {"visitor": AnonymousUser(), "person": UserFactory(), "staff": StaffFactory()}
    aurora = OrganizationFactory(name="Aurora Photosynthesis Labs", description="Plants and models.")
    OrganizationFactory(name="Photosynthesis Ventures", status=Organization.Status.APPLICANT)
    people["member"] = UserFactory()
    Affiliation.objects.create(person=people["member"], organization=aurora)
    ProjectFactory(title="Photosynthesis Benchmark", summary="A benchmark of leaf models.")
    ProjectFactory(title="Leaf atlas", summary="Maps of leaves.", description="Photosynthesis seen from above.")
    ProjectFactory(title="Members photosynthesis study", visibility=Project.Visibility.MEMBERS)
    draft = ProjectFactory(title="Photosynthesis draft project", state=Project.State.DRAFT)
    people["draft participant"] = ParticipationFactory(project=draft, role=Participation.Role.LEAD).person
    CatalogEntryFactory(name="Photosynthesis checker", status=CatalogEntry.Status.VALIDATED)
    CatalogEntryFactory(name="Photosynthesis submitted tool", status=CatalogEntry.Status.SUBMITTED)
    EventFactory(title="Photosynthesis workshop")
    organizer = UserFactory()
    EventFactory(title="Photosynthesis draft event", status=Event.Status.DRAFT, organizers=[organizer])
    people["draft organizer"] = organizer
    CommitteeFactory(name="Photosynthesis committee")
    return people


def titles(person, query, kind=""):
    return [hit.title for hit in search(person=person, query=query, kind=kind)]


def test_every_kind_is_found_best_match_first(world):
    found = search(person=world["visitor"], query="photosynthesis benchmark")

    assert found[0].title == "Photosynthesis Benchmark"
    assert found[0].kind == "project" and found[0].url.startswith("/projects/")
    assert [hit.rank for hit in found] == sorted((hit.rank for hit in found), reverse=True)
    kinds = {hit.kind for hit in search(person=world["visitor"], query="photosynthesis")}
    assert kinds == {"organization", "project", "catalog", "event", "committee"}


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_text(world):
    found = titles(world["visitor"], "photosynthesis", kind="project")

    assert found.index("Photosynthesis Benchmark") < found.index("Leaf atlas")


def test_the_type_filter_keeps_one_kind(world):
    found = search(person=world["visitor"], query="photosynthesis", kind="event")

    assert [hit.title for hit in found] == ["Photosynthesis workshop"]
    assert found[0].url.startswith("/events/")


def test_a_typo_still_finds_the_title(world):
    assert "Photosynthesis Benchmark" in titles(world["visitor"], "photosyntesis benchmrk")
    assert "Photosynthesis committee" in titles(world["visitor"], "photosythesis", kind="committee")


def test_stemmed_words_match(world):
    assert "Photosynthesis Benchmark" in titles(world["visitor"], "benchmarks")


def test_nothing_for_no_words(world):
    assert search(person=world["visitor"], query="   ") == []


@pytest.mark.parametrize("role", ["visitor", "person", "member", "staff", "draft participant", "draft organizer"])
def test_drafts_applicants_and_submitted_entries_never_show_for_any_role(world, role):
    found = titles(world[role], "photosynthesis")

    for hidden in (
        "Photosynthesis draft project",
        "Photosynthesis draft event",
        "Photosynthesis Ventures",
        "Photosynthesis submitted tool",
    ):
        assert hidden not in found
    assert "Photosynthesis workshop" in found


@pytest.mark.parametrize(("role", "sees"), [("visitor", False), ("person", False), ("member", True), ("staff", True)])
def test_a_members_only_project_shows_to_whoever_may_see_it(world, role, sees):
    assert ("Members photosynthesis study" in titles(world[role], "photosynthesis")) is sees


def _many(n: int) -> None:
    for number in range(n):
        OrganizationFactory(name=f"Quantum lab {number}")
        CatalogEntryFactory(name=f"Quantum tool {number}", status=CatalogEntry.Status.VALIDATED)
        EventFactory(title=f"Quantum event {number}")
        CommitteeFactory(name=f"Quantum committee {number}")


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize("role", ["visitor", "member"])
def test_search_costs_one_query_per_kind_whatever_the_size(world, django_assert_num_queries, size, role):
    _many(size)

    with django_assert_num_queries(5):
        found = search(person=world[role], query="quantum")
    with django_assert_num_queries(1):
        search(person=world[role], query="quantum", kind="event")

    assert len(found) == 4 * size


def test_the_full_text_and_trigram_indexes_serve_the_search(world):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_search_%%'")
        names = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
    assert {"events_event_search_document", "events_event_search_title_trgm"} <= names
    assert len(names) == 10

    from alliance.portal.search import KINDS, _matching

    event_kind = next(kind for kind in KINDS if kind.name == "event")
    plan_query = _matching(Event.objects.order_by(), event_kind, "photosynthesis").order_by("-rank")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = plan_query.explain()
    assert "events_event_search_document" in plan
    assert "events_event_search_title_trgm" in plan


def test_the_search_page_and_the_header_box(client, world):
    page = client.get(reverse("search"), {"q": "photosynthesis", "type": "project"}).content.decode()
    home = client.get(reverse("home")).content.decode()

    assert "Photosynthesis Benchmark" in page
    assert "Photosynthesis workshop" not in page
    assert "Photosynthesis draft project" not in page
    assert 'role="search"' in home and f'action="{reverse("search")}"' in home


def test_the_search_page_without_words_explains_itself(client, world):
    response = client.get(reverse("search"))

    assert response.status_code == 200
    assert "Search the members, projects" in response.content.decode()


def test_the_api_answers_the_same_results(api_client, world):
    response = api_client.get("/api/v1/search/", {"q": "photosynthesis", "type": "project"})

    assert response.status_code == 200
    body = response.json()
    assert [hit["title"] for hit in body["results"]] == titles(world["visitor"], "photosynthesis", kind="project")
    assert body["count"] == len(body["results"])
    assert set(body["results"][0]) == {"type", "type_label", "title", "summary", "url", "rank"}


def test_the_api_follows_the_caller_s_visibility(api_client, world):
    api_client.force_authenticate(world["member"])

    body = api_client.get("/api/v1/search/", {"q": "photosynthesis"}).json()

    assert "Members photosynthesis study" in [hit["title"] for hit in body["results"]]
    assert "Photosynthesis draft project" not in [hit["title"] for hit in body["results"]]


def test_the_api_refuses_an_unknown_type_in_the_one_error_shape(api_client, world):
    response = api_client.get("/api/v1/search/", {"q": "x", "type": "people"})

    assert response.status_code == 400
    assert "type" in response.json()["errors"]


SQLITE_SCRIPT = """
import json
from django.contrib.auth.models import AnonymousUser
from alliance.portal.search import search
from members.models import MembershipTerm, MembershipTier, Organization, User
from projects.models import Project
from events.models import Event
from django.utils import timezone
from datetime import timedelta
staff = User.objects.create(email="s@example.org", is_staff=True)
aurora = Organization.objects.create(name="Aurora Photosynthesis Labs", slug="aurora", kind="company", country="DE",
                                    status="active", tier="general")
MembershipTerm.objects.create(organization=aurora, tier=MembershipTier.objects.get(code="general"),
                              starts_at=timezone.now() - timedelta(days=30),
                              ends_at=timezone.now() + timedelta(days=300))
Organization.objects.create(name="Photosynthesis Ventures", slug="ventures", kind="company", country="DE",
                            status="applicant")
for title, state, text in [("Photosynthesis Benchmark", "active", "Leaves."), ("Leaf atlas", "active",
                           "Photosynthesis from above."), ("Photosynthesis draft", "draft", "")]:
    Project.objects.create(title=title, slug=title.lower().replace(" ", "-"), summary=text, kind="software",
                           proposer=staff, state=state, license="MIT")
start = timezone.now() + timedelta(days=3)
for title, status in [("Photosynthesis workshop", "published"), ("Photosynthesis draft event", "draft")]:
    Event.objects.create(title=title, slug=title.lower().replace(" ", "-"), kind="workshop", format="online",
                         starts_at=start, ends_at=start + timedelta(hours=1), timezone="UTC", status=status,
                         capacity=5, created_by=staff, online_url="https://meet.example.org/x")
hits = search(person=AnonymousUser(), query="photosynthesis")
print("RESULT" + json.dumps([[hit.kind, hit.title] for hit in hits]))
"""


def test_the_same_search_works_on_sqlite_the_embedded_default(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alliance.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True, timeout=300)

    result = subprocess.run(
        [*manage, "shell", "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr[-2000:]
    hits = json.loads(result.stdout.split("RESULT", 1)[1])
    found = [title for _kind, title in hits]
    assert found[0] in {"Aurora Photosynthesis Labs", "Photosynthesis Benchmark", "Photosynthesis workshop"}
    assert set(found) == {
        "Aurora Photosynthesis Labs",
        "Photosynthesis Benchmark",
        "Leaf atlas",
        "Photosynthesis workshop",
    }
    assert found.index("Photosynthesis Benchmark") < found.index("Leaf atlas")
