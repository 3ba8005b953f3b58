"""`manage.py load_demo --registry` (what scripts/run.sh runs) shows the cycle after
approval on the chiller plan, once however often it runs."""

from io import StringIO

import pytest
from django.core.management import call_command

from projects.credits import selectors
from projects.credits.models import LedgerEntry
from projects.models import Organisation, Plan
from projects.monitoring.models import MonitoringReport

pytestmark = pytest.mark.django_db


def test_the_demo_registers_the_chiller_plan_issues_moves_and_retires_its_credits_once(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", "--registry", stdout=StringIO())
    call_command("load_demo", "--registry", stdout=StringIO())

    chiller = Plan.objects.get(technology="chiller")
    assert chiller.project_number == "B-0000001"
    assert str(chiller.registered_crediting_start) == "2021-07-01"
    report = MonitoringReport.objects.get()
    assert (report.plan, report.status) == (chiller, MonitoringReport.Status.APPROVED)
    assert (report.current_version.reduction_tco2e, report.verified_reduction_tco2e) == (449, 440)
    kinds = list(LedgerEntry.objects.order_by("pk").values_list("kind", "quantity"))
    assert kinds == [("issuance", 440), ("transfer", 100), ("retirement", 80)]
    retirement = LedgerEntry.objects.retirements().get()
    assert (retirement.purpose, retirement.fee_year) == ("carbon_fee", 2025)
    balances = {
        name: selectors.account_balance(selectors.account_of(Organisation.objects.get(name=name)))
        for name in ("家福股份有限公司", "財團法人崑山科技大學")
    }
    assert balances["家福股份有限公司"]["balance"] == 260
    assert balances["財團法人崑山科技大學"]["balance"] == 100
    out = StringIO()
    call_command("check_ledger", stdout=out)
    assert "ledger consistent" in out.getvalue()


def test_without_registry_the_demo_plans_stay_drafts_to_edit(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=StringIO())
    assert set(Plan.objects.values_list("status", flat=True)) == {Plan.Status.DRAFT}
    assert not LedgerEntry.objects.exists()
