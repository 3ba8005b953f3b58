"""Median render time of each reference plan's official PDF, and the time per page.

Run: .venv/bin/python scripts/benchmark_pdf.py [--runs 7]
Uses a throwaway SQLite database for the reference data (DATABASE_URL wins)."""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def page_count(pdf: bytes) -> int:
    """Pages as poppler's pdfinfo counts them (WeasyPrint compresses its page tree)."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(re.search(rb"^Pages:\s+(\d+)", info, re.M).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")  # DEBUG stays off
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from methodologies.engine import calculate, loads
    from projects.services import document_read
    from reports.rendering import render_plan_pdf

    for name in ("chiller-individual.json", "lighting-subproject.json"):
        document = loads((ROOT / "projects" / "demo" / name).read_text(encoding="utf-8"))
        results = calculate(document_read(document).calculation).to_json()
        render_plan_pdf(document=document, results=results, draft=False)  # warm-up: fonts
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            pdf = render_plan_pdf(document=document, results=results, draft=False)
            timings.append(time.perf_counter() - start)
        pages = page_count(pdf)
        median = statistics.median(timings)
        print(
            f"{name}: median {median:.3f} s over {args.runs} runs, {pages} pages, "
            f"{median / pages * 1000:.0f} ms per page, {len(pdf):,} bytes"
        )


if __name__ == "__main__":
    main()
