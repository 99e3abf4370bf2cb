"""Forms of the members pages: they validate what a person typed; the services decide and write."""

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django_countries import countries

from alliance import text
from alliance.errors import DomainError
from alliance.locale import offered_zones, time_zone_choices

from . import selectors
from .models import Affiliation, Organization


def person_name_checked(value: str) -> str:
    """A person's name under the name rule (``alliance.text.clean_name``, which ``person_update_profile`` applies),
    as a form error: for the forms that write a name without that service (sign-up, the admin's user forms)."""
    try:
        return text.clean_name(value, field="name")
    except DomainError as error:
        raise forms.ValidationError(error.message) from error


class SignupForm(forms.Form):
    """allauth's sign-up asks for a name too, so people show by name, never by address (ACCOUNT_SIGNUP_FORM_CLASS)."""

    name = forms.CharField(
        label="Full name", max_length=150, help_text="Shown to others on organization and project pages."
    )
    listed_by_name = forms.BooleanField(
        label="List me by name on my organizations' public pages and in committee lists",
        required=False,
        help_text="You can change this on your profile at any time.",
    )
    digests = forms.BooleanField(
        label="Send me the weekly digest of project updates and upcoming events",
        required=False,
        help_text="News, not answers to your requests: only with your yes, which is recorded with its time.",
    )

    def clean_name(self) -> str:
        """allauth creates the account before it calls ``signup``, so a refusal there would come too late."""
        return person_name_checked(self.cleaned_data["name"])

    def signup(self, request, user) -> None:
        from alliance.notifications import notification_preference_set

        from .services import person_listing_consent_set, person_update_profile

        person_update_profile(actor=user, person=user, name=self.cleaned_data["name"])
        person_listing_consent_set(actor=user, person=user, listed_by_name=self.cleaned_data["listed_by_name"])
        if self.cleaned_data["digests"]:
            notification_preference_set(person=user, kind="digests", email_enabled=True)


class ProfileForm(forms.Form):
    name = forms.CharField(
        label="Full name", max_length=150, help_text="Shown to others on organization and project pages."
    )
    listed_by_name = forms.BooleanField(
        label="List me by name on my organizations' public pages and in committee lists", required=False
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        help_text="Every time on the portal and in your emails is shown in this zone.",
    )
    language = forms.ChoiceField(
        label="Language", required=False, help_text="The language of the portal's pages and of your emails."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = (self.initial.get("time_zone") or "").strip()
        browser = (self.initial.get("browser_zone") or "").replace("_", " ")
        follow = f"Your browser's time zone (now {browser})" if browser else "Your browser's time zone"
        choices: list[tuple[str, Any]] = [("", follow), *time_zone_choices()]
        if zone and zone not in offered_zones():
            choices.insert(1, (zone, zone.replace("_", " ")))  # an alias chosen earlier (US/Eastern) stays valid
        self.fields["time_zone"].choices = choices
        if len(settings.LANGUAGES) > 1:
            self.fields["language"].choices = [("", "Your browser's language"), *settings.LANGUAGES]
        else:  # one language offered: nothing to choose
            del self.fields["language"]


class OrganizationForm(forms.ModelForm):
    """The public profile of an organization, for registering it and for its admins to edit.

    A ModelForm so that the model's own rules (unique name, known country, logo type and size) give the
    field errors; the page then hands the cleaned values to ``organization_register`` or
    ``organization_update``, which check them again and write.
    """

    class Meta:
        model = Organization
        fields = ["name", "kind", "country", "website", "description", "logo"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
        }
        help_texts = {
            "name": "The organization's full name, as it should appear in the directory.",
            "website": "For example https://example.org",
            "description": "What the organization does and how it works on responsible AI. Markdown: **bold**, "
            "*italic*, [links](https://…), lists.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose a kind"), *Organization.Kind.choices]
        self.fields["country"].choices = [("", "Choose a country"), *list(self.fields["country"].choices)[1:]]
        largest = filesizeformat(settings.LOGO_MAX_BYTES)
        self.fields["logo"].help_text = f"PNG, JPEG, WebP or GIF, at most {largest}. SVG is not accepted."


