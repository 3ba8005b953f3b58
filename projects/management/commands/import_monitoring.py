from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from methodologies.engine import DocumentErrors
from projects.management.commands._documents import exit_with_errors, read_document_file
from projects.monitoring.entry import report_import
from projects.monitoring.services import MonitoringError


class Command(BaseCommand):
    help = (
        "Import an offset-monitoring/1 JSON document as a new monitoring report of the "
        "registered plan its plan.number names (all of it or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON document")
        parser.add_argument(
            "--user",
            required=True,
            help="username of an editor of the plan's organisation, recorded as its author",
        )

    def handle(self, *args, file, user, **options):
        try:
            author = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"no user named {user!r}") from error
        try:
            report = report_import(document=read_document_file(file), by=author)
        except DocumentErrors as errors:
            exit_with_errors(errors)
        except MonitoringError as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            f"imported monitoring report {report.pk}: {report.plan.project_number} #{report.number}"
        )
