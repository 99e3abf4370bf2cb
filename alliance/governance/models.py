"""Committees, the people seated on them, their ballots, the frozen electorate of each ballot, votes and results.

Rules that one row can state are constraints in the database, each with a message a person understands: one seat
per person on a committee, one voting seat per organization, a ballot that closes after it opens, percents from 0
to 100, one vote per voter (per organization on organization seats) in a ballot. The services state the rest.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from members.models import Organization
from projects.models import Project

VOTING_ROLES = ("chair", "voting")


class Committee(models.Model):
    """A body of the alliance that decides by ballot: the steering committee, a technical committee, a working
    group (of a project, when it has one), an advisory board.

    Seats belong to persons (the default) or to organizations: on organization seats each voting member stands
    for an active member organization, and the organization, not the person, has the vote. Committees and who sits
    on them are public (names only, as on organization pages).
    """

    class Kind(models.TextChoices):
        STEERING = "steering", "Steering committee"
        TECHNICAL = "technical", "Technical committee"
        WORKING_GROUP = "working_group", "Working group"
        ADVISORY = "advisory", "Advisory board"

    class Seats(models.TextChoices):
        PERSON = "person", "Person seats: each voting member has a vote"
        ORGANIZATION = "organization", "Organization seats: each member organization has a vote"

    name = models.CharField(
        max_length=200, unique=True, error_messages={"unique": "A committee with this name already exists."}
    )
    slug = models.SlugField(
        max_length=80, unique=True, error_messages={"unique": "This address (slug) is already taken by a committee."}
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committees",
        help_text="The project a working group works for, if any.",
    )
    seats = models.CharField(max_length=20, choices=Seats.choices, default=Seats.PERSON)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:committee_detail", kwargs={"slug": self.slug})

    @property
    def has_organization_seats(self) -> bool:
        return self.seats == self.Seats.ORGANIZATION


class CommitteeMember(models.Model):
    """A person's seat on a committee, in one role: chair, voting member, alternate or observer.

    Chairs and voting members vote. On organization seats they, and alternates, stand for an organization they
    belong to; an organization holds at most one voting seat, and its alternate votes only when its voting member
    has not. Observers follow the work and never vote.
    """

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VOTING = "voting", "Voting member"
        ALTERNATE = "alternate", "Alternate"
        OBSERVER = "observer", "Observer"

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_seats")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VOTING)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committee_seats",
        help_text="On organization seats: the member organization this person stands for.",
    )
    seated_at = models.DateTimeField(auto_now_add=True)
    seated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["committee", "role", "person__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "person"],
                name="committee_member_one_seat_per_person",
                violation_error_message="This person already sits on the committee.",
            ),
            models.UniqueConstraint(
                fields=["committee", "organization"],
                condition=Q(role__in=VOTING_ROLES),
                name="committee_one_voting_seat_per_organization",
                violation_error_message="This organization already holds a voting seat on the committee.",
            ),
            models.CheckConstraint(
                condition=~Q(role="alternate") | Q(organization__isnull=False),
                name="committee_alternate_stands_for_an_organization",
                violation_error_message="An alternate stands in for an organization: say which one.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) on {self.committee}"

    @property
    def votes(self) -> bool:
        return self.role in VOTING_ROLES


class Ballot(models.Model):
    """A question a committee decides by vote: a motion (yes/no), a choice of one option (plurality) or a ranked
    election (Schulze).

    Draft (editable, seen by its chairs and staff) → open (the electorate is frozen: the committee's voting
    members at that moment) → closed (counted once; the result is stored), or cancelled. A secret ballot never
    shows who voted what, and forgets it when it closes; an open ballot lists each vote after closing.
    """

    class Method(models.TextChoices):
        YES_NO = "yes_no", "Yes / no motion"
        PLURALITY = "plurality", "Choose one option (plurality)"
        RANKED = "ranked", "Rank the options (Schulze method)"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="ballots")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.YES_NO)
    options = models.JSONField(default=list, blank=True, help_text="Plurality and ranked: two or more options.")
    quorum_percent = models.PositiveSmallIntegerField(
        default=50, help_text="The share of the electorate that must vote (abstaining counts) for a decision."
    )
    threshold_percent = models.PositiveSmallIntegerField(
        default=50, help_text="Yes/no: the share of yes among yes and no votes needed to pass."
    )
    secret = models.BooleanField(default=True, help_text="Never show who voted what.")
    opens_at = models.DateTimeField(help_text="When the ballot opens by itself (a chair may open it sooner).")
    closes_at = models.DateTimeField(help_text="When voting ends and the ballot is counted.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    eligible = models.PositiveIntegerField(
        null=True, blank=True, help_text="Frozen at opening: the voters (or organizations) in the electorate."
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-closes_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="ballot_opens_before_it_closes",
                violation_error_message="A ballot must close after it opens.",
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__gte=0, quorum_percent__lte=100),
                name="ballot_quorum_is_a_percent",
                violation_error_message="The quorum is a percent, from 0 to 100.",
            ),
            models.CheckConstraint(
                condition=Q(threshold_percent__gte=0, threshold_percent__lte=100),
                name="ballot_threshold_is_a_percent",
                violation_error_message="The threshold is a percent, from 0 to 100.",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(state="cancelled", opened_at__isnull=True) | Q(eligible__isnull=False),
                name="ballot_opened_with_an_electorate",
                violation_error_message="A ballot that opened has a frozen electorate.",
            ),
        ]
        indexes = [models.Index(fields=["state", "closes_at"], name="ballot_state_closes_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:ballot_detail", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED


class BallotVoter(models.Model):
    """A place in a ballot's electorate, frozen when it opened: who may vote, and for which organization.

    On organization seats the organization's voting member and its alternates each have a place, and the
    organization one vote. ``voted_at`` records that the person voted (never what): a secret ballot forgets the
    link between voters and votes when it closes, and this is what remains.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="electorate")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ballot_places")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=CommitteeMember.Role.choices)
    voted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ballot", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "person"],
                name="ballot_voter_once_per_ballot",
                violation_error_message="This person is already in the ballot's electorate.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in the electorate of {self.ballot}"


