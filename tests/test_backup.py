"""`manage.py backup DEST` and `manage.py restore SRC`: end to end, the database
(pg_dump/pg_restore on PostgreSQL, the online backup on SQLite) and the stored files
come back as they were after the plan, its rows and its files were lost."""

import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from projects.models import Attachment, Plan
from tests.projects.factories import PlanFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_backup_restores_the_database_and_the_stored_files(media, tmp_path):
    plan = PlanFactory(title="備份的計畫")
    attachment = Attachment.objects.create(
        plan=plan, label="附件一", file=ContentFile(PDF, name="measurements.pdf")
    )
    UserFactory(username="kept")
    out = StringIO()
    call_command("backup", str(tmp_path / "backup"), stdout=out)
    assert "1 files" in out.getvalue()
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert [item["name"] for item in manifest["files"]] == [attachment.file.name]

    # Lost: the file, the plan (with its attachment row) and a user; and a later row.
    attachment.file.storage.delete(attachment.file.name)
    plan.delete()
    PlanFactory(title="備份之後的計畫")

    call_command("restore", str(tmp_path / "backup"), "--yes", stdout=StringIO())

    assert list(Plan.objects.values_list("title", flat=True)) == ["備份的計畫"]
    restored = Attachment.objects.get()
    assert restored.file.name == attachment.file.name
    with restored.file.open("rb") as handle:
        assert handle.read() == PDF
    assert UserFactory._meta.model.objects.filter(username="kept").exists()


def test_a_backup_is_never_written_over_another(media, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "backup"), stdout=StringIO())


def test_a_restore_with_a_missing_file_changes_nothing(media, tmp_path):
    plan = PlanFactory(title="備份的計畫")
    Attachment.objects.create(plan=plan, label="附件一", file=ContentFile(PDF, name="a.pdf"))
    call_command("backup", str(tmp_path / "backup"), stdout=StringIO())
    for path in (tmp_path / "backup" / "files").rglob("*.pdf"):
        path.unlink()
    PlanFactory(title="之後的計畫")
    with pytest.raises(CommandError, match="missing or truncated"):
        call_command("restore", str(tmp_path / "backup"), "--yes", stdout=StringIO())
    assert Plan.objects.count() == 2
