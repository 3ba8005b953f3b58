"""An applicant enters both reference plans through the browser and sees the
reference figures, computed by the server as they type."""

import json
from pathlib import Path

import pytest

from methodologies.models import EmissionFactor
from projects.models import Membership, Organisation, Plan, Programme
from projects.services import plan_import
from tests.browser.conftest import screenshot, sign_in, wait_for_htmx_idle
from tests.projects.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).resolve().parents[1] / "data"


def applicant_of(organisation_name: str, username: str):
    organisation = Organisation.objects.create(name=organisation_name)
    MembershipFactory(
        user=UserFactory(username=username),
        organisation=organisation,
        role=Membership.Role.EDITOR,
    )
    return organisation


def settle(page):
    """Let a pending live preview (600 ms after the last keystroke) finish."""
    page.wait_for_timeout(800)
    wait_for_htmx_idle(page)


def save(page):
    settle(page)
    page.click("button:has-text('儲存草稿')")
    page.wait_for_selector(".alert-success")


def figure(page, name: str) -> str:
    return page.inner_text(f"#results-panel [data-figure='{name}']").strip()


def wait_for_figure(page, name: str, expected: str) -> None:
    page.wait_for_function(
        "([name, expected]) => { const el = document.querySelector("
        "`#results-panel [data-figure='${name}']`); return el && el.innerText.trim() === expected; }",
        arg=[name, expected],
    )


def create_plan(page, *, type_label: str, title: str, technology: str, programme=None):
    page.click("text=新增計畫書")
    page.get_by_label(type_label, exact=True).check()
    if programme:
        page.select_option("#id_programme", str(programme.pk))
    page.fill("#id_title", title)
    page.select_option("#id_technology", technology)
    page.click("button:has-text('建立草稿')")
    page.wait_for_selector("h1:has-text('基本資料')")


def fill_group(page, prefix: str, *, name, shape, count, **values):
    page.fill(f"[name='{prefix}-name']", name)
    page.select_option(f"[name='{prefix}-shape']", shape)
    page.fill(f"[name='{prefix}-count']", str(count))
    for field, value in values.items():
        page.fill(f"[name='{prefix}-{field}']", value)


