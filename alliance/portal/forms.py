from django import forms


class AuditFilterForm(forms.Form):
    """The staff audit page's filters: an action prefix, part of the target's name, or one exact target."""

    action = forms.CharField(label="Action", required=False, max_length=64)
    target = forms.CharField(
        label="Target", required=False, max_length=255, help_text="Part of the target's name, e.g. an organization."
    )
    target_type = forms.IntegerField(required=False, widget=forms.HiddenInput)
    target_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
