"""The live preview's marks on a field in error keep the field's own help text
described to screen readers, and take their message away again once fixed."""

from io import StringIO

import pytest
from django.core.management import call_command

from projects.management.commands.load_demo import DEMO_PASSWORD
from projects.models import Plan
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_preview_mark_keeps_the_fields_help_text_described(page):
    call_command("load_demo", stdout=StringIO())
    chiller = Plan.objects.get(programme__isnull=True)
    sign_in(page, "carrefour", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/plans/{chiller.pk}/sections/calculation/")
    line_loss = page.locator("#id_plan-line_loss")
    help_id = "id_plan-line_loss_helptext"
    assert line_loss.get_attribute("aria-describedby") == help_id

    line_loss.fill("abc")
    page.wait_for_selector("#id_plan-line_loss.is-invalid")
    described = line_loss.get_attribute("aria-describedby").split()
    assert help_id in described
    assert len(described) == 2
    assert page.locator(f"#{described[1]}").inner_text().strip()

    line_loss.fill("0.0394")
    page.wait_for_selector("#id_plan-line_loss:not(.is-invalid)")
    assert line_loss.get_attribute("aria-describedby") == help_id
