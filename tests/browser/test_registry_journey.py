"""The whole cycle after a plan's approval, through the pages as each person uses
them: the authority approves and registers the chiller reference plan, the
applicant enters a year's monitoring report from pasted meter readings, the
verification body verifies it, the authority approves it and so issues credits,
the applicant transfers and retires part of them, and the public registry,
the retirements list, the account pages and the 監測報告書 PDF show the result."""

import datetime
import json
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from weasyprint import HTML

from projects import workflow
from projects.models import Membership, Organisation, Plan, PlanEvent
from tests.browser.conftest import screenshot, sign_in, wait_for_htmx_idle
from tests.browser.test_monitoring_journey import READINGS, paste, wait_for_figure
from tests.browser.test_review_journey import click_transition
from tests.projects.factories import MembershipFactory, UserFactory, chiller_with_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO = Path(__file__).resolve().parents[2] / "projects" / "demo"
BUYER_TAX_ID = "10000036"
FEE_PAYER_TAX_ID = "22099131"
# 2 × 177.2 × 0.8313 × 4,000 kWh before, 2 × 135,500 kWh metered after, EF 2022 0.495.
CLAIMED = 449
VERIFIED = 440
TRANSFERRED = 100
RETIRED = 80  # 80 × 1.2 = 96 t deducted: within 10 % of 1,000 t (90 would deduct 108 t)


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, username)


def text(page, selector: str) -> str:
    return page.inner_text(selector).strip()


