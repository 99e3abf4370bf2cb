"""The export: every model linked to a person is in it, it parses as JSON, holds no secret and nothing of another
person, costs the same number of queries whatever the rows; the API and the page serve it to the person only."""

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from alliance.audit import audit_record
from alliance.governance.models import CommitteeMember
from alliance.portal.privacy import personal_data_export, personal_data_parts
from alliance.webhooks.models import WebhookEndpoint
from events.models import CalendarFeed, Registration
from members.models import Affiliation, ApiToken, Invitation, JoinRequest
from projects.benchmarks.models import Submission
from projects.models import Participation
from tests.members.factories import UserFactory

from .conftest import ADDRESS, NAME, person_with_everything

pytestmark = pytest.mark.django_db

# Rows linked to a person's own rows (second level) that the export leaves out, each with its reason. A new model
# linked to a person, or to a row that cannot outlive one, fails the test until it is exported or named here.
NOT_EXPORTED = {
    "account.EmailConfirmation": "a confirmation key of an address (a secret); the address itself is exported",
    "webhooks.WebhookDelivery": "events sent to an endpoint: the organization's integration log, not the person's",
    "webhooks.WebhookAttempt": "attempts of those deliveries",
}


def _user_model():
    return get_user_model()


def _links(model, target) -> list[models.Field]:
    """The model's own links to ``target``; a many-to-many through a model of its own is that model's link."""
    return [
        field
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is target
        and not (field.many_to_many and not field.remote_field.through._meta.auto_created)
    ]  # fmt: skip


def _models_linked_to_a_person() -> set[type[models.Model]]:
    """Every installed model with a foreign key, one-to-one or many-to-many to the person, and every model with one
    to a row that cannot outlive the person (deleted with them: their own rows)."""
    user = _user_model()
    direct = {model for model in apps.get_models() if model is not user and _links(model, user)}
    owned = {
        model
        for model in direct
        for field in _links(model, user)
        if not field.many_to_many and field.remote_field.on_delete is models.CASCADE
    }
    second = {model for model in apps.get_models() for target in owned if model not in direct and _links(model, target)}
    return direct | second


def test_every_model_linked_to_a_person_is_exported_or_named_with_a_reason():
    # given every model of every installed app (ours, allauth's, Django's) linked to a person or to their own rows
    linked = _models_linked_to_a_person()
    assert {"members.Affiliation", "account.EmailAddress", "mfa.Authenticator", "admin.LogEntry"} <= {
        model._meta.label for model in linked
    }

    # when the export's parts are listed
    exported = {part.model for parts in personal_data_parts(UserFactory()).values() for part in parts.values()}

    # then each is exported, or named with its reason (and what is named is not exported as well)
    missing = sorted(
        model._meta.label for model in linked if model not in exported and model._meta.label not in NOT_EXPORTED
    )
    assert missing == []
    assert not {model._meta.label for model in exported} & set(NOT_EXPORTED)


def test_the_export_parses_as_json_with_a_readme_naming_each_part(world):
    # when the person downloads their data
    document = json.loads(json.dumps(personal_data_export(person=world.person)))

    # then a README names every part with its count, and the sections hold the rows
    readme = document["README"]
    assert readme["format"] == "alliance-portal-personal-data/1"
    sections = {f"{app}.{part}" for app, parts in document.items() if app != "README" for part in parts}
    assert sections == set(readme["parts"])
    assert readme["parts"]["members.affiliations"].startswith("2 × affiliation: A person belongs to an organization")
    assert document["members"]["account"][0]["name"] == NAME
    assert document["members"]["account"][0]["email"] == ADDRESS
    assert {row["status"] for row in document["events"]["registrations"]} == {"confirmed"}
    assert len(document["events"]["registrations"]) == 2
    assert document["members"]["api_tokens"][0]["name"] == f"{NAME}'s laptop"
    assert document["webhooks"]["endpoints_created"][0]["url"] == "https://hooks.example.org/marlowe"
    assert document["governance"]["committee_seats"][0]["role"] == "voting"
    assert len(document["benchmarks"]["submissions"]) == 1
    assert document["alliance"]["notification_preferences"][0]["email_enabled"] is True
    actions = {entry["action"] for entry in document["alliance"]["audit_entries_about_you"]}
    assert "person.renamed" in actions
    assert document["members"]["invitations_received"][0]["email"] == ADDRESS


def test_the_export_holds_no_secret_and_nothing_of_another_person(world):
    # given the person's data and another person's, who shares organizations, a project, an event and a committee
    text = json.dumps(personal_data_export(person=world.person))

    # then no secret is in it: token key nor hash, webhook secret, feed token, invitation hash, password hash
    for secret in world.secrets:
        assert secret not in text
    assert "key_hash" not in text and '"password"' not in text and '"secret"' not in text
    # and nothing of the other person: their address, name, token
    assert world.other.email not in text
    assert world.other.name not in text
    assert "Olive's laptop" not in text
    assert '"another person"' in text  # the invitation's sender is someone else: named only as that


