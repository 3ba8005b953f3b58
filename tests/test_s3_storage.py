"""With STORAGE_BACKEND=s3 every stored file (attachments, figures, approved PDFs,
export ZIPs) lives in the S3-compatible bucket: uploaded and downloaded through the
same views, nothing on the local disk. Tested against moto's S3 server."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.settings import s3_storage
from projects.models import Attachment, Membership, Organisation, Plan
from projects.services import plan_import
from projects.workflow import plan_transition
from reports.models import VersionPdf
from tests import s3
from tests.projects.factories import MembershipFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="session")
def moto_endpoint():
    pytest.importorskip("moto.server", reason="moto[server] is not installed")
    with s3.moto_server() as endpoint_url:
        yield endpoint_url


@pytest.fixture
def bucket(settings, moto_endpoint, tmp_path):
    """The default storage in the moto bucket (configured as the settings do from the
    environment); MEDIA_ROOT an empty folder that must stay empty."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(s3.s3_environment(moto_endpoint)),
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    api = s3.client(moto_endpoint)
    yield api
    for item in api.list_objects_v2(Bucket=s3.BUCKET).get("Contents", []):
        api.delete_object(Bucket=s3.BUCKET, Key=item["Key"])
    assert not settings.MEDIA_ROOT.exists()


def stored_keys(api) -> list[str]:
    return [item["Key"] for item in api.list_objects_v2(Bucket=s3.BUCKET).get("Contents", [])]


def test_the_default_storage_is_the_bucket(bucket):
    name = default_storage.save("probe.txt", SimpleUploadedFile("probe.txt", b"x"))
    assert stored_keys(bucket) == [name]


def test_an_attachment_is_uploaded_to_and_downloaded_from_the_bucket(client, bucket):
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    client.force_login(membership.user)
    plan = PlanFactory(organisation=membership.organisation)
    response = client.post(
        reverse("projects:attachments", args=[plan.pk]),
        {
            "label": "附件一",
            "description": "照度量測結果",
            "file": SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert stored_keys(bucket) == [attachment.file.name]
    body = bucket.get_object(Bucket=s3.BUCKET, Key=attachment.file.name)["Body"].read()
    assert body == PDF

    download = client.get(reverse("projects:attachment_download", args=[plan.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF

    client.post(reverse("projects:attachment_delete", args=[plan.pk, attachment.pk]))
    assert stored_keys(bucket) == []


def test_an_approved_pdf_is_stored_in_and_served_from_the_bucket(
    client, bucket, settings, demo_document, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = ""
    plan = plan_import(document=demo_document("chiller-individual.json"))
    authority = Organisation.objects.create(name="審查機關", kind=Organisation.Kind.AUTHORITY)
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    editor, reviewer = UserFactory(), UserFactory()
    MembershipFactory(user=editor, organisation=plan.organisation, role=Membership.Role.EDITOR)
    MembershipFactory(user=reviewer, organisation=authority, role=Membership.Role.REVIEWER)
    for user, name in [(editor, "submit"), (reviewer, "start_review"), (reviewer, "approve")]:
        with django_capture_on_commit_callbacks(execute=True):
            plan = plan_transition(plan=plan, user=user, name=name)

    stored = VersionPdf.objects.get(version=plan.current_version)
    # The demo plan's figures are in the bucket too; the PDF is the one stored file under pdf/.
    assert [key for key in stored_keys(bucket) if key.startswith("pdf/")] == [stored.file.name]
    assert all(key.startswith(("pdf/", f"plans/{plan.pk}/figures/")) for key in stored_keys(bucket))
    in_bucket = bucket.get_object(Bucket=s3.BUCKET, Key=stored.file.name)["Body"].read()
    assert in_bucket.startswith(b"%PDF")

    client.force_login(editor)
    download = client.get(
        reverse("reports:version_pdf", args=[plan.pk, plan.current_version.number])
    )
    assert download.status_code == 200
    assert download.content == in_bucket