def test_an_applicant_enters_the_lighting_sub_project_from_scratch(page):
    authority = Organisation.objects.create(
        name="臺南市政府環境保護局", kind=Organisation.Kind.AUTHORITY
    )
    programme = Programme.objects.create(
        authority=authority, title="臺南市設備汰舊換新計畫-換裝高效率設備", version="2.2"
    )
    applicant_of("財團法人崑山科技大學", "ksu")
    sign_in(page, "ksu")
    create_plan(
        page,
        type_label="方案型子專案",
        title="崑山科大設備汰換-高效率燈具",
        technology="lighting",
        programme=programme,
    )

    # 一 基本資料
    page.fill("[name='plan-number']", "B-0000271-002")
    page.fill("[name='plan-version']", "2.2")
    page.fill("[name='plan-prepared_on']", "110/05/24")
    page.fill("[name='plan-total_reduction_stated_tco2e']", "40")
    save(page)
    assert page.input_value("[name='plan-prepared_on']") == "110/05/24"
    screenshot(page, "lighting-1-basic")

    # 二 專案活動描述: the crediting period's end follows from its start and type.
    page.click("[data-section='activity']")
    page.check("[name='plan-sub_project_methodology_ok']")
    page.check("[name='plan-sub_project_boundary_ok']")
    page.fill("[name='plan-start_date']", "108/06/30")
    page.fill("[name='plan-crediting_start']", "110/01/01")
    page.fill("[name='plan-annual_savings_stated_kwh']", "8963")
    page.select_option("[name='participants-0-role']", "manager")
    page.fill("[name='participants-0-name']", "臺南市政府環境保護局")
    page.fill("[name='plan-cost_setup']", "980000")
    page.fill("[name='plan-cost_subsidy']", "490000")
    page.fill("[name='plan-site_address']", "臺南市永康區崑大路 195 號")
    page.fill("[name='plan-twd97_x']", "173430")
    page.fill("[name='plan-twd97_y']", "2544249")
    page.fill("[name='plan-measures']", "將既有燈具汰換為發光效率110 lm/W之新式節能 LED燈具。")
    page.check("input[name='plan-lifetime_exemption'][value='energy_saving']")
    save(page)
    assert page.input_value("[name='plan-crediting_end']") == "119/12/31"
    assert "設置成本 66.7%" in page.inner_text("[data-role='cost-shares']")
    screenshot(page, "lighting-2-activity")

    # 四 計算方法: the figures update from the server as the applicant types.
    page.click("[data-section='calculation']")
    factor = EmissionFactor.objects.get(year=2018)
    page.select_option("[name='plan-emission_factor_choice']", str(factor.pk))
    page.fill("[name='plan-line_loss']", "0.0394")
    fill_group(
        page,
        "baseline-groups-0",
        name="T5 4尺28W單管",
        shape="power",
        count=1000,
        power_kw="0.028",
        annual_hours="861",
    )
    fill_group(
        page,
        "project-groups-0",
        name="LED T8 4尺18W單管",
        shape="power",
        count=1000,
        power_kw="0.018",
        annual_hours="861",
    )
    wait_for_figure(page, "annual-reduction", "4 tCO2e")
    wait_for_figure(page, "total-reduction", "40 tCO2e")
    page.fill("[name='plan-service_level_metric']", "illuminance_lux")
    page.select_option("[name='plan-service_level_mode']", "range")
    page.fill("[name='pairs-0-location']", "行政大樓 (最低照度點)")
    page.fill("[name='pairs-0-baseline']", "92")
    page.fill("[name='pairs-0-project']", "137")
    page.click("[data-formset-prefix='pairs'] [data-formset-add]")
    page.fill("[name='pairs-1-location']", "行政大樓 (最高照度點)")
    page.fill("[name='pairs-1-baseline']", "333")
    page.fill("[name='pairs-1-project']", "432")
    save(page)
    assert figure(page, "annual-reduction") == "4 tCO2e"
    assert figure(page, "total-reduction") == "40 tCO2e"
    assert "符合" in page.inner_text("[data-check='service_level']")
    screenshot(page, "lighting-4-calculation")

    # 三 and 五 pages render with the plan's figures beside them.
    page.click("[data-section='applicability']")
    page.check("input[name='condition-1-answer'][value='complies']")
    page.fill("[name='condition-5-explanation']", "本案每年總節電量0.00896GWh，符合該條件。")
    save(page)
    assert "自動檢核：符合" in page.inner_text("tr[data-condition='1']")
    screenshot(page, "lighting-3-applicability")
    page.click("[data-section='environment']")
    screenshot(page, "lighting-5-environment")

    plan = Plan.objects.get()
    results = plan.results
    assert results["annual_reduction_tco2e"] == "4"
    assert results["total_reduction_tco2e"] == "40"
    expected = json.loads((DATA / "expected-results.json").read_text())["lighting-subproject.json"]
    assert results["baseline"] == expected["baseline"]
    assert results["project"] == expected["project"]
    page.goto(page.base_url + f"/plans/{plan.pk}/")
    assert figure(page, "total-reduction") == "40 tCO2e"
    screenshot(page, "lighting-0-overview")


def monthly_block(group: dict) -> str:
    """The group's readings as a spreadsheet copies them: month, kW, hours."""
    return "\n".join(f"{p['period']}\t{p['power_kw']}\t{p['hours']}" for p in group["periods"])


