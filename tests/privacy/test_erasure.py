"""Erasure: each refusal (nothing changed), the waitlist moving up into the erased person's seat, no trace of the old
name or address in any text column of any table, the person's token answering 401, no more signing in, what others
rely on unchanged; the API (password, TOTP code), the page behind its warning, and staff's erasure with a reason."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.db import connection
from django.urls import reverse

from alliance.governance import services as governance_services
from alliance.governance.models import BallotResult, CommitteeMember, Vote
from alliance.models import AuditEntry, Notification
from alliance.portal import privacy
from alliance.webhooks.models import WebhookEndpoint
from events.models import Registration
from members.models import Affiliation, ApiToken, User
from projects.models import Participation
from tests.events.factories import EventFactory
from tests.governance.factories import BallotFactory, ChairFactory, CommitteeFactory
from tests.members.factories import AffiliationFactory, OrganizationFactory
from tests.projects.factories import LeadFactory

from .conftest import ADDRESS, NAME, PASSWORD

pytestmark = pytest.mark.django_db

TEXT_TYPES = ("character varying", "text", "character", "json", "jsonb", "bytea")


def traces_of(*needles: str) -> list[str]:
    """Every table and text column (JSON and bytes as text too) holding any needle, whatever its case."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s) ORDER BY table_name, column_name",
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        found = []
        for table, column, data_type in columns:
            value = f"encode(\"{column}\", 'escape')" if data_type == "bytea" else f'"{column}"::text'
            for needle in needles:
                cursor.execute(f'SELECT count(*) FROM "{table}" WHERE {value} ILIKE %s', [f"%{needle}%"])
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column} holds {needle!r}")
    return found


