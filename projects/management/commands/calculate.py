from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from methodologies.engine import DocumentErrors, calculate, dumps
from projects.management.commands._documents import exit_with_errors, read_document_file
from projects.services import document_read


class Command(BaseCommand):
    help = (
        "Validate an offset-plan/1 document and print its results "
        "(offset-plan-results/1) without storing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON document")

    def handle(self, *args, file, **options):
        try:
            parsed = document_read(read_document_file(file))
        except DocumentErrors as errors:
            exit_with_errors(errors)
        except DatabaseError as error:
            raise CommandError(
                "the reference data tables are not available; run `manage.py migrate` first"
            ) from error
        self.stdout.write(dumps(calculate(parsed.calculation).to_json()))
