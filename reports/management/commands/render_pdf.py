from pathlib import Path

from django.core.management.base import BaseCommand

from methodologies.engine import DocumentErrors, calculate
from projects.management.commands._documents import exit_with_errors, read_document_file
from projects.services import document_read
from reports.rendering import render_plan_pdf


class Command(BaseCommand):
    help = "Render an offset-plan/1 document to the official PDF layout (nothing is stored)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON document")
        parser.add_argument("--output", required=True, help="where to write the PDF")
        parser.add_argument("--draft", action="store_true", help="mark every page 草稿")

    def handle(self, *args, file, output, draft=False, **options):
        try:
            document = read_document_file(file)
            parsed = document_read(document)
        except DocumentErrors as errors:
            exit_with_errors(errors)
        results = calculate(parsed.calculation).to_json()
        pdf = render_plan_pdf(document=document, results=results, draft=draft)
        Path(output).write_bytes(pdf)
        self.stdout.write(f"wrote {output} ({len(pdf):,} bytes)")
