from django.apps import AppConfig


class MembersConfig(AppConfig):
    """People, organizations, membership applications, invitations and join requests."""

    name = "members"
