from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """Committees and their ballots: motions with quorum and threshold, plurality and ranked (Schulze) elections."""

    name = "alliance.governance"
    label = "governance"
    verbose_name = "Governance"
    default_auto_field = "django.db.models.BigAutoField"
