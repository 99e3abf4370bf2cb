"""Today's tiers become rows, and every member organization gets a first term from its approval date.

Nothing changes for existing organizations: each keeps its tier, with every benefit it had, and its term starts
on the day it became a member (``member_since``; its registration when that is unknown) and runs to the next
anniversary of that day still ahead, so no one lapses because this migration ran.
"""

import calendar
import datetime

from django.db import migrations
from django.utils import timezone

TIERS = [
    # code, name, annual fee, position
    ("founding", "Founding member", "0", 10),
    ("general", "General member", "0", 20),
    ("associate", "Associate member", "0", 30),
    ("academic", "Academic member", "0", 40),
]


def add_months(moment, months):
    # A copy of members.services.membership.add_months: a migration keeps its own code.
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def seed(apps, schema_editor):
    MembershipTier = apps.get_model("members", "MembershipTier")
    MembershipTerm = apps.get_model("members", "MembershipTerm")
    Organization = apps.get_model("members", "Organization")
    tiers = {}
    for code, name, fee, position in TIERS:
        tiers[code], _ = MembershipTier.objects.get_or_create(
            code=code, defaults={"name": name, "annual_fee": fee, "position": position, "term_months": 12}
        )
    for organization in Organization.objects.exclude(status="applicant").exclude(tier=""):
        tier = tiers.get(organization.tier)
        if tier is None or MembershipTerm.objects.filter(organization=organization).exists():
            continue
        if organization.member_since:
            starts_at = datetime.datetime.combine(
                organization.member_since, datetime.time.min, tzinfo=timezone.get_current_timezone()
            )
        else:
            starts_at = organization.created_at
        now, periods = timezone.now(), 1
        while add_months(starts_at, tier.term_months * periods) <= now:
            periods += 1
        MembershipTerm.objects.create(
            organization=organization,
            tier=tier,
            starts_at=starts_at,
            ends_at=add_months(starts_at, tier.term_months * periods),
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0002_membership_terms")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
