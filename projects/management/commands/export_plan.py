from django.core.management.base import BaseCommand, CommandError

from methodologies.engine import dumps
from projects.interchange import plan_document
from projects.models import Plan


class Command(BaseCommand):
    help = "Print a stored plan as an offset-plan/1 JSON document."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)

    def handle(self, *args, plan_id, **options):
        try:
            plan = Plan.objects.get(pk=plan_id)
        except Plan.DoesNotExist as error:
            raise CommandError(f"no plan with id {plan_id}") from error
        self.stdout.write(dumps(plan_document(plan)))
