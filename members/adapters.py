from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from alliance.notifications import email_bodies

from .services import invitation_vouches_for

INVITATION_SESSION_KEY = "members_invitation_token"


def invitation_remember(request, token: str) -> None:
    """The invitation page, opened by someone not signed in: a sign-up in this browser may count it as the mail's
    confirmation of the invited address (``AccountAdapter.is_email_verified``)."""
    request.session[INVITATION_SESSION_KEY] = token


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks for the portal: sign-up can be closed by setting (for example during maintenance), and every
    account mail (address confirmation, password reset, MFA changes) wears the portal's email layout."""

    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "ACCOUNT_ALLOW_SIGNUP", True)

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's message (its templates, overridden under ``account/email/``) set in the layout notifications use:
        the same plain text with the portal's footer, and the same branded HTML (``email_bodies``)."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        subject = message.subject.removeprefix(self.format_email_subject(""))
        text, html = email_bodies(subject=subject, body=str(message.body), language=translation.get_language() or "")
        message.body = text
        message.alternatives = []  # allauth's own HTML, if a template gave one, makes way for the portal's
        message.attach_alternative(html, "text/html")
        return message

    def is_email_verified(self, request, email) -> bool:
        """allauth's hook for addresses proven outside its own mail: an address is verified at sign-up when the
        invitation link opened in this browser was sent to it and is still pending. Any other address is not."""
        token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
        if token and invitation_vouches_for(token=token, email=email):
            return True
        return super().is_email_verified(request, email)

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        """allauth's notices, with one left out: confirming an address also signs the person in, and "Successfully
        signed in" right after "You have confirmed ..." says nothing new. Every other notice goes through."""
        if message_template == "account/messages/email_confirmed.txt":
            request._address_just_confirmed = True
        elif message_template == "account/messages/logged_in.txt" and getattr(
            request, "_address_just_confirmed", False
        ):
            return
        super().add_message(
            request, level, message_template, message_context=message_context, extra_tags=extra_tags, message=message
        )

    def get_signup_redirect_url(self, request) -> str:
        """A newcomer who signed up (and confirmed the address) lands on what to do next, unless a page sent them."""
        return reverse("welcome")

    def get_email_verification_redirect_url(self, email_address) -> str:
        """After confirming an address: what to do next, signing in first when the confirmation came from elsewhere."""
        if self.request.user.is_authenticated:
            return reverse("welcome")
        return f"{reverse('account_login')}?{urlencode({'next': reverse('welcome')})}"
