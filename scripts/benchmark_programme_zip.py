"""Time the programme ZIP of many approved sub-projects whose PDFs are stored.

Run: .venv/bin/python scripts/benchmark_programme_zip.py [--plans 200] [--missing 0]

Sets up a throwaway SQLite database and media folder (DATABASE_URL wins), imports
the lighting reference plan, stores its approved PDF for each of `--plans` approved
sub-projects of one programme (less `--missing`, which the export renders itself),
then runs the export in a fresh process and prints its wall time, the peak of
Python allocations (tracemalloc) and the growth of the process's peak resident
memory (ru_maxrss) during the export. Target here: under 10 s and 200 MB.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(folder: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")  # DEBUG stays off
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    import django

    django.setup()


def prepare(folder: Path, plans: int, missing: int) -> int:
    """The programme's id, with `plans` approved sub-projects."""
    setup_django(folder)
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from methodologies.engine import loads
    from methodologies.reference import reference_snapshot, snapshot_results
    from projects.models import Organisation, Plan, PlanVersion
    from projects.services import plan_import
    from reports.models import VersionPdf
    from reports.rendering import render_plan_pdf

    text = (ROOT / "projects" / "demo" / "lighting-subproject.json").read_text(encoding="utf-8")
    document = loads(text)
    programme = plan_import(document=document, create_programmes=True).programme
    reference = reference_snapshot(document)
    results = snapshot_results(document, reference).to_json()
    pdf = render_plan_pdf(document=document, results=results, reference=reference, draft=False)
    user = get_user_model().objects.create_user("bench")
    organisation = Organisation.objects.create(name="基準測試單位")
    created = Plan.objects.bulk_create(
        Plan(
            organisation=organisation,
            programme=programme,
            type=Plan.Type.SUB_PROJECT,
            title=f"子專案 {i}",
            number=f"B-0000271-{i:03d}",
            status=Plan.Status.APPROVED,
        )
        for i in range(plans)
    )
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(
            plan=plan,
            number=1,
            document=document,
            results=results,
            reference=reference,
            annual_reduction_tco2e=int(results["annual_reduction_tco2e"]),
            total_reduction_tco2e=int(results["total_reduction_tco2e"]),
            created_by=user,
        )
        for plan in created
    )
    for plan, version in zip(created, versions, strict=True):
        plan.current_version = version
    Plan.objects.bulk_update(created, ["current_version"])
    for version in versions[missing:]:
        VersionPdf.objects.create(version=version, file=ContentFile(pdf, name="plan.pdf"))
    print(
        f"prepared {plans} approved sub-projects, {plans - missing} with a stored PDF "
        f"of {len(pdf):,} bytes"
    )
    return programme.pk


def status_kib(field: str) -> int | None:
    """A memory figure of this process from /proc/self/status (Linux), in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def run(folder: Path, programme_id: int) -> None:
    """The export itself, measured in this (fresh) process."""
    setup_django(folder)
    from django.contrib.auth import get_user_model

    from reports.models import ProgrammeExport
    from reports.services import programme_export_run

    export = ProgrammeExport.objects.create(
        programme_id=programme_id, requested_by=get_user_model().objects.get(username="bench")
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    hwm_reset = reset_peak_rss()
    current_before = status_kib("VmRSS")
    tracemalloc.start()
    start = time.perf_counter()
    programme_export_run(export.pk)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_after = status_kib("VmHWM")
    export.refresh_from_db()
    assert export.status == ProgrammeExport.Status.DONE, export.error
    print(
        f"programme ZIP of {export.total} sub-projects: {seconds:.2f} s, "
        f"peak Python allocations {peak / 2**20:.1f} MiB (tracemalloc), "
        f"ru_maxrss {rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MiB, "
        f"ZIP {export.file.size / 2**20:.1f} MiB"
    )
    if hwm_reset and current_before and hwm_after:
        print(
            f"peak resident memory during the export: {hwm_after / 1024:.1f} MiB, "
            f"{(hwm_after - current_before) / 1024:.1f} MiB above the "
            f"{current_before / 1024:.1f} MiB the process held before it (VmHWM)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--missing", type=int, default=0, help="versions without a stored PDF")
    parser.add_argument("--run", nargs=2, metavar=("FOLDER", "PROGRAMME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run(Path(args.run[0]), int(args.run[1]))
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-zip-"))
    programme_id = prepare(folder, args.plans, args.missing)
    # A fresh process, so that the setup's own memory (PDF rendering) is not counted.
    subprocess.run(
        [sys.executable, __file__, "--run", str(folder), str(programme_id)],
        check=True,
        env={**os.environ},
    )


if __name__ == "__main__":
    main()