@pytest.fixture
def people(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    document = json.loads((DEMO / "chiller-individual.json").read_text(encoding="utf-8"))
    plan, editor, reviewer = chiller_with_people(document)
    workflow.plan_transition(plan=plan, user=editor, name="submit")
    body = Organisation.objects.create(
        name="台灣檢驗科技股份有限公司", kind=Organisation.Kind.VERIFIER
    )
    MembershipFactory(
        user=UserFactory(username="verifier"), organisation=body, role=Membership.Role.VERIFIER
    )
    buyer = Organisation.objects.create(name="綠能買方股份有限公司", tax_id=BUYER_TAX_ID)
    MembershipFactory(
        user=UserFactory(username="buyer"), organisation=buyer, role=Membership.Role.EDITOR
    )
    return plan, body, buyer


def test_a_plan_is_registered_monitored_verified_and_its_credits_issued_moved_and_retired(
    page, people, tmp_path
):
    plan, body, buyer = people
    plan_url = page.base_url + plan.get_absolute_url()

    # 1. The authority's reviewer approves the submitted plan and registers it.
    sign_in(page, "reviewer")
    page.goto(plan_url)
    click_transition(page, "start_review")
    click_transition(page, "approve")
    assert text(page, "[data-role='plan-status']") == "核准"
    # The approval took place years ago, so that a past year's emission factor is published.
    PlanEvent.objects.filter(plan=plan, to_status=Plan.Status.APPROVED).update(
        created_at=timezone.make_aware(datetime.datetime(2021, 6, 1, 9))
    )
    page.goto(plan_url)
    page.click("[data-role='register-plan']")
    page.fill("[name='registered_on']", "110/07/01")
    page.click("[data-role='register']")
    page.wait_for_selector("[data-role='registered-badge']")
    number = text(page, "[data-role='project-number']")
    assert number == "B-0000001"
    # Ten years (固定型) from the registration date; the plan's own dates kept for the record.
    period = text(page, "[data-role='registered-period']").splitlines()
    assert period == ["110年7月1日 ~ 120年6月30日", "計畫書所載：110年1月1日 ~ 119年12月31日"]
    screenshot(page, "registry-1-registered")

    # 2. The applicant enters 2022's monitoring report from pasted meter readings.
    switch_user(page, "editor")
    page.goto(plan_url)
    page.click("[data-role='new-report']")
    page.fill("[name='period_start']", "111/01/01")
    page.fill("[name='period_end']", "111/12/31")
    page.click("button:has-text('建立監測報告書')")
    page.wait_for_selector(".alert-success")
    page.fill("[name='baseline-groups-0-hours']", "4000")
    for group in (0, 1):
        paste(page, f"[name='project-groups-{group}-energy_0']", "\r\n".join(READINGS) + "\r\n")
    wait_for_figure(page, "reduction", str(CLAIMED))
    wait_for_figure(page, "ex-ante", "461")
    page.wait_for_timeout(800)
    wait_for_htmx_idle(page)
    page.click("button:has-text('儲存草稿')")
    page.wait_for_selector(".alert-success")
    page.click("text=概要與送查證")
    page.select_option("[name='verification_body']", str(body.pk))
    page.click("button:has-text('送查證')")
    page.wait_for_selector(".alert-success")
    assert text(page, "[data-role='report-status']") == "已送查證"
    report_url = page.url.split("?")[0].split("#")[0]
    report_path = report_url.removeprefix(page.base_url)

    # 3. The verifier records the verified reduction, attaches the statement and completes.
    switch_user(page, "verifier")
    page.goto(page.base_url + "/monitoring/queue/")
    page.click(f"[data-role='monitoring-queue'] a[href*='{report_path.rstrip('/')}']")
    page.fill("[name='verified_reduction_tco2e']", str(CLAIMED + 1))
    page.click("button:has-text('記錄查證減量')")
    assert "不得高於" in page.inner_text("[data-role='reduction-form']")
    page.fill("[name='verified_reduction_tco2e']", str(VERIFIED))
    page.click("button:has-text('記錄查證減量')")
    page.wait_for_selector(".alert-success")
    statement = HTML(string="<p>查證總結報告：查證減量 440 tCO2e</p>").write_pdf()
    form = page.locator("[data-role='statement-form']")
    form.locator("[name='description']").fill("查證總結報告 111 年")
    form.locator("input[type='file']").set_input_files(
        {"name": "statement.pdf", "mimeType": "application/pdf", "buffer": statement}
    )
    form.locator("button").click()
    page.wait_for_selector("[data-role='statement'] a")
    click_transition(page, "complete_verification")
    assert text(page, "[data-role='report-status']") == "查證完成"
    review_url = page.url

    # The authority approves, which issues the verified tonnes.
    switch_user(page, "reviewer")
    page.goto(review_url)
    click_transition(page, "approve")
    issuance = text(page, "[data-role='issuance']")
    serial = f"TW-{number.replace('-', '')}-VER-20221231-000000001-{VERIFIED:09d}"
    assert serial in issuance
    screenshot(page, "registry-2-issued")

    # 4. The applicant finds the credits on the organisation's account…
    switch_user(page, "editor")
    page.click("nav a:has-text('減量額度帳戶')")
    page.click(f"a:has-text('{plan.organisation.name}')")
    account_url = page.url
    assert text(page, "[data-role='balance']") == str(VERIFIED)
    assert serial in text(page, "[data-role='blocks']")
    # …transfers part to another organisation's account…
    page.fill("[name='transfer-to_tax_id']", BUYER_TAX_ID)
    page.fill("[name='transfer-quantity']", str(TRANSFERRED))
    page.click("[data-role='transfer-form'] button")
    page.wait_for_selector(".alert-success")
    assert text(page, "[data-role='balance']") == str(VERIFIED - TRANSFERRED)
    # …and retires part for a company's carbon fee: beyond 10 % is refused at the quantity.
    retire = page.locator("[data-role='retire-form']")
    retire.locator("[name='retire-quantity']").fill("90")
    retire.locator("[name='retire-purpose']").select_option("carbon_fee")
    retire.locator("[name='retire-beneficiary']").fill("台灣積體電路製造股份有限公司")
    retire.locator("[name='retire-tax_id']").fill(FEE_PAYER_TAX_ID)
    retire.locator("[name='retire-year']").fill("2025")
    retire.locator("[name='retire-chargeable_emissions']").fill("1000")
    retire.locator("button").click()
    page.wait_for_selector("[name='retire-quantity'].is-invalid")
    refusal = page.locator("[name='retire-quantity'] ~ .invalid-feedback").inner_text()
    assert "10%" in refusal and "最多可註銷 83 公噸" in refusal
    retire = page.locator("[data-role='retire-form']")
    for name, typed in (
        ("quantity", "90"),
        ("purpose", "carbon_fee"),
        ("beneficiary", "台灣積體電路製造股份有限公司"),
        ("tax_id", FEE_PAYER_TAX_ID),
        ("year", "2025"),
        ("chargeable_emissions", "1000"),
    ):
        assert retire.locator(f"[name='retire-{name}']").input_value() == typed, name
    assert text(page, "[data-role='balance']") == str(VERIFIED - TRANSFERRED)
    screenshot(page, "registry-3-refused-beyond-cap")
    retire.locator("[name='retire-quantity']").fill(str(RETIRED))
    retire.locator("button").click()
    page.wait_for_selector(".alert-success")
    assert "可抵減收費排放量 96" in text(page, ".alert-success")
    assert text(page, "[data-role='balance']") == str(VERIFIED - TRANSFERRED - RETIRED)
    assert text(page, "[data-role='retired']") == str(RETIRED)
    assert "2025 年抵減 96" in text(page, "[data-role='history'] tr[data-kind='retirement']")
    screenshot(page, "registry-4-account")

    # 6. The 監測報告書 PDF reads like the official form, with the verifier's figure.
    page.goto(report_url)
    pdf_url = page.get_attribute("[data-role='report-pdf']", "href")
    response = page.request.get(page.base_url + pdf_url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "monitoring-report.pdf"
    pdf.write_bytes(response.body())
    words = "".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    assert "監測報告書" in words
    for heading in ("一、專案活動描述", "二、監測情形說明", "三、減量計算", "四、法規外加性"):
        assert heading in words
    assert number in words and str(VERIFIED) in words

    # 5. Signed out, the registry lists the plan with its issued credits…
    page.context.clear_cookies()
    page.goto(page.base_url + "/registry/")
    row = page.locator(f"[data-role='registry'] tr[data-number='{number}']")
    assert plan.title in row.inner_text()
    assert row.locator("td.num").last.inner_text().strip() == str(VERIFIED)
    # …and the retirement, with the company and the emissions it deducts.
    page.goto(page.base_url + "/registry/retirements/")
    retirement = page.locator("[data-role='retirement']")
    assert retirement.count() == 1
    line = retirement.inner_text()
    assert str(RETIRED) in line and "台灣積體電路製造股份有限公司" in line
    assert f"統一編號 {FEE_PAYER_TAX_ID}" in line and "抵減 96 公噸" in line
    screenshot(page, "registry-5-retirements")

    # The receiving organisation's account holds what was transferred.
    sign_in(page, "buyer")
    page.click("nav a:has-text('減量額度帳戶')")
    page.click(f"a:has-text('{buyer.name}')")
    assert text(page, "[data-role='balance']") == str(TRANSFERRED)
    assert page.url != account_url
