"""The demo shows every standing: Aurora Labs in grace (its admin sees the banner), one renewal due, one lapsed,
an open invoice; loading it twice changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from members import selectors
from members.models import Invoice, MembershipTerm, Organization, User

pytestmark = pytest.mark.django_db


def test_the_demo_has_terms_in_every_standing_and_an_invoice(client):
    call_command("load_demo_data", stdout=StringIO())

    standings = dict(
        selectors.with_membership(Organization.objects.filter(status=Organization.Status.ACTIVE)).values_list(
            "slug", "standing"
        )
    )
    assert standings["aurora-labs"] == "grace"
    assert standings["civic-data-agency"] == "renewal_due"
    assert standings["sakura-robotics"] == "lapsed"
    assert standings["helix-health"] == "current"
    assert list(Invoice.objects.values_list("organization__slug", "amount")) == [("helix-health", 5000)]

    client.force_login(User.objects.get(email="admin@aurora-labs.example"))
    assert "Renew the membership" in client.get("/").content.decode()

    terms = MembershipTerm.objects.count()
    call_command("load_demo_data", stdout=StringIO())
    assert MembershipTerm.objects.count() == terms
    assert Invoice.objects.count() == 1
