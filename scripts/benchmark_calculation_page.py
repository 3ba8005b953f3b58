"""Time the calculation page (section 四) of a plan at the interchange limits.

    .venv/bin/python scripts/benchmark_calculation_page.py [--groups 200] [--periods 20] [--runs 5]

Builds a fresh database (SQLite at /tmp/offset-bench-calculation.sqlite3, deleted
first; with DATABASE_URL set, a throw-away test database on that server instead,
never the database it names), imports a plan with `--groups` equipment groups on
each side (power- and chiller-shaped, `--periods` of them per side
periods-shaped with 12 months), then, through django.test.Client as its editor:
opens the page (GET), previews it (the htmx POST of the page as rendered) and
saves it unchanged (POST). Prints the median seconds over `--runs` requests
after one warm-up, and the SQL queries of one request.
"""

import argparse
import statistics
import time
from urllib.parse import urlencode

from _bench import set_up_django

FORM = "application/x-www-form-urlencoded"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=200, help="groups on each side")
    parser.add_argument("--periods", type=int, default=20, help="periods-shaped groups a side")
    parser.add_argument("--runs", type=int, default=5, help="timed requests of each kind")
    return parser.parse_args()


def plan_document(groups: int, periods: int) -> dict:
    """An individual chiller plan with `groups` groups a side, `periods` of them
    periods-shaped (12 months), the rest alternately power- and chiller-shaped."""

    def group(side: str, index: int) -> dict:
        name = f"{side} {index:03d}"
        if index < periods:
            months = [
                {"period": f"2019-{month:02d}", "power_kw": "76.53", "hours": "32.3"}
                for month in range(1, 13)
            ]
            return {"name": name, "count": 1, "periods": months}
        if index % 2:
            return {
                "name": name,
                "count": 2,
                "capacity_rt": "177.2",
                "kw_per_rt": "0.8313" if side == "baseline" else "0.55",
                "annual_hours": "4745",
            }
        power = "0.028" if side == "baseline" else "0.018"
        return {"name": name, "count": 1000, "power_kw": power, "annual_hours": "861"}

    return {
        "format": "offset-plan/1",
        "plan": {
            "type": "individual",
            "title": "設備群組上限測試",
            "crediting_period": {"start": "2021-01-01", "end": "2030-12-31"},
        },
        "calculation": {
            "emission_factor": {"year": 2019},
            "line_loss": "0.0394",
            "baseline": {"groups": [group("baseline", i) for i in range(groups)]},
            "project": {"groups": [group("project", i) for i in range(groups)]},
        },
    }


def create_plan(groups: int, periods: int):
    from django.contrib.auth import get_user_model

    from projects.models import Membership, Organisation
    from projects.services import plan_import

    user = get_user_model().objects.create_user("bench-editor")
    organisation = Organisation.objects.create(name="上限測試股份有限公司")
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.EDITOR)
    plan = plan_import(document=plan_document(groups, periods), organisation=organisation)
    return user, plan


def page_data(plan) -> dict:
    """What the browser posts: every field of the page as rendered."""
    from projects.models import Plan
    from projects.sections import CalculationEditor
    from tests.projects.formdata import editor_data

    return editor_data(CalculationEditor(Plan.objects.get(pk=plan.pk)))


def measure(request, runs: int, expected: int) -> tuple[float, int, int]:
    """Median seconds over `runs` requests (after one warm-up), and the queries
    and response bytes of one of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == expected, (response.status_code, response.content[:2000])
    queries, size = len(captured), len(response.content)
    timings = []
    for _run in range(runs):
        began = time.perf_counter()
        response = request()
        timings.append(time.perf_counter() - began)
        assert response.status_code == expected, response.status_code
    return statistics.median(timings), queries, size


def main() -> None:
    args = parse_args()
    old_name = set_up_django("calculation")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from projects.models import Plan

    began = time.perf_counter()
    user, plan = create_plan(args.groups, args.periods)
    setup_seconds = time.perf_counter() - began
    assert plan.results is not None, "the benchmark plan does not calculate"

    client = Client()
    client.force_login(user)
    page = reverse("projects:section", args=[plan.pk, "calculation"])
    preview = reverse("projects:preview", args=[plan.pk, "calculation"])
    data = page_data(plan)

    def post(url, items):
        # As the browser sends the page (and htmx its preview): a urlencoded form.
        return client.post(url, urlencode(items, doseq=True), content_type=FORM)

    def save():
        # A save moves the plan's revision on; the page sent is otherwise the same.
        revision = Plan.objects.values_list("revision", flat=True).get(pk=plan.pk)
        return post(page, {**data, "revision": str(revision)})

    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    print(
        f"plan:     {args.groups} groups a side ({args.periods} periods-shaped), "
        f"{len(data):,} form fields (imported in {setup_seconds:.1f} s)"
    )
    print(f"{'request':<18} {'median s':>9} {'queries':>8} {'bytes':>10}")
    rows = [
        ("GET page", lambda: client.get(page), 200),
        ("POST preview", lambda: post(preview, data), 200),
        ("POST save", save, 302),
    ]
    for label, request, expected in rows:
        median, queries, size = measure(request, args.runs, expected)
        print(f"{label:<18} {median:>9.3f} {queries:>8} {size:>10,}")
    if old_name is not None:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
