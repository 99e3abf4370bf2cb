import factory

from projects.models import CatalogEntry, FocusArea, Participation, Project
from tests.members.factories import UserFactory


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Focus area {n}")
    slug = factory.Sequence(lambda n: f"focus-area-{n}")
    description = "A theme of the alliance's work."


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    summary = "Open tools for responsible AI."
    description = "## Goals\n\nBuild *open* things."
    kind = Project.Kind.SOFTWARE
    proposer = factory.SubFactory(UserFactory)
    license = "Apache-2.0"
    state = Project.State.ACTIVE


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    project = factory.SubFactory(ProjectFactory)
    person = factory.SubFactory(UserFactory)
    role = Participation.Role.CONTRIBUTOR
    status = Participation.Status.ACTIVE


class LeadFactory(ParticipationFactory):
    role = Participation.Role.LEAD


class CatalogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogEntry

    project = factory.SubFactory(ProjectFactory)
    kind = CatalogEntry.Kind.TOOL
    name = factory.Sequence(lambda n: f"Tool {n}")
    description = "Checks models for unsafe output."
    link = "https://example.org/tool"
    license = "MIT"
    version = "1.0"
    submitted_by = factory.SubFactory(UserFactory)
