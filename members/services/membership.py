"""Membership terms: tiers staff manage, the first term on approval, renewals by an organization's admins,
invoices staff mark paid, corrections of a term's dates, and the reminder beat job.

The standing (current, renewal due, grace, lapsed) is never stored: ``members.selectors`` derives it from the
latest term's end and the clock wherever it is read. A renewal is decided on the locked organization row, so
two admins renewing at once add one term, not two.
"""

import calendar
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from alliance.audit import audit_record, audited_update
from alliance.errors import DomainError, NotPermitted, require_staff, validate_model
from alliance.models import Notification
from alliance.notifications import notify, staff_recipients
from alliance.sweeps import claim_each
from alliance.text import clean_name

from ..models import Invoice, MembershipReminder, MembershipTerm, MembershipTier, Organization, User
from ..selectors import (
    RENEWABLE_STANDINGS,
    Standing,
    grace_period,
    may_renew_membership,
    organization_admins,
    organization_membership,
    renewal_window,
)
from ._common import locked_organization

TIER_EDITABLE_FIELDS = (
    "name",
    "description",
    "annual_fee",
    "currency",
    "term_months",
    "members_only_events",
    "propose_projects",
    "committee_seat",
    "position",
)
CHARTER_NOT_ACCEPTED_FOR_RENEWAL = "The alliance charter must be accepted to renew."


def term_end_for(starts_at: datetime, tier: MembershipTier) -> datetime:
    """A term at ``tier`` that starts at ``starts_at`` ends the tier's length in months later (same day and time)."""
    return add_months(starts_at, tier.term_months)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day when it has fewer: 31 January + 1 month is
    28 or 29 February)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def require_membership_renewer(actor: Any, organization: Organization) -> None:
    """Its admins renew an organization's membership (staff correct terms instead): the one statement of who."""
    if not may_renew_membership(actor, organization):
        raise NotPermitted(f"Only an admin of {organization} can renew its membership.")


def require_tier(code: str, *, field: str = "tier") -> MembershipTier:
    """The tier with this code, or a ``DomainError`` on ``field`` naming the tiers there are."""
    if not code:
        raise DomainError("Choose a membership tier.", field=field)
    tier = MembershipTier.objects.filter(code=code).first()
    if tier is None:
        codes = ", ".join(MembershipTier.objects.order_by("position", "name").values_list("code", flat=True))
        raise DomainError(f"Choose one of the membership tiers: {codes}.", field=field)
    return tier


# --- tiers (staff) ---------------------------------------------------------------------------------------------


