from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a folder written by `manage.py backup`: the database is replaced by the "
        "backup's (every table dropped and recreated) and each stored file is written back."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="replace the database without asking"
        )

    def handle(self, *args, source, yes, **options):
        if not yes:
            answer = input("This replaces the whole database with the backup's. Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("nothing restored")
        try:
            summary = restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"restored the database and {summary.files} files ({summary.bytes} bytes) from {source}"
        )