def test_an_applicant_pastes_the_chiller_readings_and_sees_461_and_4610(page):
    chiller = json.loads((DATA / "chiller-individual.json").read_text())
    project_groups = chiller["calculation"]["project"]["groups"]
    applicant_of("家福股份有限公司", "carrefour")
    sign_in(page, "carrefour")
    create_plan(page, type_label="計畫型", title="汰換為高效率冰水主機", technology="chiller")

    page.click("[data-section='activity']")
    page.fill("[name='plan-start_date']", "2018-07-06")
    page.fill("[name='plan-crediting_start']", "110年1月1日")
    page.fill("[name='plan-site_address']", "新竹縣竹北市光明六路89號")
    save(page)
    assert page.input_value("[name='plan-crediting_end']") == "119/12/31"

    page.click("[data-section='calculation']")
    factor = EmissionFactor.objects.get(year=2019)
    page.select_option("[name='plan-emission_factor_choice']", str(factor.pk))
    page.fill("[name='plan-line_loss']", "0")
    fill_group(
        page,
        "baseline-groups-0",
        name="日立螺旋式冰水主機 200RT (定頻)",
        shape="chiller",
        count=2,
        capacity_rt="177.2",
        kw_per_rt="0.8313",
        annual_hours="4745",
    )
    page.select_option("[name='baseline-refrigerant-code']", "R-22")
    page.fill("[name='baseline-refrigerant-annual_quantity_t']", "0.0646")

    page.click("[data-formset-prefix='project-groups'] [data-formset-add]")
    for index, group in enumerate(project_groups):
        prefix = f"project-groups-{index}"
        fill_group(page, prefix, name=group["name"], shape="periods", count=1)
        # Paste the twelve months from a spreadsheet into the first cell.
        page.locator(f"[name='{prefix}-month_0']").focus()
        page.evaluate(
            """([selector, text]) => {
                const target = document.querySelector(selector);
                const data = new DataTransfer();
                data.setData('text/plain', text);
                target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
            }""",
            [f"[name='{prefix}-month_0']", monthly_block(group)],
        )
        assert page.input_value(f"[name='{prefix}-power_11']") == group["periods"][11]["power_kw"]
        assert page.input_value(f"[name='{prefix}-hours_4']") == group["periods"][4]["hours"]
    page.select_option("[name='project-refrigerant-code']", "R-134a")
    page.fill("[name='project-refrigerant-annual_quantity_t']", "0.17")

    wait_for_figure(page, "annual-reduction", "461 tCO2e")
    wait_for_figure(page, "total-reduction", "4,610 tCO2e")
    save(page)
    assert figure(page, "annual-reduction") == "461 tCO2e"
    assert figure(page, "total-reduction") == "4,610 tCO2e"
    screenshot(page, "chiller-4-calculation")

    results = Plan.objects.get().results
    assert results["baseline"]["energy_kwh"] == "1397937.356"
    assert results["project"]["energy_kwh"] == "280446.547"


def test_leaving_a_page_with_unsaved_changes_asks_first_and_attachments_upload(page, tmp_path):
    organisation = applicant_of("財團法人崑山科技大學", "ksu")
    document = json.loads(
        (Path(__file__).resolve().parents[2] / "projects/demo/lighting-subproject.json").read_text()
    )
    plan = plan_import(document=document, create_programmes=True, organisation=organisation)
    sign_in(page, "ksu")
    page.goto(page.base_url + f"/plans/{plan.pk}/sections/basic/")
    page.fill("[name='plan-version']", "3.0")
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.click("[data-section='activity']", no_wait_after=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.input_value("[name='plan-version']") == "3.0"
    save(page)
    assert Plan.objects.get(pk=plan.pk).version == "3.0"

    # After saving, moving on asks nothing.
    page.click("[data-section='activity']")
    page.wait_for_selector("h1:has-text('專案活動描述')")
    assert dialogs == ["beforeunload"]
    screenshot(page, "lighting-2-activity-imported")

    png = tmp_path / "illuminance.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    page.click("[data-section='attachments']")
    page.fill("[name='description']", "汰換前後照度量測結果（照片）")
    page.set_input_files("[name='file']", str(png))
    page.click("button:has-text('上傳')")
    page.wait_for_selector(".alert-success")
    assert "汰換前後照度量測結果（照片）" in page.inner_text("table")
    screenshot(page, "lighting-6-attachments")
