"""An applicant and a reviewer take the chiller plan through a review round."""

import json
from pathlib import Path

import pytest

from projects.models import Membership, Organisation, Plan
from projects.services import plan_import
from tests.browser.conftest import screenshot, sign_in, wait_for_htmx_idle
from tests.projects.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO = Path(__file__).resolve().parents[2] / "projects" / "demo"


def click_transition(page, name, comment=""):
    form = page.locator(f"form[data-transition='{name}']")
    if comment:
        form.locator("textarea[name='comment']").fill(comment)
    form.locator("button").click()
    page.wait_for_selector(".alert-success, .alert-danger")


def status(page) -> str:
    return page.inner_text("[data-role='plan-status']").strip()


def test_submit_send_back_resubmit_compare_and_approve(page, browser, live_server):
    document = json.loads((DEMO / "chiller-individual.json").read_text(encoding="utf-8"))
    plan = plan_import(document=document, create_programmes=True)
    authority = Organisation.objects.create(
        name="新竹縣政府環境保護局", kind=Organisation.Kind.AUTHORITY
    )
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    MembershipFactory(
        user=UserFactory(username="carrefour"),
        organisation=plan.organisation,
        role=Membership.Role.EDITOR,
    )
    MembershipFactory(
        user=UserFactory(username="reviewer"), organisation=authority, role=Membership.Role.REVIEWER
    )
    plan_url = f"{live_server.url}/plans/{plan.pk}/"

    # The applicant submits.
    sign_in(page, "carrefour")
    page.goto(plan_url)
    click_transition(page, "submit")
    assert status(page) == "已送審"

    # The reviewer starts the review, comments on section 四 and sends it back.
    reviewer_context = browser.new_context(viewport={"width": 1400, "height": 1000})
    reviewer = reviewer_context.new_page()
    reviewer.base_url = live_server.url
    sign_in(reviewer, "reviewer")
    reviewer.goto(plan_url)
    click_transition(reviewer, "start_review")
    assert status(reviewer) == "審查中"
    form = reviewer.locator("form[data-role='new-comment']")
    form.locator("select[name='section']").select_option("calculation")
    form.locator("input[name='field']").fill("年運轉時數")
    form.locator("textarea[name='text']").fill("基線年運轉時數請依實際紀錄 4,700 小時計算。")
    form.locator("button").click()
    reviewer.wait_for_selector("[data-comment][data-section='calculation']")
    click_transition(reviewer, "request_changes", "請依意見修正計算方法後再送審。")
    assert status(reviewer) == "退回修正"
    screenshot(reviewer, "review-1-changes-requested")

    # The applicant sees the comment, changes the value and resubmits.
    page.goto(plan_url)
    assert "4,700 小時" in page.inner_text("[data-comment][data-section='calculation']")
    page.click("[data-section='calculation']")
    # The comment is on the section it is about too.
    assert "4,700 小時" in page.inner_text("[data-role='section-comments']")
    # The preview marks a field in error as it counts it, and clears the mark once fixed.
    hours = "[name='baseline-groups-0-annual_hours']"
    page.fill(hours, "abc")
    page.wait_for_selector(f"{hours}.is-invalid")
    assert page.locator(f"{hours} ~ .invalid-feedback").inner_text().strip()
    page.fill(hours, "4700")
    page.wait_for_timeout(800)
    wait_for_htmx_idle(page)
    page.wait_for_selector(f"{hours}:not(.is-invalid)")
    page.click("button:has-text('儲存草稿')")
    page.wait_for_selector(".alert-success")
    reply = page.goto(plan_url)
    assert reply.ok
    page.locator("[data-comment] input[name='text']").first.fill("已改為 4,700 小時。")
    page.locator("[data-comment] button:has-text('回覆')").first.click()
    page.wait_for_selector("text=已改為 4,700 小時。")
    click_transition(page, "submit")
    assert status(page) == "已送審"

    # The reviewer sees the difference, then approves.
    reviewer.goto(plan_url)
    reviewer.click("a:has-text('比較版本')")
    row = reviewer.locator("tr[data-path='calculation.baseline.groups[0].annual_hours']")
    assert row.locator(".diff-old").inner_text() == "4745"
    assert row.locator(".diff-new").inner_text() == "4700"
    screenshot(reviewer, "review-2-compare")
    reviewer.goto(plan_url)
    click_transition(reviewer, "start_review")
    # The reviewer reads the reply on section 四 and resolves the comment there.
    reviewer.click("nav [data-section='calculation']")
    comments = reviewer.locator("[data-role='section-comments']")
    assert "已改為 4,700 小時。" in comments.inner_text()
    screenshot(reviewer, "review-section-comments")
    with reviewer.expect_navigation():
        comments.locator("[data-role='resolve-form'] button").click()
    assert "/sections/calculation/" in reviewer.url
    assert reviewer.locator("[data-role='section-comments'] [data-comment]").count() == 0
    # The reason for sending it back is still open: approving asks to confirm it.
    reviewer.goto(plan_url)
    confirm = reviewer.locator("[data-role='confirm-open-comments']")
    assert "仍有 1 則未處理的意見" in confirm.inner_text()
    confirm.locator("input").check()
    screenshot(reviewer, "review-approve-confirmation")
    click_transition(reviewer, "approve")
    assert status(reviewer) == "核准"
    # The approved PDF comes first; the draft PDF is gone.
    assert reviewer.locator("[data-role='approved-pdf']").is_visible()
    assert reviewer.locator("[data-role='draft-pdf']").count() == 0

    # Both see the final state and the history.
    for viewer in (page, reviewer):
        viewer.goto(plan_url)
        assert status(viewer) == "核准"
        viewer.click("a:has-text('歷程')")
        history = viewer.inner_text("[data-role='history']")
        for state in ("已送審", "審查中", "退回修正", "核准"):
            assert state in history
        # The changed field is named in words, its document path kept as the tooltip.
        path = "calculation.baseline.groups[0].annual_hours"
        assert viewer.locator(f"[data-role='history'] [title='{path}']").count() == 1
    screenshot(page, "review-3-history")
    reviewer_context.close()
