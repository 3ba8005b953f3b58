"""Give every existing version the reference snapshot that new versions get at submission.

The figures a version was submitted with are not known any more; today's tables are the
best record there is, and from now on the version keeps them whatever the tables become.
"""

from django.db import migrations


def fill_reference(apps, schema_editor):
    from methodologies.reference import reference_snapshot

    PlanVersion = apps.get_model("projects", "PlanVersion")
    pending = PlanVersion.objects.filter(reference={}).only("pk", "document")
    for version in pending.iterator(chunk_size=200):
        snapshot = reference_snapshot(version.document, apps=apps)
        PlanVersion.objects.filter(pk=version.pk).update(reference=snapshot)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_record_integrity"),
        ("methodologies", "0002_seed_reference_data"),
    ]

    operations = [migrations.RunPython(fill_reference, migrations.RunPython.noop)]
