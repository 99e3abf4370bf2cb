from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from alliance.errors import DomainError, NotPermitted
from alliance.models import AuditEntry, Notification
from members.models import Organization
from projects import services
from projects.models import CatalogEntry, Participation, Project, ProposalReview
from tests.members.factories import AffiliationFactory, ApplicantOrganizationFactory, OrganizationFactory, StaffFactory

from .factories import CatalogEntryFactory, FocusAreaFactory, LeadFactory, ParticipationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

FULL_CHECKLIST = dict.fromkeys(services.CATALOG_CHECKLIST, True)


def _actions(target) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(target.pk))
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )


def _draft(member, **overrides) -> Project:
    values = {"title": "Open Eval Harness", "summary": "Shared evaluations.", "kind": Project.Kind.BENCHMARK}
    return services.project_create(actor=member, **{**values, **overrides})


# --- proposals -------------------------------------------------------------------------------------------------


def test_a_member_creates_a_draft_and_leads_it(member, member_organization):
    area = FocusAreaFactory(slug="trust-and-safety")

    project = _draft(member, focus_areas=[area], license="apache-2.0", help_wanted=["Reviewer", " "])

    assert project.state == Project.State.DRAFT
    assert project.slug == "open-eval-harness"
    assert project.license == "Apache-2.0"
    assert project.help_wanted == ["Reviewer"]
    assert list(project.sponsors.all()) == [member_organization]
    assert list(project.focus_areas.all()) == [area]
    assert Participation.objects.get(project=project).role == Participation.Role.LEAD
    assert _actions(project) == ["project.created"]


def test_someone_outside_member_organizations_cannot_propose(outsider):
    with pytest.raises(NotPermitted):
        _draft(outsider)
    assert not Project.objects.exists()


def test_a_person_of_an_applicant_organization_cannot_propose():
    person = AffiliationFactory(organization=ApplicantOrganizationFactory()).person

    with pytest.raises(NotPermitted):
        _draft(person)


def test_a_licence_that_is_not_spdx_is_refused(member):
    with pytest.raises(DomainError) as error:
        _draft(member, license="Some-Custom-Licence")

    assert error.value.field == "license"
    assert not Project.objects.exists()


def test_an_applicant_organization_cannot_sponsor(member):
    with pytest.raises(DomainError) as error:
        _draft(member, sponsors=[ApplicantOrganizationFactory()])

    assert error.value.field == "sponsors"


def test_the_proposer_edits_the_draft_but_others_cannot(member, other_member):
    project = _draft(member)

    services.project_update(actor=member, project=project, summary="Sharper summary.")
    with pytest.raises(NotPermitted):
        services.project_update(actor=other_member, project=project, summary="Hijacked.")

    project.refresh_from_db()
    assert project.summary == "Sharper summary."
    assert _actions(project) == ["project.created", "project.updated"]


def test_unknown_fields_cannot_be_changed(member):
    project = _draft(member)

    with pytest.raises(DomainError):
        services.project_update(actor=member, project=project, state=Project.State.ACTIVE)


def test_submitting_a_draft_tells_staff(member, staff, django_capture_on_commit_callbacks):
    project = _draft(member)

    with django_capture_on_commit_callbacks(execute=True):
        services.project_submit(actor=member, project=project)

    project.refresh_from_db()
    assert project.state == Project.State.PROPOSED
    assert staff.email in [message.to[0] for message in mail.outbox]
    assert "Project proposal to review" in mail.outbox[0].subject


def test_only_the_proposer_submits_and_only_a_draft(member, other_member):
    project = _draft(member)

    with pytest.raises(NotPermitted):
        services.project_submit(actor=other_member, project=project)
    services.project_submit(actor=member, project=project)
    with pytest.raises(DomainError):
        services.project_submit(actor=member, project=project)


@pytest.fixture
def proposal(member):
    project = _draft(member)
    return services.project_submit(actor=member, project=project)


