"""The official 監測報告書 PDF of a monitoring report: the registered chiller plan's
report for 2022 with 12 metered months, read back through pdftotext; who may
download it; and that a frozen version renders from itself alone."""

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from methodologies.engine.calculation import format_fixed
from projects.models import Membership, Organisation, Programme
from projects.monitoring import entry
from projects.monitoring.models import (
    MonitoringAttachment,
    MonitoringGroupPeriod,
    MonitoringRefrigerant,
    MonitoringReport,
)
from projects.registration.models import NumberingScheme
from projects.registration.services import register_plan
from projects.templatetags.plan_format import thousands
from reports import services
from reports.monitoring import build_monitoring_report
from reports.rendering import render_monitoring_pdf
from tests.projects.factories import (
    MembershipFactory,
    UserFactory,
    approved_plan,
    lighting_with_people,
)
from tests.projects.monitoring_helpers import registered_chiller
from tests.reports.test_pdf import pdf_text, squeezed

pytestmark = pytest.mark.django_db

# Metered kWh of each Trane chiller, January to December 2022.
METERED = {
    "n1": [
        "9850.5", "11020", "14032.25", "18800", "26410.7", "30120",
        "33015.4", "32880", "27745.9", "20110", "13876.35", "10240",
    ],
    "n2": [
        "8120", "9015.6", "12890", "17020.45", "24900", "28870.2",
        "31200", "30015.75", "25440", "18890.1", "12230", "9005.5",
    ],
}  # fmt: skip
MONTH_ROWS = [f"111.{month:02d}" for month in range(1, 13)]


def _metered_report(people) -> MonitoringReport:
    """Report 1 of the registered chiller plan for 2022: the baseline chillers' hours,
    both Trane chillers metered month by month, the refrigerant topped up."""
    report = entry.report_start(
        people.plan, by=people.editor, period_start=date(2022, 1, 1), period_end=date(2022, 12, 31)
    )
    baseline = report.groups.get(side="baseline")
    baseline.hours = Decimal("4745")
    baseline.save()
    for group, readings in zip(
        report.groups.filter(side="project").order_by("order"), METERED.values(), strict=True
    ):
        MonitoringGroupPeriod.objects.bulk_create(
            MonitoringGroupPeriod(group=group, month=f"2022-{month:02d}", energy_kwh=Decimal(kwh))
            for month, kwh in enumerate(readings, start=1)
        )
    MonitoringRefrigerant.objects.create(
        report=report, side="baseline", code="R-22", quantity_t=Decimal("0.0646")
    )
    MonitoringRefrigerant.objects.create(
        report=report, side="project", code="R-134a", quantity_t=Decimal("0.05")
    )
    MonitoringAttachment.objects.create(
        report=report,
        label="佐證一",
        description="EMS 監測系統逐月用電量報表",
        file=ContentFile(b"%PDF-1.4", name="ems-2022.pdf"),
    )
    report.explanation = "111 年營業時間延長，冰水主機運轉時數增加，故減量高於預估。"
    report.save()
    entry.report_refresh_results(report)
    report.refresh_from_db()
    return report


