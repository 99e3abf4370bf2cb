"""The endpoint form. What an endpoint may be (URL length and safety, known event types, at least one, the
description's length) is the service's rule: the view shows its refusal on the field it names."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from members.models import Organization

from .event_types import EVENT_TYPE_GROUPS


class WebhookEndpointForm(forms.Form):
    """URL, description and event types; on creation also the organization whose events it receives."""

    url = forms.CharField(
        label="URL",
        help_text="An http(s) address on a public network. Redirects are not followed.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.org/alliance-webhooks"}),
    )
    description = forms.CharField(required=False)
    event_types = forms.MultipleChoiceField(
        label="Event types",
        required=False,  # "choose at least one" is the service's to say
        choices=[(group, list(types)) for group, types in EVENT_TYPE_GROUPS],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, organizations: QuerySet[Organization] | None = None, staff: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"] = forms.ModelChoiceField(
                queryset=organizations,
                required=not staff,
                empty_label="None: a staff-level endpoint that receives every event" if staff else "Choose…",
                help_text="The endpoint receives only events about this organization"
                + (", or every event when none is chosen." if staff else "."),
            )
            self.order_fields(["organization", "url", "description", "event_types"])

    def organization(self) -> Organization | None:
        return self.cleaned_data.get("organization")
