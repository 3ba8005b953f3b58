"""Whole programmes exported as one ZIP in the background."""

import io
import socket
import time
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from config.celery import app as celery_app
from methodologies.reference import reference_snapshot
from projects.models import Organisation, Plan, PlanVersion, Programme
from projects.services import plan_import
from reports.models import ProgrammeExport, VersionPdf
from reports.rendering import render_plan_pdf
from reports.services import programme_export_run
from tests.projects.factories import OrganisationFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
REDIS = ("127.0.0.1", 6379)


def redis_runs() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture
def programme_of_50(reference_data, demo_document, settings, tmp_path):
    """50 approved sub-projects; 48 already have their stored PDF, 2 render."""
    settings.MEDIA_ROOT = tmp_path
    document = demo_document("lighting-subproject.json")
    first = plan_import(document=document, create_programmes=True)
    programme = first.programme
    submitter = UserFactory()
    results = first.results
    reference = reference_snapshot(document)
    pdf = render_plan_pdf(document=document, results=results, reference=reference, draft=False)
    organisation = OrganisationFactory()
    plans = Plan.objects.bulk_create(
        Plan(
            organisation=organisation,
            programme=programme,
            type=Plan.Type.SUB_PROJECT,
            title=f"子專案 {i}",
            number=f"B-0000271-{i:03d}",
            status=Plan.Status.APPROVED,
        )
        for i in range(50)
    )
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(
            plan=plan,
            number=1,
            document=document,
            results=results,
            reference=reference,
            annual_reduction_tco2e=4,
            total_reduction_tco2e=40,
            created_by=submitter,
        )
        for plan in plans
    )
    for plan, version in zip(plans, versions, strict=True):
        plan.current_version = version
    Plan.objects.bulk_update(plans, ["current_version"])
    for version in versions[2:]:
        VersionPdf.objects.create(version=version, file=ContentFile(pdf, name="plan.pdf"))
    return programme


def wait_for(export_id, client, timeout=120):
    """Poll as the page does, checking the site answers meanwhile."""
    url = reverse(
        "reports:programme_exports", args=[ProgrammeExport.objects.get(pk=export_id).programme_id]
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert client.get(reverse("projects:plan_list")).status_code == 200
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
        export = ProgrammeExport.objects.get(pk=export_id)
        if export.status in (ProgrammeExport.Status.DONE, ProgrammeExport.Status.FAILED):
            return export
        time.sleep(0.2)
    raise AssertionError("the export did not finish in time")


def start_export(client, programme):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(reverse("reports:programme_exports", args=[programme.pk]))
    assert response.status_code == 302
    return ProgrammeExport.objects.get()


def assert_zip_of_50(export):
    assert export.status == ProgrammeExport.Status.DONE, export.error
    assert (export.done, export.total) == (50, 50)
    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    names = archive.namelist()
    assert len(names) == 50
    first = Plan.objects.get(number="B-0000271-000")
    assert names[0] == f"plan-{first.pk}-v1.pdf"
    assert all(archive.read(name).startswith(b"%PDF") for name in names)
    # The two that had none now keep their rendered PDF.
    assert VersionPdf.objects.count() == 50


def test_a_programme_zip_is_produced_in_a_background_thread(client, programme_of_50, settings):
    settings.CELERY_BROKER_URL = ""
    export = start_export(client, programme_of_50)
    assert_zip_of_50(wait_for(export.pk, client))
    download = client.get(reverse("reports:export_download", args=[export.pk]))
    assert download["Content-Type"] == "application/zip"
    download.close()


@pytest.mark.skipif(not redis_runs(), reason="no Redis on 127.0.0.1:6379")
def test_a_programme_zip_is_produced_by_a_celery_worker_over_redis(
    client, programme_of_50, settings
):
    from celery.contrib.testing.worker import start_worker

    broker = "redis://127.0.0.1:6379/15"
    settings.CELERY_BROKER_URL = broker
    celery_app.conf.broker_url = broker
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            export = start_export(client, programme_of_50)
            assert_zip_of_50(wait_for(export.pk, client))
    finally:
        celery_app.conf.broker_url = None


@pytest.mark.parametrize("who", ["anonymous", "reviewer", "applicant"])
def test_only_administrators_export_programmes(client, who, reference_data):
    authority = Organisation.objects.create(name="機關", kind=Organisation.Kind.AUTHORITY)
    programme = Programme.objects.create(authority=authority, title="方案", version="1")
    if who != "anonymous":
        client.force_login(UserFactory())
    response = client.post(reverse("reports:programme_exports", args=[programme.pk]))
    assert response.status_code in (302, 404)
    assert not ProgrammeExport.objects.exists()


def test_zip_entries_are_named_by_plan_id_and_version_never_by_the_typed_number(
    reference_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    authority = Organisation.objects.create(name="機關", kind=Organisation.Kind.AUTHORITY)
    programme = Programme.objects.create(authority=authority, title="方案", version="1")
    organisation = OrganisationFactory()
    submitter = UserFactory()
    plans = []
    for number, content in [("../../evil", b"%PDF-first"), ("../../evil", b"%PDF-second")]:
        plan = Plan.objects.create(
            organisation=organisation,
            programme=programme,
            type=Plan.Type.SUB_PROJECT,
            title="子專案",
            number=number,
            status=Plan.Status.APPROVED,
        )
        version = PlanVersion.objects.create(
            plan=plan,
            number=2,
            document={},
            results={},
            annual_reduction_tco2e=1,
            total_reduction_tco2e=1,
            created_by=submitter,
        )
        Plan.objects.filter(pk=plan.pk).update(current_version=version)
        VersionPdf.objects.create(version=version, file=ContentFile(content, name="plan.pdf"))
        plans.append(plan)
    export = ProgrammeExport.objects.create(programme=programme, requested_by=submitter)

    programme_export_run(export.pk)

    export.refresh_from_db()
    assert export.status == ProgrammeExport.Status.DONE, export.error
    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert sorted(archive.namelist()) == sorted(f"plan-{plan.pk}-v2.pdf" for plan in plans)
    assert {archive.read(f"plan-{plan.pk}-v2.pdf") for plan in plans} == {
        b"%PDF-first",
        b"%PDF-second",
    }


def test_the_exports_page_shows_progress_without_a_style_attribute(client):
    """The content security policy refuses style attributes: an export's progress
    is a native <progress> whose value the page states, not a bar sized by style."""
    programme = ProgrammeFactory()
    admin = UserFactory(is_superuser=True, is_staff=True)
    ProgrammeExport.objects.create(
        programme=programme, requested_by=admin, status="running", done=1, total=3
    )
    client.force_login(admin)

    page = client.get(reverse("reports:programme_exports", args=[programme.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "style=" not in html
    assert '<progress class="export-progress export-running" value="33" max="100"' in html
    assert "1/3" in html
