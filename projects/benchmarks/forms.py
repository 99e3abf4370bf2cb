"""Forms of the benchmark pages: they read what a person typed; the services check the rules and write.

The submission form has one value field and two interval fields per metric of the benchmark. None of them is
required here: ``submission_create`` says which result is missing or wrong, and the page shows its message.
"""

from typing import Any

from django import forms

from members.models import Organization

from .models import Division, Metric, Objection, Review, Round, Submission

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def split_links(text: str) -> list[str]:
    """One link per line (or separated by spaces), without blanks."""
    return [link for link in (text or "").split() if link]


class RoundForm(forms.Form):
    version = forms.CharField(max_length=40, help_text="Such as v1.0 or 2025-spring.")
    harness_url = forms.URLField(label="Harness", assume_scheme="https", help_text="Where the reference harness lives.")
    harness_commit = forms.CharField(label="Harness commit", max_length=64, help_text="The commit or tag to run.")
    submission_deadline = forms.DateTimeField(widget=DATETIME, help_text="In UTC. The round is open until then.")
    review_deadline = forms.DateTimeField(widget=DATETIME, help_text="In UTC. Peer review ends then.")
    publish_at = forms.DateTimeField(
        label="Publication",
        widget=DATETIME,
        help_text="In UTC. The results are published then, unless an objection is still open.",
    )


class SubmissionForm(forms.Form):
    """A submission's fields, with the benchmark's metrics as fields ``<key>``, ``<key>_ci_low``, ``<key>_ci_high``."""

    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), empty_label=None)
    division = forms.ChoiceField(choices=Division.choices)
    availability = forms.ChoiceField(choices=Submission.Availability.choices)
    model = forms.CharField(label="Model", max_length=200)
    model_version = forms.CharField(label="Model version", max_length=100)
    hardware = forms.CharField(max_length=300)
    software = forms.CharField(max_length=300)
    artifacts = forms.CharField(
        label="Artifacts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Links to the logs and to the code at a commit, one per line.",
    )

    def __init__(
        self, *args: Any, metrics: list[Metric], organizations: Any = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics
        if editing:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = organizations
        for metric in metrics:
            unit = f" ({metric.unit})" if metric.unit else ""
            self.fields[metric.key] = forms.FloatField(
                label=f"{metric.name}{unit}",
                required=False,
                help_text=f"{'Primary metric, ' if metric.primary else ''}{metric.direction}.",
            )
            self.fields[f"{metric.key}_ci_low"] = forms.FloatField(label=f"{metric.name}: interval low", required=False)
            self.fields[f"{metric.key}_ci_high"] = forms.FloatField(
                label=f"{metric.name}: interval high", required=False
            )

    @classmethod
    def initial_for(cls, submission: Submission) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "division": submission.division,
            "availability": submission.availability,
            "model": submission.system_model,
            "model_version": submission.system_model_version,
            "hardware": submission.hardware,
            "software": submission.software,
            "artifacts": "\n".join(submission.artifacts),
        }
        for result in submission.results.all():
            initial |= {
                result.metric.key: result.value,
                f"{result.metric.key}_ci_low": result.ci_low,
                f"{result.metric.key}_ci_high": result.ci_high,
            }
        return initial

    def metric_rows(self) -> list[tuple[Metric, Any, Any, Any]]:
        """(metric, value field, low field, high field) for the template."""
        return [(m, self[m.key], self[f"{m.key}_ci_low"], self[f"{m.key}_ci_high"]) for m in self.metrics]

    def service_arguments(self) -> dict[str, Any]:
        """What ``submission_create`` and ``submission_update`` take, from the cleaned fields."""
        data = self.cleaned_data
        results = {
            metric.key: {
                "value": data.get(metric.key),
                "ci_low": data.get(f"{metric.key}_ci_low"),
                "ci_high": data.get(f"{metric.key}_ci_high"),
            }
            for metric in self.metrics
            if any(data.get(name) is not None for name in (metric.key, f"{metric.key}_ci_low", f"{metric.key}_ci_high"))
        }
        arguments = {
            "division": data["division"],
            "availability": data["availability"],
            "system": {name: data[name] for name in ("model", "model_version", "hardware", "software")},
            "results": results,
            "artifacts": split_links(data["artifacts"]),
        }
        if "organization" in self.fields:
            arguments["organization"] = data["organization"]
        return arguments


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(choices=Review.Verdict.choices)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="The submitter reads it.")


class ObjectionForm(forms.Form):
    rule = forms.CharField(max_length=200, label="Rule", help_text="The rule the submission breaks, as the rules say.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What breaks it")
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, label="Objecting organization"
    )

    def __init__(self, *args: Any, organizations: list[Organization] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = organizations or []
        if len(organizations) > 1:
            self.fields["organization"].queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations])
        else:
            del self.fields["organization"]


class DecisionForm(forms.Form):
    UPHOLD, DISMISS = "uphold", "dismiss"

    decision = forms.ChoiceField(choices=[(UPHOLD, "Uphold"), (DISMISS, "Dismiss")], widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        choices=[("", "—"), *Objection.Outcome.choices], required=False, label="Outcome if upheld"
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Both sides read it.")


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class LeaderboardFilterForm(forms.Form):
    """The leaderboard page's filters: a published round of the benchmark, a division, an availability."""

    round = forms.ModelChoiceField(queryset=Round.objects.none(), required=False, empty_label="Latest published")
    division = forms.ChoiceField(choices=Division.choices, required=False)
    availability = forms.ChoiceField(
        choices=[("", "All availabilities"), *Submission.Availability.choices], required=False
    )

    def __init__(self, *args: Any, rounds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
        self.fields["round"].label_from_instance = lambda round: round.version

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"round": None, "division": Division.CLOSED, "availability": ""}
        return {
            "round": self.cleaned_data["round"],
            "division": self.cleaned_data["division"] or Division.CLOSED,
            "availability": self.cleaned_data["availability"],
        }
