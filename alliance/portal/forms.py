from django import forms

from alliance.audit_pages import AuditPeriodForm
from alliance.portal.search import KIND_CHOICES


class AuditFilterForm(AuditPeriodForm):
    """The staff audit page's filters: a period, an action prefix, part of the target's name, or one exact target."""

    action = forms.CharField(label="Action", required=False, max_length=64)
    target = forms.CharField(
        label="Target", required=False, max_length=255, help_text="Part of the target's name, e.g. an organization."
    )
    target_type = forms.IntegerField(required=False, widget=forms.HiddenInput)
    target_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class PeriodForm(forms.Form):
    """The contribution dashboard's period: one of the organization's terms, or any range of dates.

    Dates win over a term when given; with neither, the current term (else everything)."""

    term = forms.TypedChoiceField(label="Term", required=False, coerce=int, empty_value=None)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [("", "All time")] + [
            (term.pk, f"{term.starts_at:%d %b %Y} – {term.ends_at:%d %b %Y} ({term.tier.name})") for term in terms
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end comes before the start.")
        return data


class AccountEraseForm(forms.Form):
    """Erasing the account asks again who this is, and that the warning was read."""

    password = forms.CharField(label="Your password", widget=forms.PasswordInput, max_length=4096, strip=False)
    code = forms.CharField(
        label="Two-factor code",
        required=False,
        max_length=64,
        help_text="The code your authenticator app shows now (only when two-factor authentication is on).",
    )
    confirm = forms.BooleanField(
        label="I understand that my account and my personal data are erased for good, and cannot be restored.",
        error_messages={"required": "Tick the box to confirm you read the warning."},
    )


class StaffErasureForm(forms.Form):
    """Staff erase an account on a verified request: the reason (the service requires it) and the warning read."""

    reason = forms.CharField(
        label="The verified request",
        required=False,  # the service asks for it (require_reason), with its own message
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=(
            "Who asked, when, and how you checked it was them. Recorded in the audit trail (without their name and "
            "address)."
        ),
    )
    confirm = forms.BooleanField(
        label="I understand that this account and its personal data are erased for good, and cannot be restored.",
        error_messages={"required": "Tick the box to confirm you read the warning."},
    )


class SearchForm(forms.Form):
    """The search page's words and kind (the header's box sends the words only)."""

    q = forms.CharField(label="Search for", required=False, max_length=200)
    type = forms.ChoiceField(label="Only", required=False, choices=[("", "Everything"), *KIND_CHOICES])
