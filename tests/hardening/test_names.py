"""Look-alike names: organization names, project titles, people's names and slugs are NFKC-normalized, and a
control, bidirectional-override, zero-width or byte-order-mark character is refused with a clear 400 (API) or a
form error on its field, whichever way the name comes in. The rule is ``alliance.text``'s, applied by the service
each name passes through (and by the sign-up form, which allauth saves before any service runs)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.errors import DomainError
from alliance.governance import services as governance_services
from events import services as event_services
from members import services as member_services
from members.models import Organization, User
from projects import services as project_services
from projects.models import Project
from tests.api_matrix import API, client_as
from tests.members.factories import (
    AdminAffiliationFactory,
    AffiliationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOOK_ALIKES = [
    pytest.param("\u202eemcA Labs", "U+202E", id="right-to-left override"),
    pytest.param("Acme\u200b Labs", "U+200B", id="zero-width space"),
    pytest.param("\ufeffAcme Labs", "U+FEFF", id="byte-order mark"),
    pytest.param("Acme\u2066 Labs\u2069", "U+2066", id="bidi isolate"),
    pytest.param("Acme\x07 Labs", "U+0007", id="control character"),
]


@pytest.fixture
def member():
    return AffiliationFactory(organization=OrganizationFactory()).person


# --- organization names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "named"), LOOK_ALIKES)
def test_the_api_refuses_a_look_alike_organization_name_on_register_and_update(name, named):
    admin = AdminAffiliationFactory(organization=OrganizationFactory(name="Aurora Labs")).person
    organization = admin.affiliations.get().organization
    body = {"name": name, "kind": "company", "country": "DE"}

    registered = client_as(UserFactory()).post(f"{API}/organizations/", body, format="json")
    updated = client_as(admin).patch(f"{API}/organizations/{organization.slug}/", {"name": name}, format="json")

    for response in (registered, updated):
        assert response.status_code == 400, response.content
        assert named in response.json()["errors"]["name"][0]
    assert not Organization.objects.exclude(pk=organization.pk).exists()
    organization.refresh_from_db()
    assert organization.name == "Aurora Labs"


def test_a_full_width_organization_name_is_stored_in_its_plain_form():
    # given full-width letters and the "fi" ligature
    response = client_as(UserFactory()).post(
        f"{API}/organizations/", {"name": "\uff21cme \ufb01ne Labs", "kind": "company", "country": "DE"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert Organization.objects.get().name == "Acme fine Labs"
    assert response.json()["slug"] == "acme-fine-labs"


def test_the_register_page_shows_the_refusal_on_the_name(client):
    client.force_login(UserFactory())

    response = client.post(
        reverse("members:organization_register"), {"name": "Acme\u200d Labs", "kind": "company", "country": "DE"}
    )

    assert "U+200D" in " ".join(response.context["form"].errors["name"])
    assert not Organization.objects.exists()


# --- project titles -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "named"), LOOK_ALIKES)
def test_the_api_refuses_a_look_alike_project_title_on_create_and_update(member, title, named):
    client = client_as(member)
    draft = project_services.project_create(actor=member, title="Quiet Draft", summary="Not yet.", kind="model")

    created = client.post(f"{API}/projects/", {"title": title, "summary": "S.", "kind": "model"}, format="json")
    updated = client.patch(f"{API}/projects/{draft.slug}/", {"title": title}, format="json")

    for response in (created, updated):
        assert response.status_code == 400, response.content
        assert named in response.json()["errors"]["title"][0]
    assert list(Project.objects.values_list("title", flat=True)) == ["Quiet Draft"]


def test_the_proposal_form_shows_the_refusal_on_the_title(client, member):
    client.force_login(member)

    response = client.post(
        reverse("projects:project_create"),
        {"title": "Open\u202e Evals", "summary": "S.", "kind": Project.Kind.MODEL, "join_policy": "open",
         "visibility": "public"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "U+202E" in " ".join(response.context["form"].errors["title"])
    assert not Project.objects.exists()


# --- people's names -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "named"), LOOK_ALIKES)
def test_the_profile_page_refuses_a_look_alike_name(client, name, named):
    person = UserFactory(name="Ada Lovelace")
    client.force_login(person)

    response = client.post(reverse("members:profile"), {"name": name})

    assert response.status_code == 400
    assert named in " ".join(response.context["form"].errors["name"])
    person.refresh_from_db()
    assert person.name == "Ada Lovelace"


def test_sign_up_refuses_a_look_alike_name_before_the_account_exists(client):
    response = client.post(
        reverse("account_signup"),
        {
            "name": "Ada\u200b Lovelace",
            "email": "ada@example.org",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )

    assert response.status_code == 200
    assert "U+200B" in " ".join(response.context["form"].errors["name"])
    assert not User.objects.filter(email="ada@example.org").exists()


def test_sign_up_stores_a_full_width_name_in_its_plain_form(client):
    client.post(
        reverse("account_signup"),
        {
            "name": "\uff21da \uff2covelace",
            "email": "ada@example.org",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )

    assert User.objects.get(email="ada@example.org").name == "Ada Lovelace"


# --- slugs --------------------------------------------------------------------------------------------------------


def _creators(staff, member):
    """Every service that takes an address (slug) a person chose, called with only that slug varying."""
    start = timezone.now() + timedelta(days=3)
    return {
        "organization": lambda slug: member_services.organization_register(
            actor=member, name="Slug Org", kind="company", country="DE", slug=slug
        ),
        "project": lambda slug: project_services.project_create(
            actor=member, title="Slug Project", summary="S.", kind="model", slug=slug
        ),
        "event": lambda slug: event_services.event_create(
            actor=staff,
            title="Slug Event",
            kind="workshop",
            format="virtual",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            slug=slug,
        ),
        "focus area": lambda slug: project_services.focus_area_create(actor=staff, name="Slug Area", slug=slug),
        "committee": lambda slug: governance_services.committee_create(
            actor=staff, name="Slug Committee", kind="working_group", slug=slug
        ),
    }


@pytest.mark.parametrize("slug", ["acme\u200b", "\u202eacme", "\ufeffacme", "acme\u2060labs"])
def test_a_slug_with_an_invisible_character_is_refused_by_every_service_that_takes_one(member, slug):
    for kind, create in _creators(StaffFactory(), member).items():
        with pytest.raises(DomainError) as refused:
            create(slug)
        assert refused.value.field == "slug", kind
        assert "invisible or control character" in refused.value.message, kind


def test_a_chosen_slug_is_normalized_by_every_service_that_takes_one(member):
    created = [create("\uff33lug-\uff23hosen") for create in _creators(StaffFactory(), member).values()]

    assert {row.slug for row in created} == {"slug-chosen"}


@pytest.mark.parametrize(("name", "named"), LOOK_ALIKES)
def test_the_admin_user_forms_refuse_a_look_alike_name(name, named):
    from members.admin import UserChangeForm, UserCreationForm

    person = UserFactory(name="Ada Lovelace")
    change = UserChangeForm(data={"name": name, "email": person.email}, instance=person)
    add = UserCreationForm(data={"name": name, "email": "grace@example.org", "usable_password": "false"})

    for form in (change, add):
        assert not form.is_valid()
        assert named in " ".join(form.errors["name"])
    person.refresh_from_db()
    assert person.name == "Ada Lovelace"


def test_the_admin_add_form_stores_a_full_width_name_in_its_plain_form():
    from members.admin import UserCreationForm

    form = UserCreationForm(
        data={"name": "\uff21\uff44\uff41 Lovelace", "email": "ada@example.org", "usable_password": "false"}
    )

    assert form.is_valid(), form.errors
    assert form.save().name == "Ada Lovelace"


@pytest.mark.parametrize(("name", "named"), LOOK_ALIKES)
def test_a_membership_tier_name_follows_the_name_rule_on_create_and_update(name, named):
    staff = StaffFactory()
    tier = member_services.tier_create(actor=staff, code="supporter", name="Supporter")

    for attempt in (
        lambda: member_services.tier_create(actor=staff, code="look-alike", name=name),
        lambda: member_services.tier_update(actor=staff, tier=tier, name=name),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert named in refused.value.message
    tier.refresh_from_db()
    assert tier.name == "Supporter"
