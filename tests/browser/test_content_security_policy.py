"""The pages keep their content security policy: walking the main pages (sign-in,
plan list, every section of a plan, the live preview, the attachments and history)
reports no policy violation and no console error."""

from io import StringIO

import pytest
from django.core.management import call_command

from projects.management.commands.load_demo import DEMO_PASSWORD
from projects.models import Plan
from projects.sections import EDITORS
from tests.browser.conftest import sign_in, wait_for_htmx_idle
from tests.browser.test_layout import registry_walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script; the policy does not apply to scripts the browser
# itself injects, so this listener sees every violation of the page's policy.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def test_the_main_pages_keep_the_content_security_policy(page):
    call_command("load_demo", stdout=StringIO())
    chiller = Plan.objects.get(programme__isnull=True)
    errors, violations = [], []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.add_init_script(RECORD_VIOLATIONS)

    def visited(url: str) -> None:
        violations.extend(f"{url}: {v}" for v in page.evaluate("window.__violations"))

    page.goto(page.base_url + "/accounts/login/")
    assert "script-src 'self'" in page.evaluate(
        "() => fetch(location.href).then(r => r.headers.get('content-security-policy'))"
    )
    visited(page.url)
    sign_in(page, "carrefour", DEMO_PASSWORD)
    visited(page.url)
    for url in (
        chiller.get_absolute_url(),
        *(f"/plans/{chiller.pk}/sections/{editor.slug}/" for editor in EDITORS),
        f"/plans/{chiller.pk}/attachments/",
        f"/plans/{chiller.pk}/history/",
    ):
        page.goto(page.base_url + url)
        page.wait_for_load_state("networkidle")
        visited(url)

    # The live preview: an htmx request whose answer is swapped into the page.
    page.goto(f"{page.base_url}/plans/{chiller.pk}/sections/calculation/")
    with page.expect_response(lambda response: "/preview/" in response.url):
        page.locator("#id_plan-line_loss").fill("abc")
    page.wait_for_selector("#id_plan-line_loss.is-invalid")
    # The menu (Bootstrap's collapse) at a phone's width.
    page.set_viewport_size({"width": 400, "height": 800})
    page.click(".navbar-toggler")
    page.wait_for_selector("#site-menu.show")
    visited("preview and menu")

    assert violations == []
    assert errors == []


def test_the_registry_account_and_monitoring_pages_keep_the_content_security_policy(
    browser, live_server, reference_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    walks = registry_walk()
    from django.contrib.auth import get_user_model

    from reports.models import ProgrammeExport

    # An export under way: its progress bar is on the page (and polls).
    ProgrammeExport.objects.create(
        programme=Plan.objects.exclude(programme=None).get().programme,
        requested_by=get_user_model().objects.get(username="admin"),
        status=ProgrammeExport.Status.RUNNING,
        done=1,
        total=3,
    )
    errors, violations = [], []
    for username, walk in walks.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        page.on(
            "console",
            lambda message, page=page: (
                errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error, page=page: errors.append(f"{page.url}: {error}"))
        page.add_init_script(RECORD_VIOLATIONS)
        try:
            if username:
                sign_in(page, username, DEMO_PASSWORD)
            for path in walk.values():
                reply = page.goto(page.base_url + path)
                assert reply.status == 200, (username, path, reply.status)
                page.wait_for_load_state("networkidle")
                violations.extend(
                    f"{username} {path}: {v}" for v in page.evaluate("window.__violations")
                )
        finally:
            context.close()

    assert violations == []
    assert errors == []


def test_waiting_for_a_slow_preview_works_under_the_policy(page):
    # A request still in flight at the first check: the wait has to poll, and
    # polling a bare expression is refused by the policy (CI failed on it).
    page.goto(page.base_url + "/accounts/login/")
    page.evaluate(
        """() => {
          document.body.classList.add('htmx-request');
          setTimeout(() => document.body.classList.remove('htmx-request'), 400);
        }"""
    )
    wait_for_htmx_idle(page)
    assert not page.evaluate("() => document.body.classList.contains('htmx-request')")
