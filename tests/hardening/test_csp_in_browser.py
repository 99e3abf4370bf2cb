"""Under the Content-Security-Policy, in a real browser (system Chromium through Playwright): the API docs (Swagger
UI) render, and a secret shown once is selected on focus, with not one violation reported by the browser."""

import pytest
from playwright.sync_api import Page, expect

from tests.members.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factories' password

# Installed before any of the page's own scripts: every violation the browser reports lands in window.__violations.
REPORT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${where})`);
});
"""


@pytest.fixture
def watched(page: Page) -> tuple[Page, list[str]]:
    """The page, and the console's CSP complaints (Chromium logs each refusal as an error)."""
    complaints: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            complaints.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return page, complaints


def violations(page: Page, complaints: list[str]) -> list[str]:
    return [*page.evaluate("window.__violations"), *complaints]


def test_the_api_docs_render_with_no_csp_violation(live_server, watched):
    page, complaints = watched

    response = page.goto(f"{live_server.url}/api/docs/")

    assert response is not None and response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    # the schema of every operation is generated on first request: give it time
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Alliance Portal API", timeout=60_000)
    expect(page.locator(".swagger-ui .opblock-tag").first).to_be_visible()
    page.locator(".swagger-ui .opblock-summary").first.click()  # an operation opens (the UI's own scripts run)
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()
    assert violations(page, complaints) == []


def test_a_new_api_key_is_selected_on_focus_with_no_csp_violation(live_server, watched):
    page, complaints = watched
    person = UserFactory()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_server.url}/account/tokens/")

    page.get_by_label("Name").fill("Laptop")
    page.get_by_role("button", name="Create the token").click()
    key = page.locator("#new-key")
    expect(key).to_be_visible()
    key.focus()

    selection = page.evaluate(
        "() => { const f = document.getElementById('new-key');"
        " return [f.selectionStart, f.selectionEnd, f.value.length]; }"
    )
    assert selection[0] == 0 and selection[1] == selection[2] > 20
    assert violations(page, complaints) == []
