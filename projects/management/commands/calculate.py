from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from methodologies.engine import DocumentErrors, dumps
from projects.management.commands._documents import exit_with_errors, read_document_file
from projects.services import document_results


class Command(BaseCommand):
    help = (
        "Validate an offset-plan/1 or offset-monitoring/1 document (told apart by its "
        '"format") and print its results (offset-plan-results/1 or '
        "offset-monitoring-results/1) without storing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON document")

    def handle(self, *args, file, **options):
        try:
            results = document_results(read_document_file(file))
        except DocumentErrors as errors:
            exit_with_errors(errors)
        except DatabaseError as error:
            raise CommandError(
                "the reference data tables are not available; run `manage.py migrate` first"
            ) from error
        self.stdout.write(dumps(results))