def test_staff_accept_a_proposal_which_starts_incubating(proposal, member, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        project = services.project_accept(actor=staff, project=proposal, reason="Fills a gap.")

    assert project.state == Project.State.INCUBATING
    assert _actions(project)[-1] == "project.accepted"
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert "was accepted" in mail.outbox[0].subject


def test_a_proposal_whose_lead_left_cannot_be_accepted(proposal, member, staff):
    # given a proposal whose only lead left while it was under review (a proposal needs no lead)
    services.participation_leave(actor=member, project=proposal)

    # when staff accept it, then it is refused: an incubating project keeps at least one lead
    with pytest.raises(DomainError, match="no lead"):
        services.project_accept(actor=staff, project=proposal)
    proposal.refresh_from_db()
    assert proposal.state == Project.State.PROPOSED


def test_staff_reject_with_a_reason_the_proposer_reads(proposal, member, staff, django_capture_on_commit_callbacks):
    with pytest.raises(DomainError):
        services.project_reject(actor=staff, project=proposal, reason="  ")

    with django_capture_on_commit_callbacks(execute=True):
        project = services.project_reject(actor=staff, project=proposal, reason="Overlaps with Open Eval.")

    assert project.state == Project.State.REJECTED
    assert project.decision_reason == "Overlaps with Open Eval."
    assert "Overlaps with Open Eval." in mail.outbox[0].body


def test_people_who_are_not_staff_cannot_decide(proposal, member, other_member):
    for actor in (member, other_member):
        with pytest.raises(NotPermitted):
            services.project_accept(actor=actor, project=proposal)
    proposal.refresh_from_db()
    assert proposal.state == Project.State.PROPOSED


def test_a_reviewer_from_a_sponsoring_organization_comments_but_cannot_decide(proposal, member_organization):
    conflicted = StaffFactory()
    AffiliationFactory(person=conflicted, organization=member_organization)

    review = services.proposal_review_add(
        actor=conflicted, project=proposal, recommendation=ProposalReview.Recommendation.ACCEPT, comment="Solid."
    )
    with pytest.raises(NotPermitted, match="sponsoring organization"):
        services.project_accept(actor=conflicted, project=proposal)
    with pytest.raises(NotPermitted, match="sponsoring organization"):
        services.project_reject(actor=conflicted, project=proposal, reason="No.")

    assert review.recommendation == "accept"
    proposal.refresh_from_db()
    assert proposal.state == Project.State.PROPOSED


def test_reviews_are_staff_only_and_only_on_proposals(proposal, member, staff):
    with pytest.raises(NotPermitted):
        services.proposal_review_add(actor=member, project=proposal, recommendation="accept", comment="Mine!")
    with pytest.raises(DomainError):
        services.proposal_review_add(actor=staff, project=proposal, recommendation="maybe", comment="Hmm.")
    services.project_accept(actor=staff, project=proposal)
    with pytest.raises(DomainError):
        services.proposal_review_add(actor=staff, project=proposal, recommendation="accept", comment="Late.")


def test_the_full_lifecycle_and_the_moves_it_refuses(proposal, member, staff):
    with pytest.raises(DomainError):
        services.project_promote(actor=staff, project=proposal)

    project = services.project_accept(actor=staff, project=proposal)
    project = services.project_promote(actor=staff, project=project)
    assert project.state == Project.State.ACTIVE
    with pytest.raises(DomainError):
        services.project_revive(actor=staff, project=project)

    project = services.project_archive(actor=staff, project=project, reason="Work is done.")
    assert project.state == Project.State.ARCHIVED
    with pytest.raises(DomainError):
        services.project_archive(actor=staff, project=project)

    project = services.project_revive(actor=staff, project=project)
    assert project.state == Project.State.ACTIVE
    assert _actions(project)[-5:] == [
        "project.submitted", "project.accepted", "project.promoted", "project.archived", "project.revived",
    ]  # fmt: skip


def test_only_staff_promote_archive_and_revive(project, lead):
    for transition in (services.project_promote, services.project_archive, services.project_revive):
        with pytest.raises(NotPermitted):
            transition(actor=lead, project=project)


def test_a_lead_asks_to_archive_and_staff_are_told(project, lead, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.project_request_archive(actor=lead, project=project, reason="Merged into another project.")

    project.refresh_from_db()
    assert project.archive_requested_at is not None
    assert "Archiving requested" in mail.outbox[0].subject
    with pytest.raises(DomainError):
        services.project_request_archive(actor=lead, project=project)
    services.project_archive(actor=staff, project=project)
    project.refresh_from_db()
    assert project.archive_requested_at is None


def test_a_project_without_a_lead_cannot_be_revived(project, staff):
    services.project_archive(actor=staff, project=project)

    with pytest.raises(DomainError, match="no lead"):
        services.project_revive(actor=staff, project=project)


# --- participation ----------------------------------------------------------------------------------------------


def test_anyone_signed_in_joins_an_open_public_project(project, outsider):
    participation = services.participation_join(actor=outsider, project=project)

    assert participation.status == Participation.Status.ACTIVE
    assert participation.role == Participation.Role.CONTRIBUTOR
    with pytest.raises(DomainError):
        services.participation_join(actor=outsider, project=project)


def test_a_members_only_project_refuses_outsiders(project, outsider, other_member):
    project.visibility = Project.Visibility.MEMBERS
    project.save()

    with pytest.raises(NotPermitted):
        services.participation_join(actor=outsider, project=project)
    assert services.participation_join(actor=other_member, project=project).status == "active"


def test_drafts_and_archived_projects_take_no_participants(member, other_member, project, staff, lead):
    draft = _draft(member)
    services.project_archive(actor=staff, project=project)

    for closed in (draft, project):
        with pytest.raises(DomainError):
            services.participation_join(actor=other_member, project=closed)


def test_joining_by_approval_waits_for_a_lead(project, lead, other_member, django_capture_on_commit_callbacks):
    project.join_policy = Project.JoinPolicy.APPROVAL
    project.save()

    with django_capture_on_commit_callbacks(execute=True):
        participation = services.participation_join(actor=other_member, project=project, message="I can help.")
    assert participation.status == Participation.Status.PENDING
    assert mail.outbox[-1].to == [lead.email]

    with pytest.raises(NotPermitted):
        services.participation_approve(actor=other_member, participation=participation)
    with django_capture_on_commit_callbacks(execute=True):
        services.participation_approve(actor=lead, participation=participation)
    participation.refresh_from_db()
    assert participation.status == Participation.Status.ACTIVE
    assert mail.outbox[-1].to == [other_member.email]
    assert "You joined" in mail.outbox[-1].subject
    with pytest.raises(DomainError):
        services.participation_approve(actor=lead, participation=participation)


def test_a_request_to_join_carries_its_message_to_the_leads_mail_and_inbox(
    project, lead, other_member, django_capture_on_commit_callbacks
):
    # given a project that needs a lead's approval
    project.join_policy = Project.JoinPolicy.APPROVAL
    project.save()

    # when someone asks to join with a message
    with django_capture_on_commit_callbacks(execute=True):
        services.participation_join(actor=other_member, project=project, message="  I maintain the test suite.  ")

    # then the lead's mail and inbox entry carry it, trimmed
    assert "I maintain the test suite." in mail.outbox[-1].body
    assert "I maintain the test suite." in Notification.objects.get(recipient=lead).body


def test_a_message_longer_than_the_limit_is_refused_and_nothing_is_asked(project, other_member):
    # given a project that needs a lead's approval
    project.join_policy = Project.JoinPolicy.APPROVAL
    project.save()

    # when someone asks with a message one character over the limit
    with pytest.raises(DomainError) as refusal:
        services.participation_join(
            actor=other_member, project=project, message="x" * (services.JOIN_MESSAGE_MAX_LENGTH + 1)
        )

    # then it is refused on the message, and no request exists
    assert refusal.value.field == "message"
    assert str(services.JOIN_MESSAGE_MAX_LENGTH) in refusal.value.message
    assert not Participation.objects.filter(person=other_member).exists()
    # and a message at the limit goes through
    services.participation_join(actor=other_member, project=project, message="x" * services.JOIN_MESSAGE_MAX_LENGTH)


def test_a_lead_declines_a_request(project, lead, other_member, django_capture_on_commit_callbacks):
    project.join_policy = Project.JoinPolicy.APPROVAL
    project.save()
    participation = services.participation_join(actor=other_member, project=project)

    with django_capture_on_commit_callbacks(execute=True):
        services.participation_decline(actor=lead, participation=participation)

    assert not Participation.objects.filter(pk=participation.pk).exists()
    assert "declined" in mail.outbox[-1].subject


def test_the_last_lead_of_a_live_project_cannot_step_down_or_leave(project, lead):
    participation = Participation.objects.get(project=project, person=lead)

    with pytest.raises(DomainError, match="at least one lead"):
        services.participation_change_role(actor=lead, participation=participation, role="contributor")
    with pytest.raises(DomainError, match="at least one lead"):
        services.participation_leave(actor=lead, project=project)

    participation.refresh_from_db()
    assert participation.role == Participation.Role.LEAD


def test_a_lead_steps_down_once_there_is_another(project, lead, other_member):
    second = ParticipationFactory(project=project, person=other_member)
    services.participation_change_role(actor=lead, participation=second, role=Participation.Role.LEAD)

    services.participation_leave(actor=lead, project=project)

    assert list(project.participations.values_list("person", "role")) == [(other_member.pk, "lead")]


def test_the_last_lead_may_leave_an_archived_project(project, lead, staff):
    services.project_archive(actor=staff, project=project)

    services.participation_leave(actor=lead, project=project)

    assert not project.participations.exists()


def test_only_leads_manage_people(project, lead, other_member, outsider):
    participation = ParticipationFactory(project=project, person=outsider)

    with pytest.raises(NotPermitted):
        services.participation_change_role(actor=other_member, participation=participation, role="maintainer")
    with pytest.raises(NotPermitted):
        services.participation_remove(actor=other_member, participation=participation)
    with pytest.raises(DomainError):
        services.participation_change_role(actor=lead, participation=participation, role="boss")

    services.participation_change_role(actor=lead, participation=participation, role="maintainer")
    services.participation_remove(actor=lead, participation=participation)
    assert not Participation.objects.filter(pk=participation.pk).exists()
    assert _actions(project)[-1] == "participation.removed"


# --- updates -----------------------------------------------------------------------------------------------------


def test_a_lead_posts_an_update_and_participants_hear_of_it(
    project, lead, outsider, django_capture_on_commit_callbacks
):
    ParticipationFactory(project=project, person=outsider)

    with django_capture_on_commit_callbacks(execute=True):
        update = services.project_update_post(actor=lead, project=project, title="v1 is out", body="Try it.")

    assert update.project == project
    assert [message.to for message in mail.outbox] == [[outsider.email]]
    assert Notification.objects.filter(kind=Notification.Kind.PROJECTS, recipient=outsider).count() == 1


def test_only_leads_post_updates(project, outsider):
    ParticipationFactory(project=project, person=outsider)

    with pytest.raises(NotPermitted):
        services.project_update_post(actor=outsider, project=project, title="Hi", body="Me")


# --- catalog -----------------------------------------------------------------------------------------------------


def _submit(lead, project, **overrides) -> CatalogEntry:
    values = {
        "kind": CatalogEntry.Kind.TOOL, "name": "SafeCheck", "description": "Finds unsafe output.",
        "link": "https://example.org/safecheck", "license": "mit", "version": "1.2",
    }  # fmt: skip
    return services.catalog_entry_submit(actor=lead, project=project, **{**values, **overrides})


def test_a_lead_submits_an_entry_and_staff_validate_it(project, lead, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = _submit(lead, project)
    assert entry.status == CatalogEntry.Status.SUBMITTED
    assert entry.license == "MIT"
    assert staff.email in [message.to[0] for message in mail.outbox]

    with django_capture_on_commit_callbacks(execute=True):
        entry = services.catalog_entry_validate(actor=staff, entry=entry, checklist=FULL_CHECKLIST)

    assert entry.status == CatalogEntry.Status.VALIDATED
    assert entry.validated_by == staff
    assert entry.expires_at - entry.validated_at == timedelta(days=365)
    assert mail.outbox[-1].to == [lead.email]
    assert _actions(entry) == ["catalog.submitted", "catalog.validated"]


def test_catalog_submission_refusals(project, lead, outsider, member):
    with pytest.raises(NotPermitted):
        _submit(outsider, project)
    with pytest.raises(DomainError) as error:
        _submit(lead, project, license="Not-A-Licence")
    assert error.value.field == "license"
    with pytest.raises(DomainError) as error:
        _submit(lead, project, link="not a url")
    assert error.value.field == "link"
    draft = _draft(member)
    with pytest.raises(DomainError):
        _submit(member, draft)
    assert not CatalogEntry.objects.exists()


def test_validation_needs_staff_and_a_complete_checklist(project, lead, staff):
    entry = _submit(lead, project)

    with pytest.raises(NotPermitted):
        services.catalog_entry_validate(actor=lead, entry=entry, checklist=FULL_CHECKLIST)
    with pytest.raises(DomainError, match="Safety notes"):
        services.catalog_entry_validate(actor=staff, entry=entry, checklist={**FULL_CHECKLIST, "safety_notes": False})

    entry.refresh_from_db()
    assert entry.status == CatalogEntry.Status.SUBMITTED


def test_a_deprecated_entry_cannot_be_validated(project, lead, staff):
    entry = _submit(lead, project)
    services.catalog_entry_deprecate(actor=lead, entry=entry, reason="Superseded by 2.0")

    with pytest.raises(DomainError):
        services.catalog_entry_validate(actor=staff, entry=entry, checklist=FULL_CHECKLIST)
    with pytest.raises(DomainError):
        services.catalog_entry_deprecate(actor=staff, entry=entry)


def test_the_expiry_job_warns_once_then_expires_exactly_the_overdue_entries(
    project, lead, staff, django_capture_on_commit_callbacks
):
    start = timezone.now()
    overdue = CatalogEntryFactory(
        project=project,
        status="validated",
        validated_at=start - timedelta(days=400),
        expires_at=start - timedelta(days=1),
    )
    expiring = CatalogEntryFactory(
        project=project,
        status="validated",
        validated_at=start - timedelta(days=350),
        expires_at=start + timedelta(days=10),
    )
    fresh = CatalogEntryFactory(
        project=project, status="validated", validated_at=start, expires_at=start + timedelta(days=200)
    )
    submitted = CatalogEntryFactory(project=project, status="submitted", expires_at=None)

    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = services.catalog_expire_due()
        second = services.catalog_expire_due()

    assert first == {"expired": 1, "warned": 1}
    assert second == {"expired": 0, "warned": 0}
    statuses = dict(CatalogEntry.objects.values_list("pk", "status"))
    assert statuses == {
        overdue.pk: "expired",
        expiring.pk: "validated",
        fresh.pk: "validated",
        submitted.pk: "submitted",
    }
    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 2
    assert [s for s in subjects if "has expired" in s] == [
        f'[Alliance Portal] The validation of "{overdue}" has expired'
    ]
    assert [s for s in subjects if "expires on" in s] == [
        f'[Alliance Portal] The validation of "{expiring}" expires on {expiring.expires_at:%-d %B %Y}'
    ]

    with time_machine.travel(start + timedelta(days=11), tick=False), django_capture_on_commit_callbacks(execute=True):
        later = services.catalog_expire_due()
    assert later == {"expired": 1, "warned": 0}
    assert len(mail.outbox) == 3


def test_renewal_restarts_the_validation_period(project, lead, staff):
    entry = CatalogEntryFactory(
        project=project,
        status="expired",
        expires_at=timezone.now() - timedelta(days=3),
        expiry_warning_sent_at=timezone.now() - timedelta(days=40),
    )

    entry = services.catalog_entry_validate(actor=staff, entry=entry, checklist=FULL_CHECKLIST)

    assert entry.status == CatalogEntry.Status.VALIDATED
    assert entry.expiry_warning_sent_at is None
    assert _actions(entry) == ["catalog.renewed"]


def test_the_organization_lists_the_projects_its_people_take_part_in(project, lead, member_organization):
    from projects.selectors import organization_projects

    elsewhere = ProjectFactory(state=Project.State.ACTIVE)
    LeadFactory(project=elsewhere, person=lead)
    hidden = ProjectFactory(state=Project.State.DRAFT)
    LeadFactory(project=hidden, person=lead)

    assert set(organization_projects(member_organization)) == {project, elsewhere}
    assert Organization.objects.get(pk=member_organization.pk).status == "active"


# --- focus areas -----------------------------------------------------------------------------------------------


def test_staff_add_a_focus_area_with_a_slug_from_its_name(staff):
    area = services.focus_area_create(actor=staff, name=" Trust and safety ", description="Evaluations.")

    assert (area.name, area.slug, area.description) == ("Trust and safety", "trust-and-safety", "Evaluations.")
    assert _actions(area) == ["focus_area.created"]


def test_only_staff_add_focus_areas(member):
    with pytest.raises(NotPermitted):
        services.focus_area_create(actor=member, name="Trust and safety")


def test_a_focus_area_name_is_unique(staff):
    FocusAreaFactory(name="Trust and safety", slug="trust")

    with pytest.raises(DomainError) as error:
        services.focus_area_create(actor=staff, name="Trust and safety")

    assert error.value.field == "name"


def test_staff_rename_a_focus_area_and_its_address_stays(staff):
    area = FocusAreaFactory(name="Safety", slug="safety")

    services.focus_area_update(actor=staff, focus_area=area, name="Trust and safety")

    area.refresh_from_db()
    assert (area.name, area.slug) == ("Trust and safety", "safety")
    assert _actions(area) == ["focus_area.updated"]


def test_only_staff_edit_focus_areas_and_only_name_and_description(member, staff):
    area = FocusAreaFactory()

    with pytest.raises(NotPermitted):
        services.focus_area_update(actor=member, focus_area=area, name="Mine")
    with pytest.raises(DomainError):
        services.focus_area_update(actor=staff, focus_area=area, slug="elsewhere")


def test_a_member_names_only_their_own_organizations_as_sponsors(member, member_organization):
    stranger = OrganizationFactory()

    with pytest.raises(DomainError, match="organizations you belong to") as error:
        _draft(member, sponsors=[member_organization, stranger])

    assert error.value.field == "sponsors"
    assert not Project.objects.exists()


def test_staff_add_other_backers_and_a_lead_keeps_them_when_editing(member, member_organization, staff):
    stranger = OrganizationFactory()
    project = _draft(member)

    services.project_update(actor=staff, project=project, sponsors=[member_organization, stranger])
    services.project_update(actor=member, project=project, sponsors=[member_organization, stranger], summary="New.")

    assert set(project.sponsors.all()) == {member_organization, stranger}
    with pytest.raises(DomainError, match="organizations you belong to"):
        services.project_update(actor=member, project=project, sponsors=[OrganizationFactory()])
