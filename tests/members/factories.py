import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from members.models import Affiliation, MembershipApplication, MembershipTerm, MembershipTier, Organization, User

TIER_NAMES = dict(Organization.Tier.choices)


def tier_for(code: str) -> MembershipTier:
    """The tier with this code: seeded by the migration, made again after a test that flushed the tables."""
    tier, _ = MembershipTier.objects.get_or_create(
        code=code, defaults={"name": TIER_NAMES.get(code, code.capitalize()), "term_months": 12}
    )
    return tier


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified primary address (allauth's EmailAddress), able to sign in."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    listed_by_name = True  # consent to be listed by name (sign-up asks; tests of lists expect names)
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    is_staff = True
    email = factory.Sequence(lambda n: f"staff{n}@alliance.example")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    kind = Organization.Kind.COMPANY
    country = "DE"
    website = "https://example.org"
    description = "Works on open AI."
    status = Organization.Status.ACTIVE
    tier = Organization.Tier.GENERAL
    member_since = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def term(obj, create, extracted, **kwargs):
        """An active member has a term, as approval gives it: a year from now unless ``term__starts_at`` /
        ``term__ends_at`` say otherwise (``term=False``: none)."""
        if not create or extracted is False or obj.status != Organization.Status.ACTIVE or not obj.tier:
            return
        starts_at = kwargs.get("starts_at") or timezone.now()
        ends_at = kwargs.get("ends_at") or starts_at + datetime.timedelta(days=365)
        MembershipTerm.objects.create(organization=obj, tier=tier_for(obj.tier), starts_at=starts_at, ends_at=ends_at)


class ApplicantOrganizationFactory(OrganizationFactory):
    status = Organization.Status.APPLICANT
    tier = ""
    member_since = None


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Affiliation.Role.MEMBER


class AdminAffiliationFactory(AffiliationFactory):
    role = Affiliation.Role.ADMIN


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipApplication
        skip_postgeneration_save = True

    organization = factory.SubFactory(ApplicantOrganizationFactory)
    submitted_by = factory.SubFactory(UserFactory)
    tier = Organization.Tier.GENERAL
    statement = "We build open evaluation tools and want to share them."
    charter_accepted = True

    @factory.post_generation
    def tier_exists(obj, create, extracted, **kwargs):
        """The tier applied for exists (a test that flushed the tables lost the migration's)."""
        if create and obj.tier:
            tier_for(obj.tier)
