"""A stakeholder answers the survey on a phone through a tier's public link."""

import pytest

from projects import survey_template
from projects.models import Membership, SurveyLink
from tests.browser.conftest import screenshot, sign_in
from tests.projects.factories import MembershipFactory, PlanFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_neighbour_answers_on_a_phone_and_the_tables_count_it(page, browser, live_server):
    membership = MembershipFactory(
        user=UserFactory(username="carrefour"), role=Membership.Role.EDITOR
    )
    plan = PlanFactory(organisation=membership.organisation, applicant_name="家福股份有限公司")
    survey_template.apply_template(plan)
    plan.stakeholder_tiers.update(copies_sent=30)

    sign_in(page, "carrefour")
    page.goto(f"{live_server.url}/plans/{plan.pk}/survey/")
    page.click("button:has-text('開放線上問卷')")
    page.wait_for_selector(".alert-success")
    link = page.inner_text("code[data-link='第四級']")
    assert link.startswith(live_server.url)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-TW"
    )
    neighbour = phone.new_page()
    neighbour.goto(link)
    assert neighbour.evaluate("document.documentElement.scrollWidth") <= 390
    for number in range(1, 6):
        neighbour.locator(".survey-question").nth(number - 1).get_by_label("是").check()
    neighbour.get_by_label("減少溫室氣體排放").check()
    neighbour.get_by_label("節省公司內用電").check()
    neighbour.locator("textarea").last.fill("支持汰換，請注意施工噪音。")
    screenshot(neighbour, "survey-phone-form")
    neighbour.click("button:has-text('送出問卷')")
    neighbour.wait_for_selector("[data-role='thanks']")
    screenshot(neighbour, "survey-phone-thanks")
    phone.close()

    page.reload()
    row = page.locator("tr[data-tier='第四級']")
    assert row.locator("[data-cell='returned']").inner_text() == "1"
    assert row.locator("[data-cell='share']").inner_text() == "100%"
    shares = page.locator("table[data-question='6'] [data-share='1']").inner_text()
    assert shares == "100%"
    assert "支持汰換，請注意施工噪音。" in page.inner_text("[data-role='comments']")
    assert SurveyLink.objects.count() == 4
    screenshot(page, "survey-page")