@pytest.fixture
def people(db, demo_document, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return registered_chiller(demo_document("chiller-individual.json"))


@pytest.fixture
def report(people):
    return _metered_report(people)


@pytest.fixture
def submitted(people, report):
    """The report submitted to the verification body, which verified part of it and
    attached its 查證總結報告."""
    report = entry.report_submit(report, by=people.editor, verification_body=people.body)
    MonitoringAttachment.objects.create(
        report=report,
        kind=MonitoringAttachment.Kind.VERIFICATION_STATEMENT,
        label="查證一",
        description="查證總結報告",
        file=ContentFile(b"%PDF-1.4", name="verification-statement.pdf"),
    )
    claimed = int(report.results["reduction_tco2e"])
    MonitoringReport.objects.filter(pk=report.pk).update(
        status=MonitoringReport.Status.VERIFIED, verified_reduction_tco2e=claimed - 7
    )
    return MonitoringReport.objects.get(pk=report.pk)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "monitoring.pdf"
    path.write_bytes(pdf)
    return squeezed(pdf_text(path))


def test_the_pdf_reads_as_a_monitoring_report_with_the_engines_figures(people, submitted, tmp_path):
    version = submitted.current_version
    text = _text(services.monitoring_pdf(submitted, version), tmp_path)
    results = version.results
    for heading in ("一、專案活動描述", "二、監測情形說明", "三、減量計算", "四、法規外加性"):
        assert heading in text
    assert "微型規模計畫型抵換專案監測報告書" in text
    assert f"專案編號{people.plan.project_number}" in text
    assert "監測報告書第1次" in text
    assert "監測期間111年1月1日~111年12月31日" in text
    assert "第1版" in text and "草稿" not in text
    assert "汰換為高效率冰水主機" in text and "家福股份有限公司" in text
    # The registered crediting period, not the applicant's.
    crediting = f"{people.plan.registered_crediting_start.year - 1911}年1月1日"
    assert f"專案計入期{crediting}" in text
    # The month grid: twelve ROC months, each metered reading.
    for month in MONTH_ROWS:
        assert month in text
    for readings in METERED.values():
        for kwh in readings:
            assert thousands(Decimal(kwh), 3) in text
    # The engine's figures, to the string.
    for side in ("baseline", "project"):
        assert thousands(results[side]["energy_kwh"]) + "kWh" in text
        assert thousands(results[side]["emissions_tco2e"]) + "tCO2e" in text
    assert f"本監測期間減量{thousands(results['reduction_tco2e'])}噸二氧化碳當量" in text
    assert "0.495kgCO2e/kWh（111年度）" in text
    assert "經濟部能源署" in text
    # Section 四: the ex-ante figure, the explanation, the verifier's figure.
    assert f"本期預估減量{results['ex_ante_tco2e']}tCO2e" in text
    assert int(results["reduction_tco2e"]) > int(results["ex_ante_tco2e"])
    assert "減量高於預估之說明：111年營業時間延長" in text
    assert "查驗機構台灣檢驗科技股份有限公司" in text
    verified = thousands(int(results["reduction_tco2e"]) - 7)
    assert f"查證減量{verified}噸二氧化碳當量" in text
    assert "verification-statement.pdf" in text
    assert "ems-2022.pdf" in text
    # The plan's regulatory additionality, and the six checks in zh-Hant.
    assert "■能源管理法" in text
    assert "監測期間位於專案計入期內符合" in text
    assert "減量高於計畫書預估時已說明原因符合" in text
    assert "專案冷媒不具臭氧破壞潛勢（條件3）符合" in text


def test_the_parameter_tables_carry_the_plans_default_and_monitored_boxes(report):
    pdf = build_monitoring_report(services.monitoring_source(report))
    rows = {row.key: row for row in pdf.sections["baseline_measured"]}
    # The registered plan ticks GWP_ref,BL as a default value and n_i as monitored.
    assert rows["GWP_ref_BL"].source == "default"
    assert rows["n_i"].source == "monitored"
    ef = {row.key: row for row in pdf.sections["project_emissions"]}["EF"]
    assert ef.value == "0.495"
    assert "111 年度電力排碳係數" in ef.note


def test_the_draft_is_marked_and_figures_follow_the_entries(report, tmp_path):
    text = _text(services.monitoring_pdf(report), tmp_path)
    assert "草稿" in text
    assert thousands(report.results["reduction_tco2e"]) in text
    exact = entry.report_calculate(report)
    assert format_fixed(exact.reduction_tco2e, 3)[:3] in text


def test_a_version_renders_without_a_database_query(submitted, django_assert_num_queries, tmp_path):
    source = services.monitoring_source(submitted, submitted.current_version)
    render_monitoring_pdf(source)  # WeasyPrint loads its fonts on the first render
    started = time.process_time()  # CPU time: other processes on the machine do not count
    with django_assert_num_queries(0):
        pdf = render_monitoring_pdf(source)
    assert time.process_time() - started < 1.5  # ~0.8 s
    assert "第1版" in _text(pdf, tmp_path)


def test_the_verifier_figure_is_printed_with_the_current_version_only(people, submitted):
    first = submitted.current_version
    section = build_monitoring_report(services.monitoring_source(submitted, first)).sections
    assert section["verified"] == thousands(int(first.results["reduction_tco2e"]) - 7)
    assert [a.filename for a in section["verification"].statements] == [
        "verification-statement.pdf"
    ]
    draft = build_monitoring_report(services.monitoring_source(submitted)).sections
    assert "verified" not in draft
    # Sent back and submitted again: version 1 no longer carries the verification.
    MonitoringReport.objects.filter(pk=submitted.pk).update(
        status=MonitoringReport.Status.CHANGES_REQUESTED, verified_reduction_tco2e=None
    )
    report = entry.report_submit(submitted, by=people.editor, verification_body=people.body)
    old = build_monitoring_report(services.monitoring_source(report, first)).sections
    assert "verified" not in old
    assert not old["verification"].current and old["verification"].statements == ()
    latest = build_monitoring_report(services.monitoring_source(report, report.current_version))
    assert latest.sections["verification"].current
    assert latest.sections["verification"].statements == ()  # none since the resubmission


def _lighting_report(demo_document) -> MonitoringReport:
    """The lighting sub-project registered as B-0000271-002 with report 1 for 2022: its
    lamps counted in operation and their hours (power × hours, no month grid)."""
    plan, editor, reviewer = lighting_with_people(demo_document("lighting-subproject.json"))
    plan = approved_plan(plan, editor, reviewer, approved_on=date(2020, 12, 1))
    Programme.objects.filter(pk=plan.programme_id).update(project_number="B-0000271")
    NumberingScheme.objects.create(
        programme=plan.programme, pattern="{programme}-{seq:3}", next_sequence=2
    )
    plan = register_plan(plan, by=reviewer, registered_on=date(2021, 1, 1))
    report = entry.report_start(
        plan, by=editor, period_start=date(2022, 1, 1), period_end=date(2022, 12, 31)
    )
    report.groups.filter(side="baseline").update(count=990, hours=Decimal("900"))
    report.groups.filter(side="project").update(count=990, hours=Decimal("900"))
    entry.report_refresh_results(report)
    report.refresh_from_db()
    return report


def test_a_sub_projects_report_prints_its_lamps_and_hours(db, demo_document, tmp_path):
    report = _lighting_report(demo_document)
    text = _text(services.monitoring_pdf(report), tmp_path)
    assert "微型規模方案型抵換專案-子專案監測報告書" in text
    assert "專案編號B-0000271-002" in text
    assert "方案型抵換專案計畫書名稱臺南市設備汰舊換新計畫-換裝高效率設備" in text
    assert "監測期間運轉中之第i類設備數量990具" in text
    assert "900小時" in text and "逐月" not in text
    for side in ("baseline", "project"):
        assert thousands(report.results[side]["energy_kwh"]) + "kWh" in text
    assert "臺南市低碳城市自治條例" in text  # the plan's checklist, confirmed again
    assert f"本期預估減量{report.results['ex_ante_tco2e']}tCO2e" in text


# -- downloads -------------------------------------------------------------------------


def test_the_applicant_downloads_the_current_draft(client, people, report):
    client.force_login(people.viewer)
    response = client.get(reverse("reports:monitoring_pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "draft" in response["Content-Disposition"]


def test_a_submitted_report_downloads_as_its_frozen_version(client, people, submitted):
    for user in (people.editor, people.verifier, people.reviewer, people.admin):
        client.force_login(user)
        response = client.get(reverse("reports:monitoring_pdf", args=[submitted.pk]))
        assert response.status_code == 200, user
        assert f"monitoring-{submitted.pk}-v1.pdf" in response["Content-Disposition"]
        url = reverse("reports:monitoring_version_pdf", args=[submitted.pk, 1])
        assert client.get(url).status_code == 200


def test_a_draft_that_cannot_be_computed_sends_back_to_the_report(client, people, report):
    MonitoringGroupPeriod.objects.filter(group__report=report).delete()
    client.force_login(people.editor)
    response = client.get(reverse("reports:monitoring_pdf", args=[report.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:monitoring_report", args=[report.pk])


def test_anonymous_users_are_sent_to_sign_in(client, submitted):
    for url in (
        reverse("reports:monitoring_pdf", args=[submitted.pk]),
        reverse("reports:monitoring_version_pdf", args=[submitted.pk, 1]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_outsiders_get_404(client, people, submitted):
    other_body = Organisation.objects.create(name="其他查驗機構", kind=Organisation.Kind.VERIFIER)
    other_verifier = UserFactory(username="other-verifier")
    MembershipFactory(user=other_verifier, organisation=other_body, role=Membership.Role.VERIFIER)
    for user in (people.outsider, other_verifier):
        client.force_login(user)
        for url in (
            reverse("reports:monitoring_pdf", args=[submitted.pk]),
            reverse("reports:monitoring_version_pdf", args=[submitted.pk, 1]),
            reverse("reports:monitoring_version_pdf", args=[submitted.pk, 2]),
        ):
            assert client.get(url).status_code == 404, (user, url)


def test_a_draft_is_not_shown_to_the_verifier_or_the_authority(client, people, report):
    for user in (people.verifier, people.reviewer, people.outsider):
        client.force_login(user)
        assert client.get(reverse("reports:monitoring_pdf", args=[report.pk])).status_code == 404


def test_sample_pdf_for_looking_at(people, submitted):
    """Writes the sample to $MONITORING_PDF_SAMPLE when set (for looking at it)."""
    import os

    target = os.environ.get("MONITORING_PDF_SAMPLE")
    if not target:
        pytest.skip("MONITORING_PDF_SAMPLE not set")
    Path(target).write_bytes(services.monitoring_pdf(submitted, submitted.current_version))
    Path(target).with_suffix(".draft.pdf").write_bytes(services.monitoring_pdf(submitted))


def test_lighting_sample_pdf_for_looking_at(db, demo_document, settings, tmp_path):
    import os

    target = os.environ.get("MONITORING_PDF_SAMPLE")
    if not target:
        pytest.skip("MONITORING_PDF_SAMPLE not set")
    settings.MEDIA_ROOT = tmp_path
    report = _lighting_report(demo_document)
    Path(target).with_suffix(".lighting.pdf").write_bytes(services.monitoring_pdf(report))
