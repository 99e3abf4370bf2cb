"""What ``make run`` and ``make dev`` print last: where the portal answers, where its mail goes, and the demo logins."""

from members.demo import ADMIN_EMAIL, DEMO_PASSWORD, STAFF_EMAIL


def banner_text(url: str) -> str:
    """The lines a person needs to start: the URL, the API docs, the mail page and the demo logins."""
    return "\n".join(
        [
            "",
            f"Alliance Portal is running: {url}/",
            f"  API docs:  {url}/api/docs/",
            f"  Mail sent: {url}/dev/mail/   (files under var/mail/, named by time and recipient)",
            "",
            f"Demo logins (password: {DEMO_PASSWORD}):",
            f"  staff (secretariat):              {STAFF_EMAIL}",
            f"  organization admin (Aurora Labs): {ADMIN_EMAIL}",
            "",
            "Stop with Ctrl+C.",
        ]
    )
