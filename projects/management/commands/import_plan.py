from django.core.management.base import BaseCommand, CommandError

from methodologies.engine import DocumentErrors
from projects.management.commands._documents import exit_with_errors, read_document_file
from projects.models import Organisation
from projects.services import plan_import


class Command(BaseCommand):
    help = "Import an offset-plan/1 JSON document as a new plan (all of it or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON document")
        parser.add_argument(
            "--organisation",
            help="name of the applicant organisation that will own the plan "
            "(default: plan.organization in the document)",
        )

    def handle(self, *args, file, organisation=None, **options):
        owner = None
        if organisation:
            try:
                owner = Organisation.objects.get(name=organisation)
            except Organisation.DoesNotExist as error:
                raise CommandError(f"no organisation named {organisation!r}") from error
        try:
            plan = plan_import(
                document=read_document_file(file), organisation=owner, create_programmes=True
            )
        except DocumentErrors as errors:
            exit_with_errors(errors)
        self.stdout.write(f"imported plan {plan.pk}: {plan.title}")
