from django.apps import AppConfig


class MembersConfig(AppConfig):
    """People, organizations, membership applications, invitations and join requests."""

    name = "members"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from .services import mfa_authenticator_added

        # Turning on two-factor authentication revokes the API tokens made before it.
        authenticator_added.connect(mfa_authenticator_added, dispatch_uid="members.mfa_authenticator_added")
