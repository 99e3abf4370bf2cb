"""Where a form says Markdown is allowed, the page renders it (safely): organization descriptions and the catalog's
evaluation steps and safety notes."""

import pytest
from django.urls import reverse

from members.forms import OrganizationForm
from projects.catalog.forms import CatalogEntryForm
from projects.models import CatalogEntry
from tests.members.factories import OrganizationFactory
from tests.projects.factories import CatalogEntryFactory

pytestmark = pytest.mark.django_db

MARKDOWN = "We build **open** tools:\n\n1. first step\n2. run `make eval`\n\n<script>alert(1)</script>"


def _assert_rendered(page: str) -> None:
    assert "<strong>open</strong>" in page
    assert "<li>first step</li>" in page
    assert "<code>make eval</code>" in page
    assert "**open**" not in page
    assert "<script>alert(1)</script>" not in page


def test_the_forms_say_markdown_is_allowed():
    assert "Markdown" in str(OrganizationForm().fields["description"].help_text)
    assert "Markdown" in str(CatalogEntryForm().fields["evaluation_notes"].help_text)
    assert "Markdown" in str(CatalogEntryForm().fields["safety_notes"].help_text)


def test_an_organization_description_is_rendered_markdown(client):
    organization = OrganizationFactory(description=MARKDOWN)

    page = client.get(reverse("members:organization_detail", args=[organization.slug])).content.decode()

    _assert_rendered(page)


def test_catalog_evaluation_steps_and_safety_notes_are_rendered_markdown(client):
    entry = CatalogEntryFactory(
        status=CatalogEntry.Status.VALIDATED, evaluation_notes=MARKDOWN, safety_notes="Do **not** deploy unreviewed."
    )

    page = client.get(reverse("projects:catalog_detail", args=[entry.pk])).content.decode()

    _assert_rendered(page)
    assert "Do <strong>not</strong> deploy unreviewed." in page
