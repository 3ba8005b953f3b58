from django.core.management.base import BaseCommand, CommandError

from methodologies.engine import dumps
from projects.monitoring.models import MonitoringReport
from projects.monitoring.services import report_document


class Command(BaseCommand):
    help = "Print a stored monitoring report as an offset-monitoring/1 JSON document."

    def add_arguments(self, parser):
        parser.add_argument("report_id", type=int)

    def handle(self, *args, report_id, **options):
        try:
            report = MonitoringReport.objects.select_related("plan").get(pk=report_id)
        except MonitoringReport.DoesNotExist as error:
            raise CommandError(f"no monitoring report with id {report_id}") from error
        self.stdout.write(dumps(report_document(report)))
