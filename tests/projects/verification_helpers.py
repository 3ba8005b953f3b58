"""A monitoring report of the registered chiller plan, measured and submitted to a
verification body, and the steps of its verification (for tests of verification,
review, credits and permissions)."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from projects.models import Membership, Organisation
from projects.monitoring import entry, verification
from projects.monitoring.editor import ReportEditor
from projects.monitoring.models import MonitoringReport
from tests.projects.factories import MembershipFactory, UserFactory
from tests.projects.formdata import editor_data

PDF = b"%PDF-1.4 statement"
MONTHLY_KWH = "11000"  # each of the two project chillers, each month


def measured_data(report: MonitoringReport, *, baseline_hours="4000") -> dict:
    """The editor's data as rendered, with the baseline chillers' hours and 12 months
    of metered kWh in each project chiller's grid."""
    data = editor_data(ReportEditor(MonitoringReport.objects.get(pk=report.pk)))
    data["baseline-groups-0-hours"] = baseline_hours
    for group in (0, 1):
        for month in range(12):
            data[f"project-groups-{group}-energy_{month}"] = MONTHLY_KWH
    return data


def measure(report: MonitoringReport, editor, **changes) -> None:
    client = Client()
    client.force_login(editor)
    data = measured_data(report)
    data.update(changes)
    response = client.post(reverse("projects:monitoring_edit", args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def submitted_report(people, *, year: int = 2022) -> MonitoringReport:
    """Report for `year` (whole year), measured and submitted to `people.body`."""
    report = entry.report_start(
        people.plan, by=people.editor, period_start=date(year, 1, 1), period_end=date(year, 12, 31)
    )
    measure(report, people.editor)
    return entry.report_submit(
        MonitoringReport.objects.get(pk=report.pk), by=people.editor, verification_body=people.body
    )


def statement_file(name="statement.pdf", content=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def fresh(report) -> MonitoringReport:
    return MonitoringReport.objects.get(pk=report.pk)


def verified_report(people, *, verified: int | None = None) -> MonitoringReport:
    """A submitted report verified by `people.verifier`: the claim (or `verified`)
    recorded, a statement attached, verification completed."""
    report = submitted_report(people)
    claimed = report.current_version.reduction_tco2e
    verification.record_verified_reduction(
        report, by=people.verifier, value=claimed if verified is None else verified
    )
    verification.attach_statement(fresh(report), by=people.verifier, file=statement_file())
    return verification.report_transition(
        report=fresh(report), user=people.verifier, name="complete_verification"
    )


def other_verifier():
    """A verifier of another verification body."""
    body = Organisation.objects.create(name="其他查驗機構", kind=Organisation.Kind.VERIFIER)
    user = UserFactory(username="other_verifier")
    MembershipFactory(user=user, organisation=body, role=Membership.Role.VERIFIER)
    return user


def other_reviewer():
    """A reviewer of another authority."""
    authority = Organisation.objects.create(name="其他主管機關", kind=Organisation.Kind.AUTHORITY)
    user = UserFactory(username="other_reviewer")
    MembershipFactory(user=user, organisation=authority, role=Membership.Role.REVIEWER)
    return user
