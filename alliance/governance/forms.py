"""Forms of the governance pages: they read what a person typed; the services decide and write.

Rules about ballots (options, percents, times) and seats are the services'; their refusals come back as
``DomainError`` and are shown on the field they name (``alliance.pages.form_error``). Times are typed in UTC, the
portal's time, and said so on the form.
"""

from typing import Any

from django import forms

from members.models import Organization, User
from members.selectors import person_by_email

from .counting import ABSTAIN, NO, YES
from .models import Ballot, CommitteeMember

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class UtcDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


class CommitteeMemberAddForm(forms.Form):
    email = forms.EmailField(label="Their account's email address")
    role = forms.ChoiceField(choices=CommitteeMember.Role.choices, initial=CommitteeMember.Role.VOTING)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.filter(status=Organization.Status.ACTIVE).order_by("name"),
        required=False,
        to_field_name="slug",
        label="Stands for",
        help_text="Organization seats: the member organization they stand for (chosen for them when they belong "
        "to just one).",
    )

    def __init__(self, *args: Any, organization_seats: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not organization_seats:
            del self.fields["organization"]
            role: Any = self.fields["role"]
            role.choices = [
                choice for choice in CommitteeMember.Role.choices if choice[0] != CommitteeMember.Role.ALTERNATE
            ]

    def clean_email(self) -> User:
        address = self.cleaned_data["email"]
        person = person_by_email(address)
        if person is None:
            raise forms.ValidationError(f"No one has an account with the address {address}. Ask them to sign up first.")
        return person

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"person": data["email"], "role": data["role"], "organization": data.get("organization")}


class BallotForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text="Markdown.")
    method = forms.ChoiceField(choices=Ballot.Method.choices, label="How people vote")
    options = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Plurality and ranked ballots: one option per line, in the order the ballot lists them (ties in a "
        "ranked count are broken by this order).",
    )
    quorum_percent = forms.IntegerField(
        label="Quorum (%)", initial=50, help_text="The share of the electorate that must vote, abstaining included."
    )
    threshold_percent = forms.IntegerField(
        label="Threshold (%)", initial=50, help_text="Yes/no motions: the share of yes among yes and no to pass."
    )
    secret = forms.BooleanField(label="Secret ballot: never show who voted what", required=False, initial=True)
    opens_at = UtcDateTimeField(label="Opens (UTC)", help_text="It opens by itself then; you may open it sooner.")
    closes_at = UtcDateTimeField(label="Closes (UTC)", help_text="Voting ends and the ballot is counted.")

    @classmethod
    def initial_for(cls, ballot: Ballot) -> dict[str, Any]:
        return {
            "title": ballot.title,
            "description": ballot.description,
            "method": ballot.method,
            "options": "\n".join(ballot.options),
            "quorum_percent": ballot.quorum_percent,
            "threshold_percent": ballot.threshold_percent,
            "secret": ballot.secret,
            "opens_at": ballot.opens_at,
            "closes_at": ballot.closes_at,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["options"] = [line for line in (data["options"] or "").splitlines() if line.strip()]
        return data

    def changes_to(self, ballot: Ballot) -> dict[str, Any]:
        return {field: value for field, value in self.service_arguments().items() if getattr(ballot, field) != value}


class CancelBallotForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=500, label="Reason", help_text="Sent to the electorate of an open ballot."
    )


class VoteForm(forms.Form):
    """The vote form of a ballot: buttons for a motion, radio buttons for plurality, a number per option for a
    ranked ballot (options without a number are tied last)."""

    def __init__(self, *args: Any, ballot: Ballot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        if ballot.method == Ballot.Method.YES_NO:
            self.fields["choice"] = forms.ChoiceField(choices=[(YES, "Yes"), (NO, "No"), (ABSTAIN, "Abstain")])
        elif ballot.method == Ballot.Method.PLURALITY:
            self.fields["choice"] = forms.ChoiceField(
                choices=[(option, option) for option in ballot.options], widget=forms.RadioSelect, label="Your choice"
            )
        else:
            numbers = [("", "—")] + [(str(n), str(n)) for n in range(1, len(ballot.options) + 1)]
            for index, option in enumerate(ballot.options):
                self.fields[f"rank_{index}"] = forms.ChoiceField(choices=numbers, required=False, label=option)

    def rank_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("rank_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.ballot.method != Ballot.Method.RANKED:
            return data
        ranked = [
            (int(data[f"rank_{index}"]), option)
            for index, option in enumerate(self.ballot.options)
            if data.get(f"rank_{index}")
        ]
        numbers = [number for number, _ in ranked]
        if len(set(numbers)) != len(numbers):
            raise forms.ValidationError("Give each number to one option only: 1 for your first choice, 2 for the next…")
        data["ranking"] = [option for _, option in sorted(ranked)]
        return data

    def service_arguments(self) -> dict[str, Any]:
        if self.ballot.method == Ballot.Method.RANKED:
            return {"ranking": self.cleaned_data["ranking"]}
        return {"choice": self.cleaned_data["choice"]}

    @classmethod
    def initial_for(cls, ballot: Ballot, choice: str, ranking: list[str]) -> dict[str, Any]:
        """The form filled with the person's current vote."""
        if ballot.method != Ballot.Method.RANKED:
            return {"choice": choice}
        return {
            f"rank_{index}": str(ranking.index(option) + 1)
            for index, option in enumerate(ballot.options)
            if option in ranking
        }