def erase(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        privacy.person_erase(actor=world.person, person=world.person)
    world.person.refresh_from_db()


# --- refusals ----------------------------------------------------------------------------------------------------


def _only_admin(world):
    organization = OrganizationFactory()
    AffiliationFactory(person=world.person, organization=organization, role=Affiliation.Role.ADMIN)
    return f"You are the only admin of {organization}: make another person an admin of it first."


def _only_lead(world):
    project = LeadFactory(person=world.person).project
    return f"You are the only lead of the live project {project}: make another participant a lead first."


def _only_organizer(world):
    event = EventFactory(organizers=[world.person])
    return f"You are the only organizer of the upcoming event {event}: add another organizer or cancel it first."


@pytest.mark.parametrize("others_depend", [_only_admin, _only_lead, _only_organizer])
def test_erasure_is_refused_saying_what_to_do_first_and_changes_nothing(world, others_depend, api_client):
    # given a person others depend on
    refusal = others_depend(world)
    audit_before = AuditEntry.objects.count()

    # when they ask to erase their account through the API
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {world.token_key}")
    response = api_client.post(reverse("me-erase"), {"password": PASSWORD}, format="json")

    # then it is refused with what to do first, and nothing changed
    assert response.status_code == 400
    assert response.json()["errors"]["refusals"] == [refusal]
    assert response.json()["detail"] == refusal
    world.person.refresh_from_db()
    assert (world.person.name, world.person.email, world.person.is_active) == (NAME, ADDRESS, True)
    assert world.person.erased_at is None
    assert Registration.objects.get(event=world.upcoming, person=world.person).status == "confirmed"
    assert AuditEntry.objects.count() == audit_before
    with pytest.raises(privacy.ErasureRefused):
        privacy.person_erase(actor=world.person, person=world.person)


def test_a_past_or_cancelled_event_or_an_archived_project_does_not_hold_the_erasure(world):
    from datetime import timedelta

    from django.utils import timezone

    from projects.models import Project

    EventFactory(organizers=[world.person], starts_at=timezone.now() - timedelta(days=3))
    EventFactory(organizers=[world.person], status="cancelled")
    LeadFactory(person=world.person, project__state=Project.State.ARCHIVED)
    assert privacy.erasure_refusals(world.person) == []


# --- what an erasure does ----------------------------------------------------------------------------------------


def test_the_first_person_waiting_gets_the_erased_persons_seat(world, django_capture_on_commit_callbacks):
    erase(world, django_capture_on_commit_callbacks)

    promoted = Registration.objects.get(event=world.upcoming, person=world.waiting)
    assert promoted.status == Registration.Status.CONFIRMED
    world.upcoming.refresh_from_db()
    assert world.upcoming.confirmed_count == 1
    assert Registration.objects.get(event=world.upcoming, person=world.person).status == "cancelled"
    assert any(world.waiting.email in message.to for message in mail.outbox)


def test_no_table_holds_the_old_name_or_address_afterwards(world, django_capture_on_commit_callbacks):
    # given the name and address are all over the database (the audit trail, notifications, webhooks, invitations)
    assert traces_of("Marlowe-Ashby", ADDRESS)

    # when the person erases their account (and the last email has gone out)
    erase(world, django_capture_on_commit_callbacks)

    # then no text column of any table holds either, in any case
    assert traces_of("Marlowe-Ashby", ADDRESS, "Q. M.") == []
    farewell = [message for message in mail.outbox if message.to == [ADDRESS]]
    assert len(farewell) == 1
    assert "erased" in farewell[0].subject
    assert "Marlowe" not in farewell[0].body


def test_the_erased_persons_token_answers_401_and_another_persons_still_works(
    world, api_client, django_capture_on_commit_callbacks
):
    erase(world, django_capture_on_commit_callbacks)

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {world.token_key}")
    assert api_client.get(reverse("me")).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {world.other_token_key}")
    assert api_client.get(reverse("me")).status_code == 200
    assert not ApiToken.objects.filter(user=world.person, revoked_at__isnull=True).exists()


def test_the_erased_person_cannot_sign_in(world, client, django_capture_on_commit_callbacks):
    erase(world, django_capture_on_commit_callbacks)

    assert client.login(email=ADDRESS, password=PASSWORD) is False
    response = client.post(reverse("account_login"), {"login": ADDRESS, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert not world.person.has_usable_password()
    assert world.person.is_active is False


def test_the_session_of_the_erased_person_ends(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.person)
    assert client.get(reverse("privacy_account")).status_code == 200

    erase(world, django_capture_on_commit_callbacks)

    assert client.get(reverse("privacy_account")).status_code == 302


def test_what_others_rely_on_stays_and_the_account_shows_as_former_member(world, django_capture_on_commit_callbacks):
    actions_before = sorted(AuditEntry.objects.filter(actor=world.person).values_list("action", flat=True))

    erase(world, django_capture_on_commit_callbacks)

    # the account row stays, empty
    person = User.objects.get(pk=world.person.pk)
    assert (person.name, str(person), person.public_name) == ("", "Former member", "Former member")
    assert person.email == f"erased-{person.pk}@erased.invalid"
    # audit entries keep their actions, by "Former member"; the erasure itself is recorded
    written = list(AuditEntry.objects.filter(actor=person).values_list("action", flat=True))
    assert set(actions_before) <= set(written)
    assert "person.erased" in written and "registration.cancelled" in written and "affiliation.removed" in written
    assert {str(entry.actor) for entry in AuditEntry.objects.filter(actor=person).select_related("actor")} == {
        "Former member"
    }
    # attendance of the past event is as it was; its check-in stays
    world.past.refresh_from_db()
    assert world.past.confirmed_count == 2
    assert Registration.objects.get(event=world.past, person=person).checked_in_at is not None
    # every membership ended, every endpoint stopped, nothing of theirs left in the inbox
    assert not Affiliation.objects.filter(person=person).exists()
    assert not Participation.objects.filter(person=person).exists()
    assert not CommitteeMember.objects.filter(person=person).exists()
    assert not world.organized.organizers.filter(pk=person.pk).exists()
    assert not WebhookEndpoint.objects.filter(created_by=person, active=True).exists()
    assert not Notification.objects.filter(recipient=person).exists()


def test_closed_ballot_results_and_secret_votes_stay_as_they_were(world, django_capture_on_commit_callbacks):
    # given a secret ballot the person voted in, closed and counted, and an open one they voted in
    committee = CommitteeFactory()
    chair = ChairFactory(committee=committee).person
    CommitteeMember.objects.create(committee=committee, person=world.person, role=CommitteeMember.Role.VOTING)
    closed = governance_services.ballot_open(actor=chair, ballot=BallotFactory(committee=committee, secret=True))
    governance_services.ballot_vote(actor=world.person, ballot=closed, choice="yes")
    governance_services.ballot_vote(actor=chair, ballot=closed, choice="no")
    governance_services.ballot_close(actor=chair, ballot=closed)
    result = BallotResult.objects.get(ballot=closed)
    tally, turnout = result.tally, result.turnout
    secret_votes = list(Vote.objects.filter(ballot=closed).values_list("voter_id", "choice"))

    # when the person erases their account
    erase(world, django_capture_on_commit_callbacks)

    # then the result and the (unlinked) secret votes are unchanged
    result.refresh_from_db()
    assert (result.tally, result.turnout) == (tally, turnout)
    assert list(Vote.objects.filter(ballot=closed).values_list("voter_id", "choice")) == secret_votes
    assert all(voter is None for voter, _ in secret_votes)


# --- the API: who proves it is them ------------------------------------------------------------------------------


def test_the_api_asks_for_the_password_and_erases(world, api_client, django_capture_on_commit_callbacks):
    api_client.force_authenticate(world.person)
    wrong = api_client.post(reverse("me-erase"), {"password": "not it"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {"password": ["This is not your password."]}
    assert User.objects.get(pk=world.person.pk).erased_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(reverse("me-erase"), {"password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"erased": True, "detail": "The account is erased."}
    assert User.objects.get(pk=world.person.pk).erased_at is not None


def test_a_visitor_cannot_erase_anything(api_client):
    assert api_client.post(reverse("me-erase"), {"password": PASSWORD}, format="json").status_code in (401, 403)


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def test_with_two_factor_authentication_on_the_current_code_is_needed(world, api_client):
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(world.person, secret)
    api_client.force_authenticate(world.person)

    missing = api_client.post(reverse("me-erase"), {"password": PASSWORD}, format="json")
    wrong = api_client.post(reverse("me-erase"), {"password": PASSWORD, "code": "000000"}, format="json")
    assert missing.status_code == wrong.status_code == 400
    assert list(missing.json()["errors"]) == list(wrong.json()["errors"]) == ["code"]
    assert User.objects.get(pk=world.person.pk).erased_at is None

    right = api_client.post(reverse("me-erase"), {"password": PASSWORD, "code": _current_code(secret)}, format="json")

    assert right.status_code == 200
    assert User.objects.get(pk=world.person.pk).erased_at is not None


# --- staff, on a verified request --------------------------------------------------------------------------------


def test_staff_erase_on_a_verified_request_with_the_reason_audited(
    world, api_client, django_capture_on_commit_callbacks
):
    url = reverse("person-erase", kwargs={"pk": world.person.pk})
    api_client.force_authenticate(world.staff)
    assert api_client.post(url, {}, format="json").status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            url,
            {"reason": f"Letter from {NAME}, signed, checked against the member file on 3 December."},
            format="json",
        )

    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="person.erased")
    assert entry.actor == world.staff
    assert entry.note == "Letter from Former member, signed, checked against the member file on 3 December."
    assert traces_of("Marlowe-Ashby", ADDRESS) == []
    assert (
        api_client.post(url, {"reason": "again"}, format="json").json()["detail"] == "This account is already erased."
    )


@pytest.mark.parametrize("body", [{}, {"reason": "x"}, {"reason": 5}, []])
def test_only_staff_erase_someone_else_whatever_the_body(world, api_client, body):
    api_client.force_authenticate(world.other)
    url = reverse("person-erase", kwargs={"pk": world.person.pk})

    response = api_client.post(url, body, format="json")

    assert response.status_code == 403
    assert User.objects.get(pk=world.person.pk).erased_at is None


def test_staff_hear_404_for_an_account_that_does_not_exist(world, api_client):
    api_client.force_authenticate(world.staff)
    assert (
        api_client.post(reverse("person-erase", kwargs={"pk": 999999}), {"reason": "x"}, format="json").status_code
        == 404
    )


# --- the page ----------------------------------------------------------------------------------------------------


def test_the_page_warns_then_erases_and_signs_out(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.person)
    page = client.get(reverse("privacy_account")).content.decode()
    assert "Erasing cannot be undone." in page

    unconfirmed = client.post(reverse("privacy_erase"), {"password": PASSWORD})
    assert unconfirmed.status_code == 400
    assert User.objects.get(pk=world.person.pk).erased_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy_erase"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=world.person.pk).erased_at is not None


def test_the_page_shows_what_to_do_first_instead_of_the_form(world, client):
    refusal = _only_admin(world)
    client.force_login(world.person)

    page = client.get(reverse("privacy_account")).content.decode()

    assert "Your account cannot be erased yet." in page
    assert refusal.replace("'", "&#x27;") in page
    assert 'action="/account/privacy/erase/"' not in page


def test_staff_cannot_erase_their_own_account_without_their_password(world, api_client):
    api_client.force_authenticate(world.staff)
    url = reverse("person-erase", kwargs={"pk": world.staff.pk})

    response = api_client.post(url, {"reason": "testing"}, format="json")

    assert response.status_code == 403
    assert User.objects.get(pk=world.staff.pk).erased_at is None


def test_an_erased_account_is_told_nothing_more(world, django_capture_on_commit_callbacks):
    from alliance.models import Notification as Row
    from alliance.notifications import notify, notify_crowd

    erase(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.person, world.other], kind="projects", template="portal/notifications/account_erased")
        notify_crowd(
            people=User.objects.filter(pk__in=[world.person.pk, world.other.pk]),
            kind="projects",
            template="portal/notifications/account_erased",
        )

    assert not Row.objects.filter(recipient=world.person).exists()
    assert [message.to for message in mail.outbox] == [[world.other.email], [world.other.email]]
