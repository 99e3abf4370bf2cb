"""Demo projects for ``make run``: focus areas, projects in every lifecycle state, people, updates and catalog
entries in every status, built through the services with the people ``load_demo_data`` creates.

Each project is built in one transaction and skipped when it already exists, so loading again changes nothing.
"""

from dataclasses import dataclass, field

from django.db import transaction

from members.models import Organization, User

from . import services
from .models import CatalogEntry, FocusArea, Participation, Project

STAFF_EMAIL = "staff@alliance.example"

FOCUS_AREAS = [
    ("Skills and education", "Courses, curricula and training that help people build and use AI responsibly."),
    ("Trust and safety", "Evaluations, red-teaming and safeguards for AI systems."),
    ("Applications and tools", "Open software that puts models to work in real settings."),
    ("Hardware enablement", "Chips, compilers and runtimes for running open models efficiently."),
    ("Foundation models and datasets", "Open-weight models and documented, licensed data to train and test them."),
]
FULL_CHECKLIST = dict.fromkeys(services.CATALOG_CHECKLIST, True)


@dataclass
class Entry:
    name: str
    kind: str
    status: str  # the status it ends in: submitted, validated, expired or deprecated
    description: str
    license: str = "Apache-2.0"
    version: str = "1.0"


@dataclass
class DemoProject:
    title: str
    kind: str
    state: str
    lead: str  # email of the proposer, who is the first lead
    sponsors: list[str]  # organization slugs
    focus_areas: list[str]
    summary: str
    description: str
    join_policy: str = Project.JoinPolicy.OPEN
    visibility: str = Project.Visibility.PUBLIC
    license: str = "Apache-2.0"
    help_wanted: list[str] = field(default_factory=list)
    people: list[tuple[str, str]] = field(default_factory=list)  # (email, role)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (email, message): waiting for a lead
    updates: list[tuple[str, str]] = field(default_factory=list)  # (title, body)
    entries: list[Entry] = field(default_factory=list)
    reason: str = ""


