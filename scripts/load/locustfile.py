"""Applicants at work: sign in, browse the dashboard, a plan and its sections, type
into section 四 (the live preview), save a section, now and then a draft PDF.

Two phases. All users sign in first (each as its own load user, `load01`,
`load02`…, made by scripts/load/setup_users.py); when the last one is in, the
statistics of that phase are kept apart, the counts start again from zero and
the users work for LOAD_SECONDS (default 60), after which locust stops. So the
figures of the working phase do not include fifty password hashes (PBKDF2, slow
on purpose) queued at once.

Each load user's organisation holds one draft plan, so saves do not collide: a
409 (the plan was saved from another page since this one was read) is counted
apart and is no failure. Responses of 500 and above are counted over both
phases. Everything is written as JSON to $LOAD_SUMMARY when locust quits
(scripts/load/run.py prints it and fails on any error).

    .venv/bin/locust -f scripts/load/locustfile.py --host http://127.0.0.1:8000 \\
        --headless -u 50 -r 10 -t 10m

(-t only as a safety limit). Environment: LOAD_USERS (how many load users exist,
default 50; more simulated users than that share plans and may see 409s),
LOAD_SECONDS, LOAD_PASSWORD (default the demo password), LOAD_SUMMARY."""

import itertools
import json
import logging
import os
import random
import re
import time
from collections import Counter
from pathlib import Path

import gevent
from gevent.event import Event
from htmlforms import csrf_token, edited, form_fields
from locust import HttpUser, between, events, task
from locust.exception import StopUser

LOAD_USERS = int(os.environ.get("LOAD_USERS", "50"))
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-offset-2026")
SECTIONS = ("basic", "activity", "applicability", "calculation", "environment")
PLAN_LINK = re.compile(r'href="/plans/(\d+)/"')
# The number of equipment in a group of section 四: what the preview user types into.
COUNT_FIELD = re.compile(r"^(baseline|project)-groups-\d+-count$")

logger = logging.getLogger("load")
_numbers = itertools.count()
server_errors: Counter = Counter()
conflicts: Counter = Counter()
# The sign-in phase: how many users are through it, its figures, when it began.
_arrived = 0
_working = Event()
_phases: dict = {"started": None, "sign_in": None, "sign_in_seconds": None}


def _row(entry) -> dict:
    return {
        "method": entry.method or "",
        "name": entry.name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "p50": entry.get_response_time_percentile(0.5),
        "p95": entry.get_response_time_percentile(0.95),
    }


def _figures(stats) -> dict:
    """Counts and percentiles (ms) per request and overall, and the failures."""
    return {
        "requests": [
            _row(e) for e in sorted(stats.entries.values(), key=lambda e: e.name) if e.num_requests
        ],
        "total": _row(stats.total),
        "failures": [
            {"method": f.method, "name": f.name, "error": str(f.error), "count": f.occurrences}
            for f in stats.errors.values()
        ],
    }


@events.request.add_listener
def _count_server_errors(name, response=None, **kwargs):
    if response is not None and getattr(response, "status_code", 0) >= 500:
        server_errors[name] += 1


@events.quitting.add_listener
def _write_summary(environment, **kwargs):
    path = os.environ.get("LOAD_SUMMARY")
    if path:
        summary = {
            "sign_in": _phases["sign_in"],
            "sign_in_seconds": _phases["sign_in_seconds"],
            "working_seconds": LOAD_SECONDS,
            "working": _figures(environment.stats) if _working.is_set() else None,
            "server_errors": dict(server_errors),
            "conflicts": dict(conflicts),
        }
        Path(path).write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")


