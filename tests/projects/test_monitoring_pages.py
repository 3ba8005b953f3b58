"""The applicant's monitoring report pages: starting a report from a registered plan,
entering what was measured (the pasted month grid), the figures beside the plan's
estimate, import/export of offset-monitoring/1, evidence, and submission."""

import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from methodologies.engine import loads
from projects.interchange import decimal_text
from projects.monitoring import entry
from projects.monitoring.editor import ReportEditor
from projects.monitoring.models import MonitoringAttachment, MonitoringReport
from projects.monitoring.services import report_document
from tests.projects.formdata import editor_data
from tests.projects.monitoring_helpers import registered_chiller

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MONTHLY_KWH = "11000"  # each of the two project chillers, each month


@pytest.fixture
def people(demo_document):
    """The chiller plan registered on 2021-01-01: crediting period 2021-01-01 – 2030-12-31."""
    return registered_chiller(demo_document("chiller-individual.json"))


@pytest.fixture
def report(people):
    return entry.report_start(
        people.plan, by=people.editor, period_start=date(2022, 1, 1), period_end=date(2022, 12, 31)
    )


def measured(report, *, baseline_hours="4000", explanation=None, **changes) -> dict:
    """The editor's data as rendered, with the baseline chillers' hours and 12 months of
    metered kWh pasted into each project chiller's grid (months come with the grid)."""
    data = editor_data(ReportEditor(MonitoringReport.objects.get(pk=report.pk)))
    data["baseline-groups-0-hours"] = baseline_hours
    for group in (0, 1):
        for month in range(12):
            assert data[f"project-groups-{group}-month_{month}"] == f"2022-{month + 1:02d}"
            data[f"project-groups-{group}-energy_{month}"] = MONTHLY_KWH
    if explanation is not None:
        data["report-explanation"] = explanation
    data.update(changes)
    return data


def save(client, report, data):
    return client.post(reverse("projects:monitoring_edit", args=[report.pk]), data)


# -- starting a report ---------------------------------------------------------------


def test_an_editor_starts_report_1_from_the_registered_plans_page_with_roc_dates(client, people):
    client.force_login(people.editor)
    page = client.get(people.plan.get_absolute_url())
    assert reverse("projects:monitoring_create", args=[people.plan.pk]) in page.text
    response = client.post(
        reverse("projects:monitoring_create", args=[people.plan.pk]),
        {"period_start": "111/01/01", "period_end": "2022-12-31"},
    )
    report = MonitoringReport.objects.get(plan=people.plan)
    assert response.url == reverse("projects:monitoring_edit", args=[report.pk])
    assert (report.number, report.period_start, report.period_end) == (
        1,
        date(2022, 1, 1),
        date(2022, 12, 31),
    )
    assert report.status == MonitoringReport.Status.DRAFT
    # Prefilled from the registered plan's groups: the applicant edits rather than types.
    groups = [(g.side, g.shape, g.name, g.count) for g in report.groups.order_by("side", "order")]
    assert groups == [
        ("baseline", "chiller", "日立螺旋式冰水主機 200RT (定頻)", 2),
        ("project", "periods", "Trane 變頻螺旋式冰水主機 200RT (n1)", 1),
        ("project", "periods", "Trane 變頻螺旋式冰水主機 200RT (n2)", 1),
    ]
    listing = client.get(people.plan.get_absolute_url()).text
    assert "第 1 號" in listing and "111年1月1日 ~ 111年12月31日" in listing