PROJECTS = [
    DemoProject(
        "Nordic Open Language Models",
        Project.Kind.MODEL,
        Project.State.ACTIVE,
        "mira.koskinen@aurora-labs.example",
        ["aurora-labs", "northwind-university"],
        ["foundation-models-and-datasets"],
        "Open-weight language models for Finnish, Swedish, Norwegian, Danish and Icelandic.",
        "## Goals\n\nTrain and release **open-weight** models for the Nordic languages on documented, licensed "
        "data.\n\n## How to take part\n\n- Review the [data card](https://www.aurora-labs.example/data)\n"
        "- Run the evaluation suite on your own hardware\n- Report problems in the issue tracker",
        help_wanted=["Evaluation engineer", "Icelandic speaker"],
        people=[("t.okafor@northwind-university.example", "maintainer"), ("linnea.berg@aurora-labs.example", "")],
        updates=[
            ("7B model released", "The 7B model and its **model card** are out under Apache-2.0."),
            ("Evaluation suite frozen", "We froze the evaluation suite for the first release."),
        ],
        entries=[
            Entry("Nordic Eval Suite", CatalogEntry.Kind.BENCHMARK, "expired", "Benchmarks for Nordic languages."),
            Entry("Nordic LM 7B", CatalogEntry.Kind.MODEL, "validated", "A 7-billion-parameter open-weight model."),
        ],
    ),
    DemoProject(
        "Open Safety Evaluations",
        Project.Kind.BENCHMARK,
        Project.State.INCUBATING,
        "yui.tanaka@meridian-research-institute.example",
        ["meridian-research-institute", "helix-health"],
        ["trust-and-safety"],
        "Shared, reproducible safety evaluations that any member can run on any open model.",
        "A common harness and prompt sets for **red-teaming** open models, with results published openly.",
        join_policy=Project.JoinPolicy.APPROVAL,
        help_wanted=["Red-teamer", "Clinical reviewer"],
        people=[("lena.fischer@helix-health.example", "")],
        requests=[("daniel@open-commons-foundation.example", "I can help curate the prompt sets.")],
        updates=[("Kick-off", "We met for the first time and agreed on the scope of the first prompt sets.")],
        entries=[
            Entry(
                "Red Team Prompt Set",
                CatalogEntry.Kind.DATASET,
                "submitted",
                "Prompts that probe unsafe output.",
                "CC-BY-4.0",
            )
        ],
    ),
    DemoProject(
        "AI Literacy for Clinicians",
        Project.Kind.EDUCATION,
        Project.State.ACTIVE,
        "jonas.weber@helix-health.example",
        ["helix-health", "northwind-university"],
        ["skills-and-education"],
        "A free course that teaches clinicians what AI tools can and cannot do.",
        "Six short modules with exercises, written with clinicians and patients' representatives.",
        license="CC-BY-SA-4.0",
        people=[("e.hughes@northwind-university.example", "lead")],
        updates=[("Module 3 published", "Module 3, *Reading a model card*, is online.")],
        entries=[
            Entry(
                "Clinician AI Course",
                CatalogEntry.Kind.LEARNING,
                "deprecated",
                "The first edition of the course.",
                "CC-BY-SA-4.0",
                "2024",
            ),
            Entry(
                "Clinician AI Course",
                CatalogEntry.Kind.LEARNING,
                "validated",
                "The second edition, with a module on documentation tools.",
                "CC-BY-SA-4.0",
                "2025",
            ),
        ],
    ),
    DemoProject(
        "Efficient Inference Kernels",
        Project.Kind.SOFTWARE,
        Project.State.PROPOSED,
        "rgreen@quanta-systems.example",
        ["quanta-systems"],
        ["hardware-enablement", "applications-and-tools"],
        "Open kernels that run open models fast on commodity accelerators.",
        "We propose to publish and maintain our inference kernels under an open licence.",
        help_wanted=["Compiler engineer"],
    ),
    DemoProject(
        "Public Sector Data Cards",
        Project.Kind.DATASET,
        Project.State.DRAFT,
        "sophie.tremblay@civic-data-agency.example",
        ["civic-data-agency"],
        ["foundation-models-and-datasets", "applications-and-tools"],
        "Documentation cards for the government datasets the agency publishes.",
        "Draft: which datasets come first, and which template to use.",
        visibility=Project.Visibility.MEMBERS,
    ),
    DemoProject(
        "Care Robot Telemetry Archive",
        Project.Kind.DATASET,
        Project.State.REJECTED,
        "jiwoo.park@sakura-robotics.example",
        ["sakura-robotics"],
        ["foundation-models-and-datasets"],
        "Telemetry of care robots, for training safer controllers.",
        "Raw telemetry recorded in care homes.",
        reason="The data includes residents' health information without a consent process; please come back with one.",
    ),
    DemoProject(
        "Andean Speech Corpus",
        Project.Kind.DATASET,
        Project.State.ARCHIVED,
        "vrojas@andes-institute-of-technology.example",
        ["andes-institute-of-technology"],
        ["foundation-models-and-datasets"],
        "Recordings of Quechua and Aymara speakers, with transcripts.",
        "The corpus is complete; it is maintained by the institute's library now.",
        license="CC-BY-4.0",
        reason="Complete: maintained by the institute's library from now on.",
    ),
]


def load_projects_demo(*, log=print) -> None:
    """Focus areas, then each demo project unless it already exists."""
    staff = User.objects.get(email=STAFF_EMAIL)
    areas = {}
    for name, description in FOCUS_AREAS:
        area = FocusArea.objects.filter(name=name).first()
        areas[name] = area or services.focus_area_create(actor=staff, name=name, description=description)
    areas = {area.slug: area for area in areas.values()}
    for demo in PROJECTS:
        slug = demo.title.lower().replace(" ", "-")
        if Project.objects.filter(slug=slug).exists():
            log(f"  {demo.title}: already there")
            continue
        emails = {demo.lead, *(email for email, _ in demo.people + demo.requests)}
        missing = emails - set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        if missing:  # a database from an older demo: its organizations exist, these people do not
            log(f"  {demo.title}: skipped, {', '.join(sorted(missing))} not found")
            continue
        with transaction.atomic():
            _build(demo, slug, areas, staff)
        log(f"  {demo.title}: created ({demo.state})")


