"""Forms of the catalog pages: they read what a person typed; ``projects.catalog.services`` decides and writes."""

from django import forms

from projects.models import CatalogEntry
from projects.validators import LICENSE_HELP

from .services import CATALOG_CHECKLIST


class CatalogFilterForm(forms.Form):
    """The catalog's search and filters; every field may be empty and a bad value is simply ignored."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind", required=False)
    focus_area = forms.ChoiceField(label="Focus area", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    license = forms.ChoiceField(label="Licence", required=False)

    FILTERS = ("kind", "focus_area", "status", "license")

    def __init__(self, *args, focus_areas=(), licenses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *CatalogEntry.Kind.choices]
        self.fields["focus_area"].choices = [("", "All focus areas")] + [(a.slug, a.name) for a in focus_areas]
        self.fields["status"].choices = [("", "Any status"), *CatalogEntry.Status.choices]
        self.fields["license"].choices = [("", "Any licence")] + [(name, name) for name in licenses]

    def filters(self) -> dict[str, str]:
        values = {"search": str(self.data.get("q", ""))[:100].strip()}
        for name in self.FILTERS:
            value = self.data.get(name, "")
            if value in dict(self.fields[name].choices):
                values[name] = value
        return values


class CatalogEntryForm(forms.Form):
    """A lead's submission to the catalog; ``catalog_entry_submit`` checks it (the licence too), staff validate it
    later against the checklist."""

    kind = forms.ChoiceField(choices=[("", "Choose a kind"), *CatalogEntry.Kind.choices])
    name = forms.CharField(max_length=200)
    version = forms.CharField(max_length=50, required=False, help_text="For example 1.2.0.")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), help_text="What it is and who it is for. Markdown."
    )
    link = forms.URLField(assume_scheme="https", help_text="Where to get it.")
    license = forms.CharField(label="Licence", max_length=100, help_text=LICENSE_HELP)
    documentation_url = forms.URLField(label="Documentation", required=False, assume_scheme="https")
    evaluation_notes = forms.CharField(
        label="How to reproduce the evaluation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where it applies: data, commands and expected results. Markdown (steps as a numbered list, "
        "commands in `code`).",
    )
    safety_notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Known risks, limits and intended use. Markdown.",
    )


class ChecklistForm(forms.Form):
    """The validation checklist as staff ticked it; ``catalog_entry_validate`` refuses an incomplete one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in CATALOG_CHECKLIST.items():
            self.fields[key] = forms.BooleanField(label=label, required=False)

    def checklist(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data.get(key)) for key in CATALOG_CHECKLIST}