class Vote(models.Model):
    """One vote in a ballot: a choice (yes, no, abstain, or one option) or a ranking of the options.

    One per voter, and on organization seats one per organization: voting again while the ballot is open replaces
    the earlier vote. When a secret ballot closes its votes are kept without ``voter`` and ``organization``, in the
    order of their content and cast "at the close", so the stored count no longer says who voted what.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="ballot_votes"
    )
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=200, blank=True)
    ranking = models.JSONField(default=list, blank=True)
    cast_at = models.DateTimeField()

    class Meta:
        ordering = ["ballot", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "voter"],
                condition=Q(organization__isnull=True),
                name="vote_one_per_voter",
                violation_error_message="You have already voted in this ballot.",
            ),
            models.UniqueConstraint(
                fields=["ballot", "organization"],
                name="vote_one_per_organization",
                violation_error_message="Your organization has already voted in this ballot.",
            ),
            models.CheckConstraint(
                condition=(Q(choice="") & ~Q(ranking=[])) | (~Q(choice="") & Q(ranking=[])),
                name="vote_choice_or_ranking",
                violation_error_message="A vote is either a choice or a ranking.",
            ),
        ]

    def __str__(self) -> str:
        return f"A vote in {self.ballot}"


class BallotResult(models.Model):
    """The count of a closed ballot, computed once when it closed (``alliance.governance.counting``) and kept.

    ``tally`` counts yes/no/abstain, or the votes (first preferences, for ranked ballots) of each option;
    ``ranking``, ``tiers`` and ``pairwise`` are the Schulze ranking, its ties and its matrix.
    """

    ballot = models.OneToOneField(Ballot, on_delete=models.CASCADE, related_name="result")
    eligible = models.PositiveIntegerField()
    turnout = models.PositiveIntegerField(help_text="Votes cast, abstentions included.")
    quorum_met = models.BooleanField()
    passed = models.BooleanField(null=True, blank=True, help_text="Yes/no motions only.")
    tally = models.JSONField(default=dict)
    winner = models.CharField(max_length=200, blank=True)
    tied = models.JSONField(default=list, blank=True, help_text="The options sharing first place.")
    ranking = models.JSONField(default=list, blank=True)
    tiers = models.JSONField(default=list, blank=True)
    pairwise = models.JSONField(default=dict, blank=True)
    strongest_paths = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(turnout__lte=models.F("eligible")),
                name="ballot_result_turnout_within_electorate",
                violation_error_message="More votes than voters: the count is wrong.",
            ),
        ]

    def __str__(self) -> str:
        return f"Result of {self.ballot}"
