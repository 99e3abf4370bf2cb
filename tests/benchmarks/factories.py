"""Factories of the benchmark registry; people, organizations and projects come from the members and projects ones."""

from datetime import timedelta

import factory
from django.utils import timezone

from projects.benchmarks.models import Benchmark, Division, Metric, Result, Round, Submission
from projects.models import Project
from tests.members.factories import OrganizationFactory, UserFactory
from tests.projects.factories import ProjectFactory


class BenchmarkProjectFactory(ProjectFactory):
    kind = Project.Kind.BENCHMARK
    title = factory.Sequence(lambda n: f"Benchmark project {n}")
    slug = factory.Sequence(lambda n: f"benchmark-project-{n}")


class BenchmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benchmark

    project = factory.SubFactory(BenchmarkProjectFactory)
    rules = "## Closed division\n\nRun the reference harness unchanged."
    created_by = factory.SubFactory(UserFactory)


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    benchmark = factory.SubFactory(BenchmarkFactory)
    key = factory.Sequence(lambda n: f"metric_{n}")
    name = factory.Sequence(lambda n: f"Metric {n}")
    unit = "%"
    higher_is_better = True
    primary = False


class RoundFactory(factory.django.DjangoModelFactory):
    """A round whose deadlines lie ahead of the (possibly frozen) clock."""

    class Meta:
        model = Round

    benchmark = factory.SubFactory(BenchmarkFactory)
    version = factory.Sequence(lambda n: f"v{n}.0")
    harness_url = "https://git.example.org/harness"
    harness_commit = "4f2c9e1"
    submission_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    review_deadline = factory.LazyAttribute(lambda o: o.submission_deadline + timedelta(days=10))
    publish_at = factory.LazyAttribute(lambda o: o.review_deadline + timedelta(days=10))
    created_by = factory.SubFactory(UserFactory)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    round = factory.SubFactory(RoundFactory)
    organization = factory.SubFactory(OrganizationFactory)
    submitted_by = factory.SubFactory(UserFactory)
    division = Division.CLOSED
    availability = Submission.Availability.AVAILABLE
    system_model = factory.Sequence(lambda n: f"Model {n}")
    system_model_version = "1.0"
    hardware = "8 x accelerator"
    software = "harness 1.0"


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    submission = factory.SubFactory(SubmissionFactory)
    metric = factory.SubFactory(MetricFactory)
    value = 0.5