def tier_create(*, actor: User, code: str, name: str, **fields: Any) -> MembershipTier:
    """Staff add a tier; its code names it for good."""
    require_staff(actor)
    unknown = set(fields) - set(TIER_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    tier = MembershipTier(code=code, name=clean_name(name, field="name"), **fields)
    tier.currency = tier.currency.upper()
    validate_model(tier)
    with transaction.atomic():
        tier.save()
        audit_record(actor=actor, action="tier.created", target=tier)
    return tier


def tier_update(*, actor: User, tier: MembershipTier, **fields: Any) -> MembershipTier:
    """Staff change a tier's name, fee, length or benefits; terms already running keep their dates."""
    require_staff(actor)
    unknown = set(fields) - set(TIER_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if "name" in fields:
        fields["name"] = clean_name(fields["name"], field="name")
    if "currency" in fields:
        fields["currency"] = str(fields["currency"]).upper()
    audited_update(actor=actor, obj=tier, fields=fields, action="tier.updated")
    return tier


# --- terms -----------------------------------------------------------------------------------------------------


def membership_term_start(
    *, actor: Any, organization: Organization, tier: MembershipTier, starts_at: datetime | None = None
) -> MembershipTerm:
    """The first term, when staff approve an application (called inside the approval's transaction)."""
    starts_at = starts_at or timezone.now()
    term = MembershipTerm.objects.create(
        organization=organization,
        tier=tier,
        starts_at=starts_at,
        ends_at=term_end_for(starts_at, tier),
        charter_version=settings.ALLIANCE_CHARTER_VERSION,
    )
    audit_record(
        actor=actor,
        action="membership.term_started",
        target=organization,
        changes={"term_end": (None, term.ends_at.isoformat()), "tier": (None, tier.code)},
    )
    return term


def _invoice_issue(term: MembershipTerm) -> Invoice | None:
    """A term at a tier with a fee is billed: a numbered invoice to the organization's billing details."""
    tier, organization = term.tier, term.organization
    if tier.annual_fee <= 0:
        return None
    # The fee is annual; a term of another length is billed for its months.
    amount = (tier.annual_fee * Decimal(tier.term_months) / Decimal(12)).quantize(Decimal("0.01"))
    invoice = Invoice.objects.create(
        organization=organization,
        term=term,
        tier_name=tier.name,
        amount=amount,
        currency=tier.currency,
        billed_to=organization.name,
        billing_address=organization.billing_address,
    )
    # Numbered from the row's own sequence: unique and in order without a table-wide lock (a rolled-back renewal
    # leaves a gap, which the audit trail explains).
    invoice.number = f"INV-{invoice.issued_at:%Y}-{invoice.pk:06d}"
    invoice.save(update_fields=["number"])
    return invoice


def membership_renew(
    *,
    actor: User,
    organization: Organization,
    accept_charter: bool,
    tier: str | MembershipTier | None = None,
    now: datetime | None = None,
) -> MembershipTerm:
    """An admin renews while renewal is due, in grace or lapsed, accepting the charter's current version, and may
    change tier. The new term runs on from the old end, or from now when the membership had lapsed (its benefits
    come back at once). A tier with a fee issues an invoice; payment is bookkeeping, not a gate."""
    require_membership_renewer(actor, organization)
    if not accept_charter:
        raise DomainError(CHARTER_NOT_ACCEPTED_FOR_RENEWAL, field="accept_charter")
    chosen = tier if isinstance(tier, MembershipTier) else (require_tier(tier) if tier else None)
    now = now or timezone.now()
    with transaction.atomic():
        organization = locked_organization(organization.pk)
        if organization.status != Organization.Status.ACTIVE:
            raise DomainError(
                f"{organization} is {organization.get_status_display().lower()}; contact the secretariat."
            )
        membership = organization_membership(organization, now=now)
        if membership.term is None:
            raise DomainError(f"{organization} has no membership term to renew; contact the secretariat.")
        if membership.standing not in RENEWABLE_STANDINGS:
            opens = date_format(timezone.localtime(membership.renewal_opens), "j F Y")
            raise DomainError(
                f"Renewal opens on {opens}, {settings.MEMBERSHIP_RENEWAL_WINDOW_DAYS} days before the term ends."
            )
        new_tier = chosen or membership.term.tier
        starts_at = now if membership.standing == Standing.LAPSED else membership.term.ends_at
        term = MembershipTerm.objects.create(
            organization=organization,
            tier=new_tier,
            starts_at=starts_at,
            ends_at=term_end_for(starts_at, new_tier),
            charter_version=settings.ALLIANCE_CHARTER_VERSION,
            renewed_by=actor,
        )
        changes: dict[str, tuple[Any, Any]] = {
            "term_end": (membership.term.ends_at.isoformat(), term.ends_at.isoformat()),
            "standing": (membership.standing, Standing.CURRENT),
        }
        if organization.tier != new_tier.code:
            changes["tier"] = (organization.tier, new_tier.code)
            organization.tier = new_tier.code
            organization.save(update_fields=["tier", "updated_at"])
        invoice = _invoice_issue(term)
        audit_record(
            actor=actor,
            action="membership.renewed",
            target=organization,
            changes=changes,
            note=f"Charter {term.charter_version} accepted." + (f" Invoice {invoice.number}." if invoice else ""),
        )
        notify(
            recipients=list(organization_admins(organization)),
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/membership_renewed",
            context={"organization": organization, "term": term, "tier": new_tier, "invoice": invoice},
            url=reverse("members:membership", kwargs={"slug": organization.slug}),
            transactional=True,
        )
    return term


def membership_term_correct(
    *,
    actor: User,
    term: MembershipTerm,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    tier: str | MembershipTier | None = None,
    note: str = "",
) -> MembershipTerm:
    """Staff correct a term's dates or tier (a mistake, an agreed extension); the change is audited and the
    standing follows the new dates at once."""
    require_staff(actor)
    chosen = tier if isinstance(tier, MembershipTier) else (require_tier(tier) if tier else None)
    with transaction.atomic():
        locked_organization(term.organization_id)
        term = MembershipTerm.objects.select_related("tier", "organization").get(pk=term.pk)
        before = {"starts_at": term.starts_at, "ends_at": term.ends_at, "tier": term.tier.code}
        if starts_at is not None:
            term.starts_at = starts_at
        if ends_at is not None:
            term.ends_at = ends_at
        if chosen is not None:
            term.tier = chosen
        if term.ends_at <= term.starts_at:
            raise DomainError("A term must end after it starts.", field="term_end")
        after = {"starts_at": term.starts_at, "ends_at": term.ends_at, "tier": term.tier.code}
        changes = {key: (str(before[key]), str(after[key])) for key in before if before[key] != after[key]}
        if not changes:
            return term
        term.save(update_fields=["starts_at", "ends_at", "tier"])
        organization = term.organization
        latest = organization.terms.order_by("-ends_at", "-pk").first()
        if chosen is not None and latest is not None and latest.pk == term.pk and organization.tier != chosen.code:
            organization.tier = chosen.code
            organization.save(update_fields=["tier", "updated_at"])
        audit_record(actor=actor, action="membership.term_corrected", target=term, changes=changes, note=note)
    return term


def invoice_mark_paid(*, actor: User, invoice: Invoice) -> Invoice:
    """Staff record that an invoice was paid (bookkeeping: the membership never waited for it)."""
    require_staff(actor)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("organization").get(pk=invoice.pk)
        if invoice.paid_at is not None:
            raise DomainError(f"Invoice {invoice.number} is already marked paid.")
        invoice.paid_at = timezone.now()
        invoice.marked_paid_by = actor
        invoice.save(update_fields=["paid_at", "marked_paid_by"])
        audit_record(
            actor=actor, action="invoice.paid", target=invoice, changes={"paid_at": (None, invoice.paid_at.isoformat())}
        )
    return invoice


# --- the reminder beat job -------------------------------------------------------------------------------------

Kind = MembershipReminder.Kind


def _reminder_schedule() -> list[tuple[str, timedelta]]:
    """Each reminder and how long before the term's end it is due (negative: after), soonest first: the
    ``MEMBERSHIP_REMINDER_DAYS`` before the end, the start of grace, and the lapse staff hear of."""
    before_end = [
        (getattr(Kind, f"DAYS_{days}"), timedelta(days=days))
        for days in sorted(settings.MEMBERSHIP_REMINDER_DAYS, reverse=True)
        if hasattr(Kind, f"DAYS_{days}")
    ]
    return [*before_end, (Kind.GRACE, timedelta()), (Kind.LAPSED, -grace_period())]


def _remind(term: MembershipTerm, *, kind: str, now: datetime) -> bool:
    """Record the reminder and notify, in the claim's transaction: both commit, or neither does."""
    MembershipReminder.objects.create(term=term, kind=kind, sent_at=now)
    organization = term.organization
    url = reverse("members:membership", kwargs={"slug": organization.slug})
    context = {
        "organization": organization,
        "term": term,
        "grace_until": term.ends_at + grace_period(),
        "renewal_opens": term.ends_at - renewal_window(),
        "days_left": max((term.ends_at - now).days, 0),
        "kind": kind,
    }
    if kind == Kind.LAPSED:
        audit_record(
            actor=None, action="membership.lapsed", target=organization, note=f"Term ended {term.ends_at:%Y-%m-%d}."
        )
        notify(
            recipients=staff_recipients(),
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/membership_lapsed_staff",
            context=context,
            url=url,
        )
        return True
    template = (
        "members/notifications/membership_grace"
        if kind == Kind.GRACE
        else "members/notifications/membership_renewal_due"
    )
    notify(
        recipients=list(organization_admins(organization)),
        kind=Notification.Kind.MEMBERSHIP,
        template=template,
        context=context,
        url=url,
        transactional=True,
    )
    return True


def membership_reminders_send(*, now: datetime | None = None) -> int:
    """The beat job: a term's admins hear 60, 30 and 7 days before its end and when grace starts; staff hear when
    it lapses. Only about an active organization's latest term (a renewed one needs no reminder), and each once:
    its row (unique per term and kind) commits with its notification, every term claimed with ``claim_each``, so
    a second run, or a second worker, sends nothing again. A reminder whose successor is due already is not sent
    late (an organization whose term was corrected to end in five days hears the 7-day one, not three at once)."""
    now = now or timezone.now()
    later_term = MembershipTerm.objects.filter(
        organization_id=OuterRef("organization_id"), ends_at__gt=OuterRef("ends_at")
    )
    latest_terms = MembershipTerm.objects.filter(organization__status=Organization.Status.ACTIVE).exclude(
        Exists(later_term)
    )
    schedule = _reminder_schedule()
    sent = 0
    for index, (kind, before_end) in enumerate(schedule):
        already = MembershipReminder.objects.filter(term_id=OuterRef("pk"), kind=kind)
        due = latest_terms.filter(ends_at__lte=now + before_end).exclude(Exists(already))
        if index + 1 < len(schedule):
            due = due.filter(ends_at__gt=now + schedule[index + 1][1])
        sent += claim_each(due.select_related("organization", "tier"), partial(_remind, kind=kind, now=now))
    return sent
