"""Accounts in the browser: a school signs up from the sign-in page, confirms
its address, creates its organisation and brings in a consultant, and both
edit the same plan; a reviewer signs in with a code from an authenticator app."""

import re

import pytest
from django.core import mail

from projects.models import Membership, Organisation, Plan
from tests.accounts.helpers import totp_code, turn_on_totp
from tests.browser.conftest import screenshot
from tests.browser.test_applicant_journeys import create_plan, save
from tests.projects.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Kunshan-lighting-2026"


def last_link(base_url: str, pattern: str) -> str:
    """The link of that kind in the latest mail, on the live server."""
    body = mail.outbox[-1].body
    path = re.search(rf"https?://[^/\s]+({pattern}\S*)", body).group(1)
    return base_url + path


def sign_up(page, email: str) -> None:
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main form button[type=submit]")


def test_a_school_signs_up_invites_its_consultant_and_both_edit_one_plan(
    page, browser, settings, live_server
):
    settings.SITE_URL = live_server.url
    page.goto(page.base_url + "/accounts/login/")
    page.click("#signup-link")
    sign_up(page, "facility@school.edu.tw")
    page.wait_for_selector("h1:has-text('請確認您的電子郵件')")

    page.goto(last_link(page.base_url, "/accounts/confirm-email/"))
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('我的組織')")

    page.click("text=建立申請單位")
    page.fill("#id_name", "某某國民小學")
    page.fill("#id_tax_id", "04595257")
    page.fill("#id_address", "臺南市永康區中山路1號")
    page.fill("#id_representative", "王校長")
    page.click("form button:has-text('建立')")
    page.wait_for_selector("h1:has-text('某某國民小學')")

    page.fill("#id_email", "consultant@energy.example")
    page.select_option("#id_access", "editor")
    page.click("#invite-form button")
    page.wait_for_selector(".alert-success")
    screenshot(page, "accounts-organisation-members")
    invitation = last_link(page.base_url, "/invitations/")

    consultant = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-TW")
    other = consultant.new_page()
    other.set_default_timeout(15_000)
    other.goto(invitation)
    other.click("text=註冊帳號並接受邀請")
    assert other.input_value("#id_email") == "consultant@energy.example"
    sign_up(other, "consultant@energy.example")
    other.click("text=接受邀請")
    other.wait_for_selector("text=您已加入")
    organisation = Organisation.objects.get(name="某某國民小學")
    assert Membership.objects.filter(
        organisation=organisation,
        user__email="consultant@energy.example",
        role=Membership.Role.EDITOR,
    ).exists()

    page.goto(page.base_url + "/")
    create_plan(page, type_label="計畫型", title="校園照明汰換", technology="lighting")
    page.fill("[name='plan-version']", "1.0")
    save(page)
    plan = Plan.objects.get(title="校園照明汰換")

    other.goto(page.url)
    assert other.input_value("[name='plan-version']") == "1.0"
    other.fill("[name='plan-number']", "A-0001")
    save(other)
    plan.refresh_from_db()
    assert (plan.version, plan.number, plan.organisation) == ("1.0", "A-0001", organisation)
    consultant.close()


def test_a_reviewer_signs_in_with_a_code_from_the_authenticator_app(page, settings):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = True
    reviewer = UserFactory(username="reviewer", email="reviewer@tainan.gov.tw")
    MembershipFactory(
        user=reviewer,
        organisation=OrganisationFactory(authority=True),
        role=Membership.Role.REVIEWER,
    )
    secret = turn_on_totp(reviewer)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_login", "reviewer@tainan.gov.tw")
    page.fill("#id_password", "password")
    page.click("form button.w-100")
    page.wait_for_selector("h1:has-text('兩步驟驗證')")
    page.fill("#id_code", totp_code(secret))
    page.click("main form button[type=submit]:has-text('登入')")
    page.wait_for_url(page.base_url + "/")
    page.click("text=審查佇列")
    page.wait_for_url(page.base_url + "/review/")
