"""``alliance.audit.audited_update``: set, validate, save what changed, one audit entry with before and after."""

import datetime

import pytest
from django.utils import timezone

from alliance.audit import audited_update
from alliance.errors import DomainError
from alliance.models import AuditEntry
from members.models import MembershipTier
from projects.models import FocusArea
from tests.members.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def area():
    return FocusArea.objects.create(name="Speech", slug="speech", description="Voices.")


def test_it_saves_only_what_changed_and_records_one_entry_with_before_and_after(staff, area):
    # given a focus area; when two fields are given, one of them unchanged
    changes = audited_update(
        actor=staff, obj=area, fields={"name": "Speech and language", "description": "Voices."}, action="area.edited"
    )
    # then only the name changed, in the database and in the one entry
    assert changes == {"name": ("Speech", "Speech and language")}
    area.refresh_from_db()
    assert (area.name, area.description) == ("Speech and language", "Voices.")
    entry = AuditEntry.objects.get(action="area.edited")
    assert entry.actor == staff
    assert entry.target_id == str(area.pk)
    assert entry.changes == {"name": ["Speech", "Speech and language"]}


def test_nothing_changed_writes_nothing_and_records_no_entry(staff, area, django_assert_num_queries):
    # given a focus area; when the same values are given (the validation's unique checks are its only queries)
    with django_assert_num_queries(2):  # unique name, unique slug
        changes = audited_update(
            actor=staff, obj=area, fields={"name": "Speech", "description": "Voices."}, action="area.edited"
        )
    # then nothing is saved and nothing recorded
    assert changes == {}
    assert not AuditEntry.objects.filter(action="area.edited").exists()


def test_save_lists_the_changed_fields_only(staff, area):
    # given another process changed the description meanwhile
    FocusArea.objects.filter(pk=area.pk).update(description="Changed elsewhere.")
    # when this one changes the name only
    audited_update(actor=staff, obj=area, fields={"name": "Speech"}, action="area.edited")
    audited_update(actor=staff, obj=area, fields={"name": "Voice"}, action="area.edited")
    # then the description written elsewhere survives (update_fields named the name alone)
    area.refresh_from_db()
    assert (area.name, area.description) == ("Voice", "Changed elsewhere.")


def test_the_models_auto_now_fields_are_saved_with_the_change(staff):
    # given a tier last updated a while ago
    tier = MembershipTier.objects.create(code="supporting", name="Supporting member")
    long_ago = timezone.now() - datetime.timedelta(days=30)
    MembershipTier.objects.filter(pk=tier.pk).update(updated_at=long_ago)
    tier.refresh_from_db()
    # when its fee changes
    audited_update(actor=staff, obj=tier, fields={"annual_fee": 100}, action="tier.updated")
    # then updated_at moved on with it
    tier.refresh_from_db()
    assert tier.annual_fee == 100
    assert tier.updated_at > long_ago + datetime.timedelta(days=29)


def test_an_invalid_value_is_a_domain_error_on_its_field_and_nothing_is_written(staff):
    # given a tier; when its currency is set to four letters
    tier = MembershipTier.objects.create(code="supporting", name="Supporting member")
    with pytest.raises(DomainError) as refused:
        audited_update(actor=staff, obj=tier, fields={"currency": "EURO"}, action="tier.updated")
    # then the error names the field and the row and the trail are untouched
    assert refused.value.field == "currency"
    tier.refresh_from_db()
    assert tier.currency == "EUR"
    assert not AuditEntry.objects.filter(action="tier.updated").exists()


def test_the_note_goes_on_the_entry(staff, area):
    audited_update(actor=staff, obj=area, fields={"description": "New."}, action="area.edited", note="Typo.")
    assert AuditEntry.objects.get(action="area.edited").note == "Typo."
