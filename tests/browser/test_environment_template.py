"""Section 五's template wording goes into the page without leaving it."""

import json
from pathlib import Path

import pytest

from projects.models import Membership, Plan
from projects.services import plan_import
from tests.browser.conftest import sign_in
from tests.projects.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO = Path(__file__).resolve().parents[2] / "projects" / "demo"


def test_the_template_wording_is_inserted_and_nothing_typed_is_lost(page, live_server):
    document = json.loads((DEMO / "chiller-individual.json").read_text(encoding="utf-8"))
    plan = plan_import(document=document)
    Plan.objects.filter(pk=plan.pk).update(environment_construction="")
    plan.questions.all().delete()
    MembershipFactory(
        user=UserFactory(username="carrefour"),
        organisation=plan.organisation,
        role=Membership.Role.EDITOR,
    )
    sign_in(page, "carrefour")
    url = f"{live_server.url}/plans/{plan.pk}/sections/environment/"
    page.goto(url)
    template = page.locator("[data-role='survey-template'] button")
    assert template.is_enabled()

    page.fill("[name='plan-consultation_summary']", "正在輸入的文字")
    page.click("[data-fill-target='id_plan-environment_construction']")

    assert page.url == url
    assert page.input_value("[name='plan-environment_construction']").startswith(
        "本專案屬設備效能提升專案"
    )
    assert page.input_value("[name='plan-consultation_summary']") == "正在輸入的文字"
    # The questionnaire template would leave the page: it waits for a save.
    assert template.is_disabled()
    assert page.locator("#survey-template-hint").is_visible()

    # A filled box is replaced only if the user agrees.
    page.fill("[name='plan-environment_crediting']", "自己寫的")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("[data-fill-target='id_plan-environment_crediting']")
    assert page.input_value("[name='plan-environment_crediting']") == "自己寫的"
