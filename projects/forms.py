"""Forms of the projects pages: they read what a person typed; the services decide, check the rules and write.

A rule the service owns (the licence is SPDX, a rejection gives a reason, a role is one of the roles) is not
checked here again: the view shows the service's refusal on the field it names (``alliance.pages.form_error``).
"""

import re

from django import forms

from members.models import Organization

from . import selectors
from .models import FocusArea, Project, ProposalReview
from .services import JOIN_MESSAGE_MAX_LENGTH
from .validators import LICENSE_HELP


def split_roles(text: str) -> list[str]:
    """“Reviewer, Designer” or one role per line: the roles, trimmed, without blanks or repeats."""
    roles: list[str] = []
    for role in re.split(r"[,\n]", text or ""):
        role = role.strip()
        if role and role not in roles:
            roles.append(role)
    return roles


class ProjectForm(forms.Form):
    """A proposal as its proposer writes it; ``project_create`` and ``project_update`` check it (the licence too).

    The sponsors offered are ``sponsor_choices``, the selector the services check sponsors against.
    """

    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences, shown in lists.",
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Goals, plan and how to take part. Markdown: **bold**, *italic*, [links](https://…), lists, "
        "headings.",
    )
    kind = forms.ChoiceField(choices=[("", "Choose a kind"), *Project.Kind.choices])
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Focus areas",
    )
    sponsors = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Sponsoring organizations",
        help_text="Your organizations that back the project; ticked to begin with.",
    )
    repository_url = forms.URLField(label="Repository", required=False, assume_scheme="https")
    website_url = forms.URLField(label="Website", required=False, assume_scheme="https")
    license = forms.CharField(label="Licence", max_length=100, required=False, help_text=LICENSE_HELP)
    help_wanted = forms.CharField(
        label="Help wanted",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Roles the project is looking for, separated by commas or one per line.",
    )
    join_policy = forms.ChoiceField(
        label="Who may join", choices=Project.JoinPolicy.choices, initial=Project.JoinPolicy.OPEN
    )
    visibility = forms.ChoiceField(
        choices=Project.Visibility.choices,
        initial=Project.Visibility.PUBLIC,
        help_text="Members-only projects are shown to people of member organizations.",
    )

    def __init__(self, *args, person, project: Project | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sponsors"].queryset = selectors.sponsor_choices(person, project)

    @classmethod
    def initial_for(cls, project: Project) -> dict:
        return {
            "title": project.title,
            "summary": project.summary,
            "description": project.description,
            "kind": project.kind,
            "focus_areas": list(project.focus_areas.all()),
            "sponsors": list(project.sponsors.all()),
            "repository_url": project.repository_url,
            "website_url": project.website_url,
            "license": project.license,
            "help_wanted": "\n".join(project.help_wanted),
            "join_policy": project.join_policy,
            "visibility": project.visibility,
        }

    def clean_help_wanted(self) -> list[str]:
        return split_roles(self.cleaned_data.get("help_wanted", ""))

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()


class ProjectFilterForm(forms.Form):
    """The project list's search and filters; every field may be empty and a bad value is simply ignored."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind", required=False)
    focus_area = forms.ChoiceField(label="Focus area", required=False)
    organization = forms.ChoiceField(label="Organization", required=False)
    state = forms.ChoiceField(label="State", required=False)

    FILTERS = ("kind", "focus_area", "organization", "state")

    def __init__(self, *args, focus_areas=(), organizations=(), show_state: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *Project.Kind.choices]
        self.fields["focus_area"].choices = [("", "All focus areas")] + [(a.slug, a.name) for a in focus_areas]
        self.fields["organization"].choices = [("", "All organizations")] + [(o.slug, o.name) for o in organizations]
        if show_state:
            self.fields["state"].choices = [("", "All states"), *Project.State.choices]
        else:
            del self.fields["state"]

    def filters(self) -> dict[str, str]:
        values = {"search": str(self.data.get("q", ""))[:100].strip()}
        for name in self.FILTERS:
            value = self.data.get(name, "")
            if name in self.fields and value in dict(self.fields[name].choices):
                values[name] = value
        return values


class DecisionForm(forms.Form):
    """Staff accept or reject a proposal; ``project_reject`` refuses a rejection without a reason."""

    ACCEPT, REJECT = "accept", "reject"

    decision = forms.ChoiceField(choices=[(ACCEPT, "Accept"), (REJECT, "Reject")], widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject; the proposer reads it.",
    )


class ReviewForm(forms.Form):
    recommendation = forms.ChoiceField(choices=ProposalReview.Recommendation.choices)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class JoinForm(forms.Form):
    """A request to join; how long the message may be is ``participation_join``'s rule (the browser is told too)."""

    message = forms.CharField(
        label="Message to the leads",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": JOIN_MESSAGE_MAX_LENGTH}),
        help_text="Optional: what you would bring, or why you ask. Only the project's leads read it.",
    )


class UpdateForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(label="Update", widget=forms.Textarea(attrs={"rows": 5}), help_text="Markdown.")
