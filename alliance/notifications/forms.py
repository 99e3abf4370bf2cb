"""The notifications forms: the email preferences (one checkbox per kind a person may turn off; the language is
the person's own, chosen on their profile) and the inbox's filters."""

from typing import Any

from django import forms

from ..models import Notification, NotificationPreference


class PreferencesForm(forms.Form):
    """One checkbox per kind a person may turn off."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in NotificationPreference.Kind.choices:
            self.fields[f"email_{kind}"] = forms.BooleanField(label=label, required=False)

    def email_choices(self) -> dict[str, bool]:
        return {kind: self.cleaned_data[f"email_{kind}"] for kind in NotificationPreference.Kind.values}

    def email_fields(self) -> list[forms.BoundField]:
        return [self[f"email_{kind}"] for kind in NotificationPreference.Kind.values]


class InboxFilterForm(forms.Form):
    """The inbox's filters, read from the query string: unread or read, and one category (a notification's kind)."""

    unread = forms.TypedChoiceField(
        label="Show",
        required=False,
        choices=[("", "Read and unread"), ("true", "Unread"), ("false", "Read")],
        coerce=lambda value: value == "true",
        empty_value=None,
    )
    kind = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Every category"), *Notification.Kind.choices]
    )

    def filters(self) -> dict[str, Any]:
        """What ``notifications.inbox`` takes: nothing for a filter left empty (or for a form that is not valid)."""
        if not self.is_valid():
            return {}
        return {
            "unread": self.cleaned_data["unread"],
            "kind": self.cleaned_data["kind"] or None,
        }
