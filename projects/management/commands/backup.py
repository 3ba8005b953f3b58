from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or SQLite's online backup) and every stored file "
        "(from the storage backend, local or S3) into DEST, a new or empty folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path)

    def handle(self, *args, destination, **options):
        try:
            summary = backup(destination)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"backed up the database ({summary.engine.rsplit('.', 1)[-1]}) and "
            f"{summary.files} files ({summary.bytes} bytes) to {destination}"
        )
