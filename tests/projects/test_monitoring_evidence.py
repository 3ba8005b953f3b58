"""A monitoring report's record holds: each submitted version lists the evidence it
was submitted with by SHA-256, those files are never deleted by a later draft, a
version's PDF lists its own evidence, and an approved report's PDF is stored once
and served as stored."""

import hashlib
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from projects.monitoring import entry, verification
from projects.monitoring.models import MonitoringAttachment, MonitoringReport
from reports import services
from reports.models import MonitoringVersionPdf
from tests.projects.monitoring_helpers import registered_chiller
from tests.projects.verification_helpers import fresh, measure, verified_report

pytestmark = pytest.mark.django_db
Status = MonitoringReport.Status
METER = b"%PDF-1.4 meter readings 2022"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(demo_document):
    return registered_chiller(demo_document("chiller-individual.json"))


def _evidence(report, user, content=METER, name="meter-2022.pdf", description="電錶月報"):
    return entry.attachment_add(
        report=report,
        user=user,
        label=entry.next_attachment_label(report),
        description=description,
        file=SimpleUploadedFile(name, content, content_type="application/pdf"),
    )


@pytest.fixture
def submitted(people):
    """Report 1 for 2022 with one piece of evidence, submitted and then sent back by
    the verifier, so that the applicant edits a draft again."""
    report = entry.report_start(
        people.plan, by=people.editor, period_start=date(2022, 1, 1), period_end=date(2022, 12, 31)
    )
    measure(report, people.editor)
    _evidence(fresh(report), people.editor)
    report = entry.report_submit(fresh(report), by=people.editor, verification_body=people.body)
    verification.report_transition(
        report=report, user=people.verifier, name="return_to_applicant", comment="請補電費單。"
    )
    return fresh(report)


def test_an_upload_is_fingerprinted_when_stored(people, submitted):
    attachment = submitted.attachments.get()
    assert attachment.sha256 == hashlib.sha256(METER).hexdigest()
    assert attachment.size == len(METER)


def test_a_submitted_version_lists_its_evidence_by_fingerprint(submitted):
    attachment = submitted.attachments.get()
    assert submitted.current_version.evidence == [
        {
            "id": attachment.pk,
            "label": attachment.label,
            "description": "電錶月報",
            "filename": "meter-2022.pdf",
            "size": len(METER),
            "sha256": hashlib.sha256(METER).hexdigest(),
        }
    ]


def test_evidence_a_version_lists_is_withdrawn_from_the_draft_not_deleted(people, submitted):
    assert submitted.status == Status.CHANGES_REQUESTED
    attachment = submitted.attachments.get()
    entry.attachment_delete(report=submitted, user=people.editor, attachment=attachment)
    attachment.refresh_from_db()
    assert attachment.withdrawn_at is not None
    assert attachment.file.storage.exists(attachment.file.name)
    assert not submitted.attachments.current().exists()
    # Resubmitted: the new version no longer lists it; the first still does.
    report = entry.report_submit(fresh(submitted), by=people.editor, verification_body=people.body)
    assert report.current_version.evidence == []
    assert [e["id"] for e in report.versions.get(number=1).evidence] == [attachment.pk]


def test_evidence_no_version_lists_is_deleted_with_its_file(
    people, submitted, django_capture_on_commit_callbacks
):
    added = _evidence(submitted, people.editor, content=b"%PDF-1.4 bill", name="bill.pdf")
    name, storage = added.file.name, added.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        entry.attachment_delete(report=submitted, user=people.editor, attachment=added)
    assert not MonitoringAttachment.objects.filter(pk=added.pk).exists()
    assert not storage.exists(name)


def test_a_versions_pdf_lists_the_evidence_it_was_submitted_with(people, submitted):
    first = submitted.current_version
    entry.attachment_delete(
        report=submitted, user=people.editor, attachment=submitted.attachments.get()
    )
    _evidence(submitted, people.editor, content=b"%PDF-1.4 bill", name="bill.pdf")
    old = services.monitoring_source(fresh(submitted), first).evidence
    assert [(e.filename, e.sha256) for e in old] == [
        ("meter-2022.pdf", hashlib.sha256(METER).hexdigest())
    ]
    draft = services.monitoring_source(fresh(submitted)).evidence
    assert [e.filename for e in draft] == ["bill.pdf"]


def test_the_attachments_page_keeps_withdrawn_evidence_downloadable(people, submitted):
    attachment = submitted.attachments.get()
    entry.attachment_delete(report=submitted, user=people.editor, attachment=attachment)
    client = Client()
    client.force_login(people.editor)
    page = client.get(reverse("projects:monitoring_attachments", args=[submitted.pk]))
    assert page.context["attachments"].count() == 0
    assert list(page.context["withdrawn"]) == [attachment]
    assert "已自草稿移除的佐證" in page.content.decode()
    download = client.get(
        reverse("projects:monitoring_attachment_download", args=[submitted.pk, attachment.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == METER


def test_an_approved_reports_pdf_is_stored_once_and_served_as_stored(
    people, django_capture_on_commit_callbacks
):
    report = verified_report(people)
    with django_capture_on_commit_callbacks(execute=True):
        verification.report_transition(report=fresh(report), user=people.reviewer, name="approve")
    stored = MonitoringVersionPdf.objects.get()
    assert stored.version == fresh(report).current_version
    # Served from storage: the stored bytes, not a new rendering.
    stored.file.storage.delete(stored.file.name)
    stored.file.storage.save(stored.file.name, ContentFile(b"%PDF-1.4 as approved"))
    client = Client()
    client.force_login(people.editor)
    for url in (
        reverse("reports:monitoring_pdf", args=[report.pk]),
        reverse("reports:monitoring_version_pdf", args=[report.pk, 1]),
    ):
        assert client.get(url).content == b"%PDF-1.4 as approved"


def test_a_version_that_was_not_approved_is_never_stored(people, submitted):
    services.monitoring_version_pdf(submitted.current_version)
    assert not MonitoringVersionPdf.objects.exists()


def test_the_migration_fingerprints_stored_files_and_lists_them_in_earlier_versions(submitted):
    from importlib import import_module

    from django.apps import apps

    from projects.monitoring.models import MonitoringReportVersion

    migration = import_module("projects.migrations.0019_monitoring_evidence_frozen")
    attachment = submitted.attachments.get()
    MonitoringAttachment.objects.filter(pk=attachment.pk).update(sha256="", size=None)
    MonitoringReportVersion.objects.filter(pk=submitted.current_version_id).update(evidence=[])
    migration.fingerprint_and_list(apps, None)
    attachment.refresh_from_db()
    assert attachment.sha256 == hashlib.sha256(METER).hexdigest()
    version = MonitoringReportVersion.objects.get(pk=submitted.current_version_id)
    assert version.evidence == [attachment.manifest()]
