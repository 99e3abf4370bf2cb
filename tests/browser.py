"""What the browser tests share: signing in through the login page as a person the factories made.

(tests/projects, tests/events and tests/governance each still carry a copy of ``sign_in``; new browser tests use
this one.)
"""

from playwright.sync_api import Page

PASSWORD = "correct horse battery"  # the factories' password


def sign_in(page: Page, base: str, email: str, next_path: str) -> None:
    """Sign in on the login page and land on ``next_path``."""
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def page_width(page: Page) -> int:
    """How wide the page is, in CSS pixels: wider than the viewport means it scrolls sideways."""
    return page.evaluate("document.scrollingElement.scrollWidth")
