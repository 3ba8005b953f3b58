"""axe-core on every main page: no serious or critical accessibility violation.

axe-core comes from npm (package.json; scripts/bootstrap.sh runs `npm ci`) and
is injected into each page as it is shown. The pages are those of the phone
walk (tests/browser/test_layout.py: the demo data through one review round),
for the applicant, the reviewer and the chiller plan's applicant, and the
sign-in page and the public survey for a visitor who is not signed in."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from projects.management.commands.load_demo import DEMO_PASSWORD
from projects.models import Plan
from projects.services import comment_add
from projects.workflow import plan_transition
from tests.browser.conftest import sign_in
from tests.browser.test_layout import demo_walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# Each violation as "rule (impact): help — the first elements it names".
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")),
  }));
}"""


def blocking_violations(page) -> list[str]:
    """The serious and critical violations axe-core finds on the page as shown."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(v['nodes'])}"
        for v in page.evaluate(RUN_AXE)
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def axe_page(browser, live_server, reference_data, settings, tmp_path):
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: run scripts/bootstrap.sh (npm ci)")
    settings.MEDIA_ROOT = tmp_path
    # axe-core is injected as an inline script, which the pages' content security
    # policy refuses (tests/browser/test_content_security_policy.py checks the policy).
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-TW", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def walk(page, paths: dict[str, str]) -> dict[str, list[str]]:
    found = {}
    for name, path in paths.items():
        reply = page.goto(page.base_url + path)
        assert reply.status < 400, (name, reply.status)
        violations = blocking_violations(page)
        if violations:
            found[name] = violations
    return found


@pytest.mark.parametrize("username", ["applicant", "reviewer", "carrefour"])
def test_every_main_page_has_no_serious_accessibility_violation(axe_page, username):
    paths = demo_walk()[username]
    sign_in(axe_page, username, DEMO_PASSWORD)
    found = walk(axe_page, paths)
    assert not found, f"as {username}: " + "; ".join(
        f"{name}: {' | '.join(items)}" for name, items in found.items()
    )


def test_the_sign_in_page_and_the_public_survey_have_no_serious_violation(axe_page):
    public_survey = demo_walk()["applicant"]["public-survey"]
    found = walk(axe_page, {"login": "/accounts/login/", "public-survey": public_survey})
    assert not found, "; ".join(f"{name}: {' | '.join(items)}" for name, items in found.items())


def test_the_review_panel_of_a_plan_under_review_has_no_serious_violation(axe_page):
    paths = demo_walk()["carrefour"]
    users = get_user_model().objects
    applicant, reviewer = users.get(username="carrefour"), users.get(username="hsinchu")
    chiller = Plan.objects.get(programme__isnull=True)
    plan_transition(plan=chiller, user=applicant, name="submit")
    plan_transition(plan=chiller, user=reviewer, name="start_review")
    comment_add(
        plan=chiller,
        user=reviewer,
        section="calculation",
        field="年運轉時數",
        text="請附上運轉紀錄。",
    )
    sign_in(axe_page, "hsinchu", DEMO_PASSWORD)
    axe_page.goto(axe_page.base_url + paths["plan"])
    # The panel's forms: the transitions, the comment form and a reply box.
    assert axe_page.locator("input[name='text']").count() >= 1
    found = walk(
        axe_page,
        {
            "review-queue": "/review/",
            "plan": paths["plan"],
            "section-calculation": paths["section-calculation"],
        },
    )
    assert not found, "; ".join(f"{name}: {' | '.join(items)}" for name, items in found.items())


def test_the_check_reports_a_control_without_a_label(axe_page):
    """The check itself: a page with an unlabelled input fails it."""
    axe_page.set_content(
        '<html lang="zh-hant"><head><title>t</title></head>'
        '<body><main><h1>t</h1><input type="text" name="x"></main></body></html>'
    )
    assert [v.split(" ")[0] for v in blocking_violations(axe_page)] == ["label"]