def test_the_second_report_is_numbered_2(client, people, report):
    client.force_login(people.editor)
    client.post(
        reverse("projects:monitoring_create", args=[people.plan.pk]),
        {"period_start": "2023-01-01", "period_end": "2023-06-30"},
    )
    assert list(people.plan.monitoring_reports.values_list("number", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2020-01-01", "2020-12-31", "period_start", "須在註冊計入期"),
        ("2022-07-01", "2023-06-30", "period_end", "同一日曆年"),
        ("2022-06-01", "2022-08-31", "period_start", "與第 1 號監測報告書"),
    ],
    ids=["outside-crediting-period", "two-calendar-years", "overlapping"],
)
def test_a_refused_period_is_said_at_its_field_and_the_dates_are_kept(
    client, people, report, start, end, field, message
):
    client.force_login(people.editor)
    response = client.post(
        reverse("projects:monitoring_create", args=[people.plan.pk]),
        {"period_start": start, "period_end": end},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert f'value="{start}"' in response.text and f'value="{end}"' in response.text
    assert people.plan.monitoring_reports.count() == 1


# -- entering what was measured ---------------------------------------------------------


def test_pasted_monthly_readings_are_saved_and_the_figures_computed(client, people, report):
    client.force_login(people.editor)
    response = save(client, report, measured(report))
    assert response.status_code == 302
    report.refresh_from_db()
    months = report.groups.get(side="project", order=0).periods.order_by("month")
    assert [(p.month, decimal_text(p.energy_kwh)) for p in months][:2] == [
        ("2022-01", MONTHLY_KWH),
        ("2022-02", MONTHLY_KWH),
    ]
    assert months.count() == 12
    # 2 × 177.2 RT × 0.8313 kW/RT × 4,000 h = 1,178,450.88 kWh; 24 × 11,000 = 264,000 kWh;
    # EF 2022 0.495: BE 583.333, PE 130.680, ER 452.
    results = report.results
    assert results["baseline"]["energy_kwh"] == "1178450.880"
    assert results["project"]["energy_kwh"] == "264000.000"
    assert results["reduction_tco2e"] == "452"
    assert results["ex_ante_tco2e"] == "461"


def test_hours_above_the_periods_hours_are_refused_at_the_field_and_kept(client, people, report):
    client.force_login(people.editor)
    response = save(client, report, measured(report, baseline_hours="8761"))
    assert response.status_code == 400
    form = response.context["editor"].formsets["baseline_groups"].forms[0]
    assert "8,760" in form.errors["hours"][0]
    assert 'value="8761"' in response.text
    report.refresh_from_db()
    assert report.groups.get(side="baseline").hours is None


def test_a_month_outside_the_period_is_refused_at_its_cell(client, people, report):
    client.force_login(people.editor)
    data = measured(report, **{"project-groups-0-month_11": "2023-01"})
    response = save(client, report, data)
    assert response.status_code == 400
    form = response.context["editor"].formsets["project_groups"].forms[0]
    assert "2023-01 不在監測期間" in form.errors["month_11"][0]
    assert 'value="2023-01"' in response.text
    assert not report.groups.get(side="project", order=0).periods.exists()


def test_a_save_from_a_stale_page_is_refused_with_409_and_the_values_kept(client, people, report):
    client.force_login(people.editor)
    stale = measured(report)
    assert save(client, report, measured(report, baseline_hours="3000")).status_code == 302
    stale["baseline-groups-0-hours"] = "3500"
    response = save(client, report, stale)
    assert response.status_code == 409
    assert 'value="3500"' in response.text
    assert 'data-role="save-conflicts"' in response.text
    assert decimal_text(report.groups.get(side="baseline").hours) == "3000"


def test_the_preview_computes_the_unsaved_values_and_saves_nothing(client, people, report):
    client.force_login(people.editor)
    response = client.post(
        reverse("projects:monitoring_preview", args=[report.pk]), measured(report)
    )
    assert response.status_code == 200
    assert 'data-figure="reduction">452<' in response.text
    report.refresh_from_db()
    assert report.results is None
    assert report.groups.get(side="baseline").hours is None


def test_the_page_shows_the_figures_beside_the_plans_estimate_for_the_period(
    client, people, report
):
    client.force_login(people.editor)
    save(client, report, measured(report))
    page = client.get(reverse("projects:monitoring_report", args=[report.pk])).text
    # The registered plan's annual figures × 1 year: BE 825.246, PE 363.747, ER 461.
    assert 'data-figure="ex-ante-baseline">825.246<' in page
    assert 'data-figure="ex-ante-project">363.747<' in page
    assert 'data-figure="ex-ante">461<' in page
    assert 'data-figure="baseline-emissions">583.333<' in page
    assert 'data-figure="reduction">452<' in page


def test_the_plans_estimate_is_pro_rata_for_a_part_year(people):
    report = entry.report_start(
        people.plan, by=people.editor, period_start=date(2021, 4, 1), period_end=date(2021, 12, 31)
    )
    figures = entry.ex_ante(report)
    # 275/365 of a year: 825.246 × 275/365 = 621.760; 461 × 275/365 = 347.3 -> 347.
    assert figures["period_years"] == "0.7534"
    assert figures["baseline_emissions_tco2e"] == "621.761"
    assert figures["reduction_tco2e"] == "347"


def test_a_reduction_above_the_estimate_needs_an_explanation_before_submission(
    client, people, report
):
    client.force_login(people.editor)
    save(client, report, measured(report, baseline_hours="4745"))
    report.refresh_from_db()
    assert report.results["reduction_tco2e"] == "561"
    check = {c["id"]: c["status"] for c in report.results["checks"]}
    assert check["above_estimate_explained"] == "fail"
    page = client.get(reverse("projects:monitoring_edit", args=[report.pk])).text
    assert 'data-role="explanation-needed"' in page
    submit = reverse("projects:monitoring_submit", args=[report.pk])
    client.post(submit, {"verification_body": people.body.pk})
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.DRAFT
    assert "減量高於預估" in client.get(report_url(report)).text

    data = measured(
        report, baseline_hours="4745", explanation="本年度營業時間延長，主機運轉時數增加。"
    )
    assert save(client, report, data).status_code == 302
    client.post(submit, {"verification_body": people.body.pk})
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.SUBMITTED


def report_url(report):
    return reverse("projects:monitoring_report", args=[report.pk])


def test_submission_freezes_a_version_and_names_the_verification_body(client, people, report):
    client.force_login(people.editor)
    save(client, report, measured(report))
    response = client.post(
        reverse("projects:monitoring_submit", args=[report.pk]),
        {"verification_body": people.body.pk},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.SUBMITTED
    assert report.verification_body == people.body
    version = report.current_version
    assert (version.number, version.reduction_tco2e) == (1, 452)
    assert version.document == report_document(report)
    assert version.reference["emission_factors"] == [
        {"year": 2022, "value": "0.4950", "unconfirmed": False}
    ]
    assert report.events.filter(to_status="submitted").exists()
    # Frozen: no more edits by the applicant.
    assert save(client, report, measured(report, baseline_hours="3000")).status_code == 409


def test_only_a_verification_body_can_be_named(client, people, report):
    client.force_login(people.editor)
    save(client, report, measured(report))
    client.post(
        reverse("projects:monitoring_submit", args=[report.pk]),
        {"verification_body": people.plan.organisation.pk},
    )
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.DRAFT


def test_a_report_whose_factor_is_not_published_stays_a_draft_and_says_so(client, people):
    report = entry.report_start(
        people.plan, by=people.editor, period_start=date(2026, 1, 1), period_end=date(2026, 6, 30)
    )
    client.force_login(people.editor)
    page = client.get(report_url(report)).text
    assert "2026 年（民國 115 年）的電力排碳係數尚未公告" in page
    assert "次年（2027 年）春季公告" in page
    assert 'data-role="submit-form"' not in page
    with pytest.raises(entry.SubmissionRefused, match="尚未公告"):
        entry.report_submit(report, by=people.editor, verification_body=people.body)
    client.post(
        reverse("projects:monitoring_submit", args=[report.pk]),
        {"verification_body": people.body.pk},
    )
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.DRAFT
    assert report.current_version is None


# -- import / export ------------------------------------------------------------------


def close_file(response) -> None:
    """A FileResponse's file, closed without closing the test's database connection."""
    if getattr(response, "streaming", False):
        # The test client closes it (keeping the connection) once it is read through.
        b"".join(response.streaming_content)


def upload(document) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "report.json", json.dumps(document).encode(), content_type="application/json"
    )


def test_export_then_import_gives_the_same_document(client, people, report):
    client.force_login(people.editor)
    save(client, report, measured(report, explanation="說明"))
    report.refresh_from_db()
    exported = client.get(reverse("projects:monitoring_export", args=[report.pk]))
    document = loads(exported.content.decode())
    assert document == report_document(report)
    assert document["format"] == "offset-monitoring/1"
    # Change it offline, import it back.
    document["monitoring"]["baseline"]["groups"][0]["hours"] = "3900"
    response = client.post(
        reverse("projects:monitoring_replace", args=[report.pk]), {"document": upload(document)}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report_document(report) == document
    assert report.results["baseline"]["energy_kwh"] == "1148989.608"


def test_an_imported_document_with_errors_is_refused_with_each_path(client, people, report):
    client.force_login(people.editor)
    document = report_document(report)
    document["monitoring"]["number"] = 7
    document["monitoring"]["baseline"]["groups"][0]["hours"] = "9000"
    document["monitoring"]["project"]["groups"][0]["periods"] = [
        {"period": "2023-02", "energy_kwh": "10"}
    ]
    response = client.post(
        reverse("projects:monitoring_replace", args=[report.pk]), {"document": upload(document)}
    )
    assert response.status_code == 400
    errors = "\n".join(response.context["errors"])
    assert "monitoring.baseline.groups[0].hours" in errors
    assert "monitoring.project.groups[0].periods[0].period" in errors
    before = report.revision
    report.refresh_from_db()
    assert report.revision == before and report.groups.get(side="baseline").hours is None


def test_an_imported_document_may_not_take_another_reports_period(client, people, report):
    other = entry.report_start(
        people.plan, by=people.editor, period_start=date(2023, 1, 1), period_end=date(2023, 12, 31)
    )
    client.force_login(people.editor)
    save(client, report, measured(report))
    document = report_document(MonitoringReport.objects.get(pk=report.pk))
    document["monitoring"]["number"] = 2
    document["monitoring"]["period"] = {"start": "2022-03-01", "end": "2022-05-31"}
    document["monitoring"]["baseline"]["groups"][0]["hours"] = "1000"
    for group in document["monitoring"]["project"]["groups"]:
        group["periods"] = group["periods"][2:5]
    response = client.post(
        reverse("projects:monitoring_replace", args=[other.pk]), {"document": upload(document)}
    )
    assert response.status_code == 400
    assert any("monitoring.period.start" in error for error in response.context["errors"]), (
        response.context["errors"]
    )


def test_the_commands_export_and_import_a_report(people, report, tmp_path, client):
    client.force_login(people.editor)
    save(client, report, measured(report))
    out = io.StringIO()
    call_command("export_monitoring", str(report.pk), stdout=out)
    document = loads(out.getvalue())
    assert document == report_document(MonitoringReport.objects.get(pk=report.pk))
    document["monitoring"]["number"] = 2
    document["monitoring"]["period"] = {"start": "2023-01-01", "end": "2023-12-31"}
    document["monitoring"]["emission_factor"] = {"year": 2023}
    for group in document["monitoring"]["project"]["groups"]:
        for period in group["periods"]:
            period["period"] = period["period"].replace("2022", "2023")
    path = tmp_path / "report.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    call_command("import_monitoring", str(path), "--user", people.editor.username, stdout=out)
    second = people.plan.monitoring_reports.get(number=2)
    assert report_document(second) == document
    assert second.results["reduction_tco2e"] == "451"  # EF 2023 0.494


# -- evidence -------------------------------------------------------------------------


def test_evidence_is_uploaded_checked_by_content_and_deleted(
    client, people, report, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people.editor)
    url = reverse("projects:monitoring_attachments", args=[report.pk])
    fake = SimpleUploadedFile("meter.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(url, {"label": "佐證一", "description": "電錶讀數", "file": fake})
    assert response.status_code == 400
    assert "僅接受 PDF、JPEG、PNG 或 XLSX" in response.text
    assert 'value="電錶讀數"' in response.text
    photo = SimpleUploadedFile("meter.png", PNG, content_type="image/png")
    assert (
        client.post(url, {"label": "佐證一", "description": "電錶讀數", "file": photo}).status_code
        == 302
    )
    attachment = report.attachments.get()
    assert attachment.uploaded_by == people.editor
    download = client.get(
        reverse("projects:monitoring_attachment_download", args=[report.pk, attachment.pk])
    )
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    close_file(download)
    client.post(reverse("projects:monitoring_attachment_delete", args=[report.pk, attachment.pk]))
    assert not MonitoringAttachment.objects.filter(pk=attachment.pk).exists()


# -- who may do what --------------------------------------------------------------------

ROLES = ["anonymous", "outsider", "viewer", "reviewer", "verifier", "admin", "editor"]
# view name -> (method, roles who get through on a draft)
READERS = {"viewer", "admin", "editor"}
DRAFT_MATRIX = [
    ("monitoring_create", "get", {"editor"}),
    ("monitoring_create", "post", {"editor"}),
    ("monitoring_report", "get", READERS),
    ("monitoring_period", "post", {"editor"}),
    ("monitoring_edit", "get", READERS),
    ("monitoring_edit", "post", {"editor"}),
    ("monitoring_preview", "post", {"editor"}),
    ("monitoring_attachments", "get", READERS),
    ("monitoring_attachments", "post", {"editor"}),
    ("monitoring_attachment_download", "get", READERS),
    ("monitoring_attachment_delete", "post", {"editor"}),
    ("monitoring_export", "get", READERS),
    ("monitoring_replace", "get", {"editor"}),
    ("monitoring_replace", "post", {"editor"}),
    ("monitoring_submit", "post", {"editor"}),
]


def _url(name, people, report, attachment):
    if name == "monitoring_create":
        return reverse(f"projects:{name}", args=[people.plan.pk])
    if name.startswith("monitoring_attachment_"):
        return reverse(f"projects:{name}", args=[report.pk, attachment.pk])
    return reverse(f"projects:{name}", args=[report.pk])


@pytest.mark.parametrize(("name", "method", "allowed"), DRAFT_MATRIX)
def test_permission_matrix_on_a_draft(
    client, people, report, settings, tmp_path, name, method, allowed
):
    settings.MEDIA_ROOT = tmp_path
    attachment = entry.attachment_add(
        report=report,
        user=people.editor,
        label="佐證一",
        description="電錶讀數",
        file=SimpleUploadedFile("meter.png", PNG, content_type="image/png"),
    )
    url = _url(name, people, report, attachment)
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(people, role))
        response = getattr(client, method)(url, {})
        close_file(response)
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response.url, role
        elif role in allowed:
            assert response.status_code != 404, role
        else:
            assert response.status_code == 404, (role, response.status_code)


@pytest.mark.parametrize(
    ("name", "method", "allowed"),
    [
        ("monitoring_report", "get", {"viewer", "reviewer", "verifier", "admin", "editor"}),
        ("monitoring_edit", "get", {"viewer", "reviewer", "verifier", "admin", "editor"}),
        ("monitoring_export", "get", {"viewer", "reviewer", "verifier", "admin", "editor"}),
        ("monitoring_edit", "post", {"editor"}),  # the editor is told it is frozen (409)
        ("monitoring_period", "post", {"editor"}),  # likewise
        ("monitoring_preview", "post", set()),
        ("monitoring_replace", "post", set()),
        ("monitoring_submit", "post", set()),
    ],
)
def test_permission_matrix_once_submitted(client, people, report, name, method, allowed):
    client.force_login(people.editor)
    save(client, report, measured(report))
    entry.report_submit(
        MonitoringReport.objects.get(pk=report.pk), by=people.editor, verification_body=people.body
    )
    url = reverse(f"projects:{name}", args=[report.pk])
    for role in ROLES[1:]:
        client.force_login(getattr(people, role))
        response = getattr(client, method)(url, {})
        if role in allowed:
            assert response.status_code != 404, role
        else:
            assert response.status_code == 404, (role, response.status_code)


def test_the_applicants_dashboard_links_the_open_reports(client, people, report):
    client.force_login(people.editor)
    page = client.get(reverse("projects:plan_list")).text
    assert 'data-role="my-monitoring-reports"' in page
    assert report_url(report) in page
    client.force_login(people.outsider)
    assert report_url(report) not in client.get(reverse("projects:plan_list")).text
