"""Time the reviewer's queue page and the plan list `/` with many submitted plans.

    .venv/bin/python scripts/benchmark_dashboard.py [--plans 10000] [--runs 20]

Builds a fresh database (SQLite at /tmp/offset-bench-dashboard.sqlite3, deleted first;
with DATABASE_URL set, a throw-away test database on that server instead),
creates one authority with a reviewer, one programme and N submitted plans with
frozen versions (each plan's cached results are the chiller demo plan's), then
requests the queue and the plan list through django.test.Client: once to warm
up, then `--runs` times each for page 1, a filtered page and the last page of
the queue, and page 1 and the last page of the list. Prints the median time,
the number of SQL queries, the rows shown and the size of the page.
"""

import argparse
import statistics
import time
from datetime import timedelta

from _bench import BASE_DIR, set_up_django


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=10_000, help="plans to create")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    return parser.parse_args()


def demo_results() -> dict:
    """The chiller demo plan's results, as a plan caches them."""
    import json

    from methodologies.engine import calculate, parse_calculation_document
    from methodologies.reference import load_reference_data

    document = json.loads(
        (BASE_DIR / "projects" / "demo" / "chiller-individual.json").read_text(encoding="utf-8")
    )
    return calculate(parse_calculation_document(document, load_reference_data())).to_json()


def create_data(count: int):
    """An authority with a reviewer, a programme, and `count` submitted plans
    from 50 applicant organisations: half sub-projects, half individual plans,
    across every non-draft status and technology. Returns the reviewer and the
    programme."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from projects.models import Membership, Organisation, Plan, PlanVersion, Programme

    statuses = [value for value, _label in Plan.Status.choices if value != Plan.Status.DRAFT]
    technologies = [value for value, _label in Plan.Technology.choices]
    results = demo_results()
    with transaction.atomic():
        reviewer = get_user_model().objects.create_user("bench-reviewer")
        authority = Organisation.objects.create(
            name="臺南市政府環境保護局", kind=Organisation.Kind.AUTHORITY, city="臺南市"
        )
        Membership.objects.create(
            user=reviewer, organisation=authority, role=Membership.Role.REVIEWER
        )
        programme = Programme.objects.create(
            authority=authority, title="臺南市設備汰舊換新計畫", version="2.2", city="臺南市"
        )
        applicants = Organisation.objects.bulk_create(
            Organisation(name=f"申請單位 {number:02d}") for number in range(50)
        )
        start = timezone.now() - timedelta(days=365)
        plans = Plan.objects.bulk_create(
            (
                Plan(
                    organisation=applicants[index % len(applicants)],
                    programme=programme if index % 2 else None,
                    authority=None if index % 2 else authority,
                    type=Plan.Type.SUB_PROJECT if index % 2 else Plan.Type.INDIVIDUAL,
                    title=f"高效率設備汰換 {index:05d}",
                    status=statuses[index % len(statuses)],
                    technology=technologies[index % len(technologies)],
                    submitted_at=start + timedelta(minutes=index),
                    results=results,
                )
                for index in range(count)
            ),
            batch_size=1000,
        )
        # A frozen version is written once; bulk_create inserts without save().
        versions = PlanVersion.objects.bulk_create(
            (
                PlanVersion(
                    plan=plan,
                    number=1,
                    document={"format": "offset-plan/1", "plan": {"title": plan.title}},
                    results={"annual_reduction_tco2e": "461", "total_reduction_tco2e": "4610"},
                    annual_reduction_tco2e=461,
                    total_reduction_tco2e=4610,
                    created_by=reviewer,
                )
                for plan in plans
            ),
            batch_size=1000,
        )
        for plan, version in zip(plans, versions, strict=True):
            plan.current_version = version
        Plan.objects.bulk_update(plans, ["current_version"], batch_size=1000)
    return reviewer, programme


def measure(client, url: str, runs: int) -> tuple[float, int, int, int]:
    """Median milliseconds over `runs` GETs (after one warm-up), and the
    number of queries, of plan rows and of bytes of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    # Read now: the captured list is a view of the connection's log, which the
    # requests below reset.
    queries = len(captured)
    timings = []
    for _run in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    rows = response.content.decode().count('href="/plans/')
    return statistics.median(timings), queries, rows, len(response.content)


def main() -> None:
    args = parse_args()
    old_name = set_up_django("dashboard")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from projects.dashboard import PAGE_SIZE
    from projects.models import Plan

    began = time.perf_counter()
    reviewer, programme = create_data(args.plans)
    setup_seconds = time.perf_counter() - began

    client = Client()
    client.force_login(reviewer)
    queue = reverse("projects:review_queue")
    plan_list = reverse("projects:plan_list")
    last_page = -(-Plan.objects.exclude(status=Plan.Status.DRAFT).count() // PAGE_SIZE)
    pages = [
        ("queue, page 1", queue),
        (
            "queue, filtered",
            f"{queue}?status=under_review&programme={programme.pk}&technology=lighting",
        ),
        (f"queue, page {last_page}", f"{queue}?page={last_page}"),
        # The reviewer sees every plan of the authority: the submitted ones.
        ("/, page 1", plan_list),
        (f"/, page {last_page}", f"{plan_list}?page={last_page}"),
    ]

    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    print(f"plans:    {Plan.objects.count():,} (created in {setup_seconds:.1f} s)")
    print(f"{'page':<18} {'median ms':>10} {'queries':>8} {'rows':>5} {'bytes':>9}")
    for label, url in pages:
        median, queries, rows, size = measure(client, url, args.runs)
        print(f"{label:<18} {median:>10.1f} {queries:>8} {rows:>5} {size:>9,}")
    if old_name is not None:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
