"""The public calculator in a browser: no sign-in, an example, a figure changed, the
preview following it (the section 四 page's own htmx preview)."""

import pytest

from projects.models import Plan
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def figure(page, name: str) -> str:
    return page.inner_text(f"#results-panel [data-figure='{name}']").strip()


def test_a_visitor_tries_the_chiller_example_and_sees_the_preview_change(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page.base_url + "/calculator/")
    assert page.url.endswith("/calculator/")  # not sent to sign in
    page.click("[data-example='chiller']")
    page.wait_for_url("**/calculator/?example=chiller")
    assert figure(page, "annual-reduction") == "461 tCO2e"
    baseline = page.locator("#results-panel td.num").first
    assert baseline.inner_text().strip() == "1,397,937.356 kWh"

    page.fill("input[name='baseline-groups-0-count']", "3")
    page.wait_for_function(
        "() => document.querySelector('#results-panel td.num').innerText.trim()"
        " === '2,096,906.035 kWh'"
    )
    assert figure(page, "annual-reduction") != "461 tCO2e"
    screenshot(page, "calculator-chiller")
    assert errors == []
    assert not Plan.objects.exists()  # a calculator stores nothing

    # Going on to a real plan asks to sign in first.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-role='start-plan']")
    page.wait_for_url("**/accounts/signup/**")