def _person(email: str) -> User:
    return User.objects.get(email=email)


def _build(demo: DemoProject, slug: str, areas: dict[str, FocusArea], staff: User) -> None:
    lead = _person(demo.lead)
    project = services.project_create(
        actor=lead,
        slug=slug,
        title=demo.title,
        summary=demo.summary,
        description=demo.description,
        kind=demo.kind,
        focus_areas=[areas[slug] for slug in demo.focus_areas],
        sponsors=Organization.objects.filter(slug__in=demo.sponsors, affiliations__person=lead).order_by("name"),
        repository_url=f"https://git.example.org/{slug}",
        license=demo.license,
        help_wanted=demo.help_wanted,
        join_policy=demo.join_policy,
        visibility=demo.visibility,
    )
    # A person names only their own organizations; the secretariat records the other backers.
    sponsors = Organization.objects.filter(slug__in=demo.sponsors).order_by("name")
    if set(sponsors) != set(project.sponsors.all()):
        project = services.project_update(actor=staff, project=project, sponsors=sponsors)
    if demo.state == Project.State.DRAFT:
        return
    project = services.project_submit(actor=lead, project=project)
    recommendation = "reject" if demo.state == Project.State.REJECTED else "accept"
    services.proposal_review_add(
        actor=staff, project=project, recommendation=recommendation, comment="Reviewed against the charter."
    )
    if demo.state == Project.State.PROPOSED:
        return
    if demo.state == Project.State.REJECTED:
        services.project_reject(actor=staff, project=project, reason=demo.reason)
        return
    project = services.project_accept(actor=staff, project=project, reason="Welcome to the alliance's projects.")
    if demo.state in (Project.State.ACTIVE, Project.State.ARCHIVED):
        project = services.project_promote(actor=staff, project=project)
    _add_people(demo, project, lead)
    for title, body in demo.updates:
        services.project_update_post(actor=lead, project=project, title=title, body=body)
    for entry in demo.entries:
        _add_entry(entry, project, lead, staff)
    if demo.state == Project.State.ARCHIVED:
        services.project_archive(actor=staff, project=project, reason=demo.reason)


def _add_people(demo: DemoProject, project: Project, lead: User) -> None:
    for email, role in demo.people:
        participation = services.participation_join(actor=_person(email), project=project)
        if participation.status == Participation.Status.PENDING:
            participation = services.participation_approve(actor=lead, participation=participation)
        if role:
            services.participation_change_role(actor=lead, participation=participation, role=role)
    for email, message in demo.requests:
        services.participation_join(actor=_person(email), project=project, message=message)


def _add_entry(demo: Entry, project: Project, lead: User, staff: User) -> None:
    entry = services.catalog_entry_submit(
        actor=lead,
        project=project,
        kind=demo.kind,
        name=demo.name,
        description=demo.description,
        link=f"https://git.example.org/{project.slug}/{demo.name.lower().replace(' ', '-')}",
        license=demo.license,
        version=demo.version,
        documentation_url=f"https://docs.example.org/{project.slug}",
        safety_notes="Intended for research and evaluation; see the known limits in the documentation.",
        evaluation_notes="Run `make evaluate` in the repository; the expected scores are in RESULTS.md.",
    )
    if demo.status == CatalogEntry.Status.SUBMITTED:
        return
    entry = services.catalog_entry_validate(actor=staff, entry=entry, checklist=FULL_CHECKLIST)
    if demo.status == CatalogEntry.Status.EXPIRED:
        # the beat job, run as on the day validation lapses: only this entry is due (it is validated first)
        services.catalog_expire_due(now=entry.expires_at)
    elif demo.status == CatalogEntry.Status.DEPRECATED:
        services.catalog_entry_deprecate(actor=staff, entry=entry, reason="Superseded by the next edition.")
