"""Cheap list serialization gives the JSON DRF's own fields gave: detail links, country codes, fields built once per
class; list counts without a join; Markdown rendered once per text."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_countries.serializer_fields import CountryField
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from alliance import markdown
from members.api.serializers import OrganizationSerializer
from members.models import Organization
from tests.members.factories import AffiliationFactory, OrganizationFactory
from tests.projects.factories import ParticipationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


class DrfOrganizationSerializer(serializers.ModelSerializer):
    """The fields as DRF and django-countries build them, to compare with."""

    url = serializers.HyperlinkedIdentityField(view_name="organization-detail", lookup_field="slug")
    country = CountryField()

    class Meta:
        model = Organization
        fields = ["url", "country"]


def test_links_and_countries_are_what_drfs_own_fields_give(api_client):
    # given organizations with slugs and countries of every shape
    OrganizationFactory(slug="aurora-labs", country="DE")
    OrganizationFactory(slug="b2", country="FR")
    request = APIRequestFactory().get("/api/v1/organizations/", HTTP_HOST="portal.example.org")
    expected = {
        row["url"]: row["country"]
        for row in DrfOrganizationSerializer(
            Organization.objects.order_by("slug"), many=True, context={"request": request}
        ).data
    }

    # when the API lists them
    rows = api_client.get("/api/v1/organizations/", HTTP_HOST="portal.example.org").json()["results"]

    # then each link and country is the same
    assert {row["url"]: row["country"] for row in rows} == expected
    assert "http://portal.example.org/api/v1/organizations/aurora-labs/" in expected


def test_each_serializer_gets_fields_of_its_own():
    first, second = OrganizationSerializer(), OrganizationSerializer()

    assert list(first.fields) == list(second.fields)
    assert all(first.fields[name] is not second.fields[name] for name in first.fields)
    assert all(field.parent is first for field in first.fields.values())


@pytest.mark.parametrize("path", ["/api/v1/organizations/", "/api/v1/projects/"])
def test_the_list_count_is_a_plain_count_without_a_join(api_client, path):
    # given rows with people counted on them (listed people, participants)
    organization = OrganizationFactory()
    AffiliationFactory(organization=organization, listed=True)
    ParticipationFactory(project=ProjectFactory())

    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(path).status_code == 200

    [count] = [query["sql"] for query in queries if query["sql"].startswith("SELECT COUNT(*)")]
    assert "JOIN" not in count and "GROUP BY" not in count


def test_the_directory_still_counts_listed_people_and_projects_their_participants(client):
    organization = OrganizationFactory(name="Aurora Labs")
    AffiliationFactory(organization=organization, listed=True)
    AffiliationFactory(organization=organization, listed=True)
    AffiliationFactory(organization=organization, listed=False)
    project = ProjectFactory()
    ParticipationFactory(project=project)
    ParticipationFactory(project=project, status="pending")

    assert "2 listed people" in client.get("/members/").content.decode()
    [row] = [row for row in client.get("/api/v1/projects/").json()["results"] if row["slug"] == project.slug]
    assert row["participant_count"] == 1


def test_the_same_markdown_is_rendered_once_and_again_when_the_image_hosts_change(settings, monkeypatch):
    parses = []
    real_parse = markdown._renderer.parse
    monkeypatch.setattr(markdown._renderer, "parse", lambda text: parses.append(text) or real_parse(text))
    text = "![chart](https://images.example.org/chart.png) **bold** " + str(id(parses))

    first, again = markdown.render_markdown(text), markdown.render_markdown(text)
    settings.MARKDOWN_IMAGE_HOSTS = ["images.example.org"]
    allowed = markdown.render_markdown(text)

    assert first == again and "<img" not in first and "<strong>bold</strong>" in first
    assert '<img src="https://images.example.org/chart.png"' in allowed
    assert len(parses) == 2
