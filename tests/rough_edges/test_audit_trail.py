"""The audit trail's rough edges, on the staff trail and an organization's: readable action names, people by name
("Former member" once erased), a validated date filter, a CSV export of the filtered rows, each row as it was
recorded, times with their zone, and a fixed number of queries."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from alliance.audit import ACTION_LABELS, action_label, audit_record
from alliance.locale import person_time_zone_set
from alliance.models import AuditEntry
from alliance.portal.privacy import person_erase
from members import services
from members.models import Organization

from ..members.factories import (
    AdminAffiliationFactory,
    AffiliationFactory,
    ApplicantOrganizationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _text(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _on_day(entry: AuditEntry, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=moment)


def _org_audit_url(organization, **query) -> str:
    url = reverse("members:organization_audit", kwargs={"slug": organization.slug})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


# --- action names -----------------------------------------------------------------------------------------------


def test_every_action_the_code_records_has_a_label():
    # given every literal action code the apps record
    sources = [
        path for folder in ("alliance", "members", "projects", "events") for path in (ROOT / folder).rglob("*.py")
    ]
    codes = {code for path in sources for code in re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text("utf-8"))}

    # then each one has a label of its own (not the words made from its code)
    assert len(codes) > 80
    assert sorted(codes - set(ACTION_LABELS)) == []
    assert action_label("application.approved") == "Application approved"
    assert action_label("gadget.was_polished") == "Gadget: was polished"


def test_the_staff_trail_shows_action_names_and_people_by_name(client):
    organization = OrganizationFactory(name="Open Health Lab")
    admin = AdminAffiliationFactory(organization=organization, person=UserFactory(name="Ada Lovelace")).person
    services.organization_update(actor=admin, organization=organization, website="https://ohl.example")
    client.force_login(StaffFactory())

    page = _text(client.get(reverse("audit_log")))

    assert "Organization details changed" in page
    assert "organization.updated" not in page.split("Recorded change", 1)[1]
    assert "Ada Lovelace" in page
    assert admin.email not in page


def test_an_erased_actor_reads_as_former_member(client):
    organization = OrganizationFactory(name="Open Health Lab")
    person = AdminAffiliationFactory(organization=organization, person=UserFactory(name="Grace Hopper")).person
    AdminAffiliationFactory(organization=organization)  # another admin, so the erased one may leave
    services.organization_update(actor=person, organization=organization, website="https://ohl.example")
    staff = StaffFactory()
    person_erase(actor=staff, person=person, reason="Asked by mail, identity checked.")
    client.force_login(staff)

    page = _text(client.get(reverse("audit_log"), {"action": "organization.updated"}))

    assert "Former member" in page
    assert "Grace Hopper" not in page


# --- the date filter ----------------------------------------------------------------------------------------------


def test_the_date_filter_keeps_the_entries_of_the_period_both_days_included(client):
    organization = OrganizationFactory()
    staff = StaffFactory()
    old, inside, last = (
        audit_record(actor=staff, action="organization.updated", target=organization, note=note)
        for note in ("old", "inside", "last day")
    )
    _on_day(old, datetime.date(2026, 1, 5))
    _on_day(inside, datetime.date(2026, 2, 1))
    _on_day(last, datetime.date(2026, 2, 28))
    client.force_login(staff)

    response = client.get(reverse("audit_log"), {"start": "2026-02-01", "end": "2026-02-28"})

    assert [entry.note for entry in response.context["entries"]] == ["last day", "inside"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-03-01", "end": "2026-02-01"}, "The end date is before the start date."),
        ({"start": "2026-13-01"}, "Enter the start date as a date, for example 2026-01-31."),
        ({"end": "yesterday"}, "Enter the end date as a date, for example 2026-12-31."),
    ],
)
def test_a_wrong_period_is_a_clear_error(client, query, message):
    client.force_login(StaffFactory())

    response = client.get(reverse("audit_log"), query)

    assert response.status_code == 400
    assert message in response.content.decode()


# --- CSV ----------------------------------------------------------------------------------------------------------


def test_the_csv_holds_the_filtered_rows_with_names_labels_and_zoned_times(client):
    organization = OrganizationFactory(name="=HYPERLINK(evil)")
    staff = StaffFactory(name="Sam Staff")
    kept = audit_record(actor=staff, action="organization.updated", target=organization, note="kept")
    dropped = audit_record(actor=staff, action="organization.updated", target=organization, note="dropped")
    _on_day(kept, datetime.date(2026, 2, 10))
    _on_day(dropped, datetime.date(2026, 3, 10))
    client.force_login(staff)

    response = client.get(reverse("audit_log"), {"start": "2026-02-01", "end": "2026-02-28", "format": "csv"})
    rows = _csv(response)

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert rows[0][:3] == ["When", "Who", "Action"]
    assert len(rows) == 2
    assert rows[1][:4] == ["2026-02-10 12:00 UTC", "Sam Staff", "Organization details changed", "organization.updated"]
    assert rows[1][5] == "'=HYPERLINK(evil)"  # a spreadsheet reads it as text, not a formula
    assert rows[1][7] == "kept"


def test_the_csv_gives_times_in_the_readers_zone_like_the_page(client):
    # given an entry at 12:00 UTC, and staff whose zone is Tokyo
    staff = StaffFactory(name="Sam Staff")
    _on_day(
        audit_record(actor=staff, action="organization.updated", target=OrganizationFactory()),
        datetime.date(2026, 2, 10),
    )
    person_time_zone_set(person=staff, time_zone="Asia/Tokyo")
    client.force_login(staff)

    # when they download the CSV (written after the request itself has ended)
    rows = _csv(client.get(reverse("audit_log"), {"format": "csv"}))

    # then its times are theirs, as on the page
    assert rows[1][0] == "2026-02-10 21:00 JST"


def test_the_page_links_to_the_csv_of_the_same_filters(client):
    audit_record(actor=None, action="organization.updated", target=OrganizationFactory())
    client.force_login(StaffFactory())

    page = client.get(reverse("audit_log"), {"action": "organization", "start": "2026-01-01"}).content.decode()

    assert 'href="?action=organization&amp;start=2026-01-01&amp;format=csv"' in page


# --- each row as recorded, times with their zone ------------------------------------------------------------------


def test_a_row_shows_the_state_it_recorded_not_the_targets_state_now(client):
    organization = ApplicantOrganizationFactory(name="Before Name")
    admin = AdminAffiliationFactory(organization=organization).person
    services.application_submit(
        actor=admin, organization=organization, tier="general", statement="We share tools.", charter_accepted=True
    )
    services.organization_update(actor=admin, organization=organization, name="After Name")
    client.force_login(admin)

    rows = _csv(client.get(_org_audit_url(organization, format="csv")))

    submitted = next(row for row in rows if row[3] == "application.submitted")
    assert submitted[5] == "Application of Before Name (Submitted)"
    renamed = next(row for row in rows if row[3] == "organization.updated")
    assert renamed[6] == "name: Before Name → After Name"


def test_times_carry_their_zone_in_24_hour_style(client, settings):
    settings.TIME_ZONE = "Europe/Brussels"
    entry = audit_record(actor=None, action="organization.updated", target=OrganizationFactory())
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=datetime.datetime(2026, 7, 1, 15, 30, tzinfo=datetime.UTC))
    client.force_login(StaffFactory())

    page = client.get(reverse("audit_log")).content.decode()

    assert ">2026-07-01 17:30 CEST</time>" in page


# --- the organization's trail ---------------------------------------------------------------------------------


def test_an_organizations_admins_see_its_trail_and_not_anothers(client):
    organization = ApplicantOrganizationFactory(name="Open Health Lab")
    admin = AdminAffiliationFactory(organization=organization).person
    services.application_submit(
        actor=admin, organization=organization, tier="general", statement="We share tools.", charter_accepted=True
    )
    services.invitation_create(actor=admin, organization=organization, email="new@ohl.example", role="member")
    other = OrganizationFactory(name="Elsewhere Institute")
    services.organization_update(
        actor=AdminAffiliationFactory(organization=other).person, organization=other, website="https://else.example"
    )
    client.force_login(admin)

    page = _text(client.get(_org_audit_url(organization)))

    assert "Application submitted" in page
    assert "Invitation sent" in page
    assert "Elsewhere" not in page


def test_only_admins_and_staff_see_an_organizations_trail(client):
    organization = OrganizationFactory()
    member = AffiliationFactory(organization=organization).person

    client.force_login(member)
    as_member = client.get(_org_audit_url(organization))
    client.force_login(UserFactory())
    as_outsider = client.get(_org_audit_url(organization))
    client.force_login(StaffFactory())
    as_staff = client.get(_org_audit_url(organization))

    assert as_member.status_code == 403
    assert as_outsider.status_code == 404
    assert as_staff.status_code == 200


def test_the_organizations_trail_filters_by_date_too(client):
    organization = OrganizationFactory()
    admin = AdminAffiliationFactory(organization=organization).person
    entry = audit_record(actor=admin, action="organization.updated", target=organization, note="in February")
    _on_day(entry, datetime.date(2026, 2, 10))
    audit_record(actor=admin, action="organization.updated", target=organization, note="today")
    client.force_login(admin)

    response = client.get(_org_audit_url(organization, start="2026-02-01", end="2026-02-28"))
    refused = client.get(_org_audit_url(organization, start="2026-02-28", end="2026-02-01"))

    assert [entry.note for entry in response.context["entries"]] == ["in February"]
    assert refused.status_code == 400


# --- query counts -------------------------------------------------------------------------------------------------


def _busy_organization(size: int) -> tuple[Organization, object]:
    organization = OrganizationFactory()
    admin = AdminAffiliationFactory(organization=organization).person
    for number in range(size):
        services.invitation_create(
            actor=admin, organization=organization, email=f"guest{number}@example.org", role="member"
        )
        services.organization_update(actor=admin, organization=organization, website=f"https://{number}.example")
    return organization, admin


@pytest.mark.parametrize("size", [2, 40])
def test_the_organizations_trail_costs_the_same_queries_whatever_its_size(client, django_assert_num_queries, size):
    organization, admin = _busy_organization(size)
    client.force_login(admin)

    # session, user, organization, the person's affiliation, the admin check, count, the header's unread
    # notifications and admin menu, the page of entries (actor and kind of target joined)
    with django_assert_num_queries(9):
        response = client.get(_org_audit_url(organization))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 40])
def test_the_csv_costs_the_same_queries_whatever_its_size(client, django_assert_num_queries, size):
    _busy_organization(size)
    client.force_login(StaffFactory())

    # session, user, the rows (actor and kind of target joined)
    with django_assert_num_queries(3):
        rows = _csv(client.get(reverse("audit_log"), {"format": "csv"}))

    assert len(rows) > 2 * size


def test_an_applications_history_uses_the_same_action_names_and_zoned_times(client):
    organization = ApplicantOrganizationFactory()
    admin = AdminAffiliationFactory(organization=organization).person
    application = services.application_submit(
        actor=admin, organization=organization, tier="general", statement="We share tools.", charter_accepted=True
    )
    services.application_request_changes(actor=StaffFactory(), application=application, reason="More, please.")
    client.force_login(admin)

    page = _text(client.get(reverse("members:application_detail", kwargs={"pk": application.pk})))

    assert "Application submitted" in page
    assert "Changes requested on an application" in page
    assert re.search(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC Application submitted", page)


def test_a_recorded_moment_reads_in_the_portals_zone_with_its_label(client, settings):
    settings.TIME_ZONE = "Europe/Brussels"
    audit_record(
        actor=None,
        action="membership.term_started",
        target=OrganizationFactory(),
        changes={"term_end": (None, datetime.datetime(2027, 12, 4, 18, 58, 56, 587862, tzinfo=datetime.UTC))},
    )
    client.force_login(StaffFactory())

    page = _text(client.get(reverse("audit_log")))
    rows = _csv(client.get(reverse("audit_log"), {"format": "csv"}))

    assert "term_end: — → 2027-12-04 19:58 CET" in page
    assert rows[1][6] == "term_end: — → 2027-12-04 19:58 CET"