def _tier_choices() -> list[tuple[str, str]]:
    """The tiers staff manage: what an application may choose (``partials/tier_choice.html`` shows each one's fee
    and benefits beside it)."""
    return [(tier.code, tier.name) for tier in selectors.membership_tiers()]


def _tier_field() -> forms.ChoiceField:
    """No tier is chosen for the applicant: they pick one, or hear from ``require_tier`` that they must (not
    required here: the service owns the rule, and the page shows its refusal on this field)."""
    return forms.ChoiceField(label="Membership tier", choices=_tier_choices, widget=forms.RadioSelect, required=False)


class ApplicationForm(forms.Form):
    tier = _tier_field()
    statement = forms.CharField(
        label="Statement of intent",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Why the organization wants to join and what it will contribute.",
    )
    # Not required here: ``application_submit`` owns the rule, and the page shows its refusal on this field.
    # The browser is still told, so most people never send the form without it.
    charter_accepted = forms.BooleanField(
        label="We accept the alliance charter on behalf of the organization.",
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )


class ResubmitForm(forms.Form):
    tier = _tier_field()
    statement = forms.CharField(label="Statement of intent", widget=forms.Textarea(attrs={"rows": 8}))


class DecisionForm(forms.Form):
    """A staff decision; rejecting or asking for changes needs a reason (the services' rule, shown on ``reason``)."""

    APPROVE, REJECT, REQUEST_CHANGES = "approve", "reject", "request_changes"

    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (REJECT, "Reject"), (REQUEST_CHANGES, "Request changes")],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to reject or to request changes; the applicant reads it.",
    )
    welcome_note = forms.CharField(
        label="Welcome note",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Goes into the approval mail to the organization's admins, and into the application's history.",
    )
    # Approving is not undone with a click: the page asks for this box (the browser too, without JavaScript).
    confirmed = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"required": True}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == self.APPROVE and not data.get("confirmed"):
            self.add_error("confirmed", "Tick the box to confirm the approval.")
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Affiliation.Role.choices, initial=Affiliation.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Affiliation.Role.choices)


class DomainForm(forms.Form):
    domain = forms.CharField(
        max_length=253,
        help_text="For example example.org. You can add the domain of your own verified address.",
    )


class AffiliationProfileForm(forms.Form):
    title = forms.CharField(label="Your title", max_length=120, required=False)
    listed = forms.BooleanField(label="Show me on the organization's public page", required=False)


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="Message to the admins", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, for example “CRM sync”.")
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Leave empty for a token that does not expire.",
    )


class DirectoryFilterForm(forms.Form):
    """The directory's search and filters; every field may be empty and a bad value is simply ignored."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind", required=False)
    country = forms.ChoiceField(label="Country", required=False)
    tier = forms.ChoiceField(label="Tier", required=False)

    def __init__(self, *args, country_codes: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *Organization.Kind.choices]
        self.fields["tier"].choices = [("", "All tiers"), *selectors.tier_choices()]  # the tiers staff manage
        codes = set(country_codes or [])
        self.fields["country"].choices = [("", "All countries")] + [
            (code, name) for code, name in countries if code in codes
        ]

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {
                name: value
                for name in ("kind", "country", "tier")
                if (value := self.data.get(name, "")) in dict(self.fields[name].choices)
            } | {"search": str(self.data.get("q", ""))[:100].strip()}
        data = self.cleaned_data
        return {"search": data["q"].strip(), "kind": data["kind"], "country": data["country"], "tier": data["tier"]}


class RenewalForm(forms.Form):
    """An admin renews: the charter's current version accepted, the tier kept or changed."""

    tier = forms.ChoiceField(label="Tier for the new term", required=False)
    # Not required here: ``membership_renew`` owns the rule, and the page shows its refusal on this field.
    accept_charter = forms.BooleanField(
        label="We accept the current version of the alliance charter on behalf of the organization.",
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )

    def __init__(self, *args, tiers: Any = (), current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [
            (tier.code, f"{tier.name} — {tier.annual_fee} {tier.currency} a year, {tier.term_months} months")
            for tier in tiers
        ]
        self.fields["tier"].initial = current
