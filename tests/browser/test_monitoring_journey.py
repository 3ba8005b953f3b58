"""An applicant enters a year's monitoring report of the registered chiller plan: the
period, twelve months of metered readings pasted from a spreadsheet, the figures
beside the plan's estimate, and submission to a verification body."""

import json
from pathlib import Path

import pytest

from projects.monitoring.models import MonitoringReport
from tests.browser.conftest import screenshot, sign_in, wait_for_htmx_idle
from tests.projects.monitoring_helpers import registered_chiller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO = Path(__file__).resolve().parents[2] / "projects" / "demo"
READINGS = [
    "10500",
    "9800",
    "10200",
    "11000",
    "11800",
    "12500",
    "12900",
    "12800",
    "12100",
    "11200",
    "10300",
    "10400",
]


def wait_for_figure(page, name: str, expected: str) -> None:
    page.wait_for_function(
        "([name, expected]) => { const el = document.querySelector("
        "`#results-panel [data-figure='${name}']`); return el && el.innerText.trim() === expected; }",
        arg=[name, expected],
    )


def paste(page, selector: str, text: str) -> None:
    """What a browser does when a block copied from a spreadsheet is pasted into a cell."""
    page.locator(selector).focus()
    page.evaluate(
        """([selector, text]) => {
            const target = document.querySelector(selector);
            const data = new DataTransfer();
            data.setData('text/plain', text);
            target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
        }""",
        [selector, text],
    )


def test_an_applicant_pastes_a_years_meter_readings_and_submits_for_verification(page):
    document = json.loads((DEMO / "chiller-individual.json").read_text(encoding="utf-8"))
    people = registered_chiller(document)
    sign_in(page, "editor")
    page.goto(page.base_url + people.plan.get_absolute_url())
    page.click("[data-role='new-report']")
    page.fill("[name='period_start']", "111/01/01")
    page.fill("[name='period_end']", "111/12/31")
    page.click("button:has-text('建立監測報告書')")
    page.wait_for_selector(".alert-success")

    # The groups come from the registered plan; the grid comes with the year's months.
    assert page.input_value("[name='baseline-groups-0-name']") == "日立螺旋式冰水主機 200RT (定頻)"
    assert page.input_value("[name='project-groups-0-month_11']") == "2022-12"
    page.fill("[name='baseline-groups-0-hours']", "4000")
    for group in (0, 1):
        # One column of kWh copied from the meter log, pasted into January's kWh cell.
        paste(page, f"[name='project-groups-{group}-energy_0']", "\r\n".join(READINGS) + "\r\n")
        assert page.input_value(f"[name='project-groups-{group}-energy_11']") == "10400"
    # 2 × 177.2 × 0.8313 × 4,000 = 1,178,450.88 kWh; 2 × 135,500 = 271,000 kWh; EF 2022 0.495.
    wait_for_figure(page, "reduction", "449")
    wait_for_figure(page, "ex-ante", "461")
    page.wait_for_timeout(800)
    wait_for_htmx_idle(page)
    page.click("button:has-text('儲存草稿')")
    page.wait_for_selector(".alert-success")
    assert page.inner_text("#results-panel [data-figure='reduction']").strip() == "449"
    screenshot(page, "monitoring-1-readings")

    page.click("text=概要與送查證")
    page.select_option("[name='verification_body']", str(people.body.pk))
    page.click("button:has-text('送查證')")
    page.wait_for_selector(".alert-success")
    assert page.inner_text("[data-role='report-status']") == "已送查證"
    assert page.inner_text("[data-role='verification-body']") == "台灣檢驗科技股份有限公司"
    screenshot(page, "monitoring-2-submitted")

    report = MonitoringReport.objects.get()
    assert report.status == MonitoringReport.Status.SUBMITTED
    assert report.current_version.reduction_tco2e == 449
    assert report.results["project"]["energy_kwh"] == "271000.000"


def test_an_applicant_shortens_the_period_and_confirms_deleting_the_months_outside(page):
    from datetime import date

    from projects.monitoring import entry
    from tests.projects.monitoring_helpers import measure

    document = json.loads((DEMO / "chiller-individual.json").read_text(encoding="utf-8"))
    people = registered_chiller(document)
    report = entry.report_start(
        people.plan, by=people.editor, period_start=date(2022, 1, 1), period_end=date(2022, 12, 31)
    )
    measure(people, report)
    sign_in(page, "editor")
    page.goto(page.base_url + f"/monitoring/{report.pk}/")
    assert page.input_value("[data-role='period-form'] [name='period_end']") == "111/12/31"
    page.fill("[data-role='period-form'] [name='period_end']", "111/10/31")
    page.click("button:has-text('修改監測期間')")
    # Refused at the end date, naming the months; what was typed stays.
    feedback = page.inner_text("#id_period_end_error")
    assert "2022-11、2022-12" in feedback
    assert page.input_value("[data-role='period-form'] [name='period_end']") == "111/10/31"
    screenshot(page, "monitoring-period-1-months-named")
    page.check("[name='drop_months']")
    page.click("button:has-text('修改監測期間')")
    page.wait_for_selector(".alert-success")
    assert page.inner_text("[data-role='report-period']") == "111年1月1日 ~ 111年10月31日"
    screenshot(page, "monitoring-period-2-changed")
    page.click(".nav-tabs >> text=監測數據")
    assert page.input_value("[name='project-groups-0-month_9']") == "2022-10"
    assert page.input_value("[name='project-groups-0-month_10']") == ""
