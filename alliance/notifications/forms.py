"""The email preferences form: one checkbox per kind a person may turn off, and the language of their messages."""

from typing import Any

from django import forms
from django.conf import settings

from ..models import NotificationPreference


class PreferencesForm(forms.Form):
    """One checkbox per kind a person may turn off, and the language of their messages."""

    language = forms.ChoiceField(
        label="Language of your messages",
        required=False,
        choices=[("", "The portal's language"), *settings.LANGUAGES],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in NotificationPreference.Kind.choices:
            self.fields[f"email_{kind}"] = forms.BooleanField(label=label, required=False)

    def email_choices(self) -> dict[str, bool]:
        return {kind: self.cleaned_data[f"email_{kind}"] for kind in NotificationPreference.Kind.values}

    def email_fields(self) -> list[forms.BoundField]:
        return [self[f"email_{kind}"] for kind in NotificationPreference.Kind.values]