@pytest.mark.parametrize("size", [1, 6])
def test_the_export_costs_the_same_number_of_queries_at_any_size(size, django_assert_num_queries):
    # given a person with ``size`` times the rows
    person = person_with_everything(email=f"size{size}@example.org")
    from tests.events.factories import RegistrationFactory
    from tests.members.factories import AffiliationFactory
    from tests.projects.factories import ParticipationFactory

    for _ in range(size):
        for row in (
            AffiliationFactory(person=person),
            ParticipationFactory(person=person),
            RegistrationFactory(person=person),
        ):  # and someone else's audit entry about each of their rows
            audit_record(actor=UserFactory(), action="row.touched", target=row)

    # then the export's query count is the same (one query per part, the content type once)
    with django_assert_num_queries(EXPORT_QUERIES):
        personal_data_export(person=person)


EXPORT_QUERIES = 44  # one per part (44 parts in 7 apps), whatever the number of rows


def _rows_of(person) -> list:
    """One row of each kind the person owns whose changes the audit trail records."""
    return [
        Affiliation.objects.filter(person=person).first(),
        Registration.objects.filter(person=person).first(),
        Participation.objects.filter(person=person).first(),
        ApiToken.objects.filter(user=person).first(),
        CommitteeMember.objects.filter(person=person).first(),
        CalendarFeed.objects.filter(person=person).first(),
    ]


def test_the_audit_entries_about_you_include_those_about_your_own_rows_and_none_of_another_persons(world):
    # given entries written by others about the person's rows (their seat, token, join request, invitation...)
    own = [
        *_rows_of(world.person),
        JoinRequest.objects.get(person=world.person),
        Invitation.objects.get(email=ADDRESS),
        WebhookEndpoint.objects.get(created_by=world.person),
        Submission.objects.get(submitted_by=world.person),
    ]
    for row in own:
        audit_record(actor=world.staff, action=f"{row._meta.model_name}.looked_at", target=row)
    # and the same kinds of entries about the other person's rows, and about the other person
    others = [*_rows_of(world.other), world.other]
    for row in others:
        audit_record(actor=world.staff, action=f"{row._meta.model_name}.looked_at_other", target=row)

    # when the person downloads their data
    entries = personal_data_export(person=world.person)["alliance"]["audit_entries_about_you"]

    # then every entry about their own rows is there (with the one about the account), and none about the other's
    found = {(entry["action"], entry["target_id"]) for entry in entries}
    assert {(f"{row._meta.model_name}.looked_at", str(row.pk)) for row in own} <= found
    assert ("person.renamed", str(world.person.pk)) in found
    assert not [action for action, _ in found if action.endswith("_other")]
    assert {entry["actor"] for entry in entries if entry["action"].endswith(".looked_at")} == {"another person"}


def test_the_api_serves_the_export_to_the_signed_in_person_only(world, api_client):
    url = reverse("me-export")
    assert api_client.get(url).status_code == 401

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {world.token_key}")
    response = api_client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-alliance-data.json"'
    document = response.json()
    assert document["members"]["account"][0]["email"] == ADDRESS
    assert world.other.email not in response.content.decode()


def test_the_download_page_offers_the_export_and_serves_it(world, client):
    client.force_login(world.person)
    page = client.get(reverse("privacy_account"))
    assert page.status_code == 200
    assert reverse("privacy_export") in page.content.decode()

    response = client.get(reverse("privacy_export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content)["members"]["account"][0]["name"] == NAME


def test_the_download_page_asks_a_visitor_to_sign_in(client):
    response = client.get(reverse("privacy_export"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("size", [1, 6])
def test_the_data_page_costs_the_same_number_of_queries_at_any_size(size, client, django_assert_num_queries):
    from tests.events.factories import EventFactory
    from tests.members.factories import AffiliationFactory
    from tests.projects.factories import LeadFactory, ParticipationFactory

    # given a person who is an admin, a lead and an organizer beside others, ``size`` times over
    person = person_with_everything(email=f"page{size}@example.org")
    for _ in range(size):
        affiliation = AffiliationFactory(person=person, role="admin")
        AffiliationFactory(organization=affiliation.organization, role="admin")
        project = LeadFactory(person=person).project
        ParticipationFactory(project=project, role="lead")
        EventFactory(organizers=[person, UserFactory()])
    client.force_login(person)

    with django_assert_num_queries(DATA_PAGE_QUERIES):
        response = client.get(reverse("privacy_account"))
    assert response.status_code == 200


DATA_PAGE_QUERIES = 8  # the page with its three refusal queries, whatever the number of rows