class Applicant(HttpUser):
    wait_time = between(1, 4)

    def on_start(self):
        if _phases["started"] is None:
            _phases["started"] = time.monotonic()
        try:
            self._sign_in()
        finally:
            self._arrive()  # signed in or not: the others do not wait for ever
        _working.wait()

    def _sign_in(self):
        number = next(_numbers) % LOAD_USERS + 1
        self.username = f"load{number:02d}"
        # Each user comes from its own address, as behind the proxy run.py trusts:
        # the sign-in throttle counts per address (30 a minute) as in production.
        self.client.headers["X-Forwarded-For"] = f"10.20.{number // 250}.{number % 250 + 1}"
        page = self.client.get("/accounts/login/", name="sign-in page")
        with self.client.post(
            "/accounts/login/",
            data={
                "login": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf_token(page.text) or "",
            },
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{self.username} not signed in ({response.status_code})")
                raise StopUser
        with self.client.get("/", name="dashboard", catch_response=True) as dashboard:
            found = PLAN_LINK.search(dashboard.text)
            if found is None:
                dashboard.failure(f"{self.username} has no plan (run setup_users.py)")
                raise StopUser
        self.plan = f"/plans/{found.group(1)}"
        self.calculation_form = None  # section 四 as last read: what the preview sends

    def _arrive(self):
        """The last user in keeps the sign-in figures, starts the counts again and
        the clock of the working phase."""
        global _arrived
        _arrived += 1
        runner = self.environment.runner
        if _arrived < (getattr(runner, "target_user_count", None) or LOAD_USERS):
            return
        if _working.is_set():
            return  # a user started again after the phases
        _phases["sign_in"] = _figures(self.environment.stats)
        _phases["sign_in_seconds"] = round(time.monotonic() - _phases["started"], 1)
        logger.info(
            "%d users signed in after %.1f s; working for %.0f s from now",
            _arrived,
            _phases["sign_in_seconds"],
            LOAD_SECONDS,
        )
        self.environment.stats.reset_all()
        gevent.spawn_later(LOAD_SECONDS, runner.quit)
        _working.set()

    def _section(self, slug: str):
        return self.client.get(f"{self.plan}/sections/{slug}/", name="section page")

    @task(3)
    def dashboard(self):
        self.client.get("/", name="dashboard")

    @task(3)
    def plan_page(self):
        self.client.get(f"{self.plan}/", name="plan page")

    @task(4)
    def section_page(self):
        self._section(random.choice(SECTIONS))

    @task(8)
    def preview(self):
        """Change a number of equipment in section 四 and get the figures back (htmx)."""
        if self.calculation_form is None:
            self.calculation_form = form_fields(self._section("calculation").text, "section-form")
        fields = list(self.calculation_form)
        counts = [i for i, (name, value) in enumerate(fields) if COUNT_FIELD.match(name)]
        if counts:
            index = random.choice(counts)
            name, value = fields[index]
            if value.isdigit():
                fields[index] = (name, str(max(1, int(value) + random.randint(-50, 50))))
        token = dict(fields).get("csrfmiddlewaretoken", "")
        with self.client.post(
            f"{self.plan}/sections/calculation/preview/",
            data=fields,
            headers={"HX-Request": "true", "X-CSRFToken": token},
            name="preview section 四",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and 'id="results-panel"' not in response.text:
                response.failure("no results panel in the preview")

    @task(3)
    def save(self):
        """Open a section, change one of its texts, save with the revision read."""
        slug = random.choice(SECTIONS)
        fields = edited(form_fields(self._section(slug).text, "section-form"), slug)
        with self.client.post(
            f"{self.plan}/sections/{slug}/",
            data=fields,
            name="save section",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                conflicts[slug] += 1
                response.success()  # a stale revision: refused on purpose, counted apart
                return
            if response.status_code != 302:
                response.failure(f"section {slug} not saved ({response.status_code})")
                return
        page = self._section(slug)  # where the save redirects, as a browser follows
        if slug == "calculation":
            self.calculation_form = form_fields(page.text, "section-form")

    @task(1)
    def draft_pdf(self):
        with self.client.get(
            f"{self.plan}/draft.pdf", name="draft PDF", catch_response=True
        ) as response:
            if response.status_code == 200 and not response.content.startswith(b"%PDF"):
                response.failure("not a PDF")
