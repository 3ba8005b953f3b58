#!/usr/bin/env python3
"""Load test: 50 applicants browsing, previewing and saving for 60 s against
gunicorn and PostgreSQL; prints the errors and p50/p95 per request and overall.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/offset_load \\
        .venv/bin/python scripts/load/run.py [--users 50] [--seconds 60] [--workers 4]

Migrates the database, loads the demo data, creates the load users and their plans
(scripts/load/setup_users.py), collects the static files, starts gunicorn on
127.0.0.1 in production settings over plain HTTP (DEBUG off; no HTTPS redirect,
no Secure cookies, no HSTS), runs locust headless (scripts/load/locustfile.py:
every user signs in, then all work for --seconds), stops gunicorn and prints
both phases' figures and gunicorn's own time per kind of request. Exits 1 when any response was a server
error (5xx, counted by locust and in gunicorn's access log) or any request
failed otherwise; a 409 (stale revision) is counted apart and is no failure.
SECRET_KEY is generated when unset. Use a database of its own: the load users'
plans are saved thousands of times."""

import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from two_instances import PLAIN_HTTP, manage, process, wait_until_up  # noqa: E402

PYTHON = sys.executable
# gunicorn's access log: the status first, then the request line.
ACCESS_FORMAT = '%(s)s "%(r)s" %(M)sms'
ACCESS_LINE = re.compile(r'(?P<status>\d{3}) "(?P<method>\w+) (?P<path>\S+) [^"]*" (?P<ms>\d+)ms')


def environment(**overrides) -> dict:
    env = dict(os.environ)
    env.update(PLAIN_HTTP)
    # The locust users send X-Forwarded-For, one address each (see locustfile.py).
    env["TRUST_X_FORWARDED_FOR"] = "true"
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.update(overrides)
    return env


def server_errors_logged(access_log: Path) -> list[str]:
    """The access log's lines of responses with a status of 500 or above."""
    lines = access_log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if line[:3].isdigit() and int(line[:3]) >= 500]


def server_times(access_log: Path) -> None:
    """Print gunicorn's own time per kind of request (queueing for a worker excluded)."""
    times = defaultdict(list)
    for line in access_log.read_text(encoding="utf-8", errors="replace").splitlines():
        found = ACCESS_LINE.match(line)
        if found:
            path = re.sub(r"/\d+", "/N", found["path"].split("?")[0])
            times[f"{found['method']} {path}"].append(int(found["ms"]))
    busy = sum(sum(values) for values in times.values()) or 1
    print("\nserver time, both phases (in a worker)        count  p50 ms  p95 ms  share")
    for request, values in sorted(times.items(), key=lambda item: -sum(item[1])):
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(
            f"{request:<45} {len(values):>6} {statistics.median(values):>7.0f} {p95:>7}"
            f" {100 * sum(values) / busy:>5.0f}%"
        )


def table(title: str, figures: dict) -> None:
    print(f"\n{title:<30} count  failed    p50 ms    p95 ms")
    for row in [*figures["requests"], {**figures["total"], "name": "(all)"}]:
        print(
            f"{(row['method'] + ' ' + row['name']).strip():<29} {row['requests']:>6}"
            f" {row['failures']:>7} {row['p50']:>9} {row['p95']:>9}"
        )
    for failure in figures["failures"]:
        print(
            f"failure: {failure['method']} {failure['name']}: {failure['error']} ×{failure['count']}"
        )


def report(summary: dict, logged: list[str]) -> int:
    """Print both phases and the errors; return how many requests failed or erred."""
    failed = 0
    if summary["sign_in"]:
        table(f"sign-in phase ({summary['sign_in_seconds']} s)", summary["sign_in"])
        failed += summary["sign_in"]["total"]["failures"]
    working = summary["working"]
    if working is None:
        print("\nthe working phase never began (not every user got through signing in)")
        return failed + 1
    table(f"working phase ({summary['working_seconds']:.0f} s)", working)
    total = working["total"]
    failed += total["failures"]
    counted = sum(summary["server_errors"].values())
    print(
        f"\nworking phase: requests {total['requests']}, failed {total['failures']}, "
        f"p50 {total['p50']} ms, p95 {total['p95']} ms; "
        f"409 stale-revision saves {sum(summary['conflicts'].values())}; "
        f"server errors (5xx, both phases) {max(counted, len(logged))} "
        f"(locust {counted}, gunicorn's access log {len(logged)})"
    )
    for line in logged[:20]:
        print(f"  5xx: {line}")
    return failed + counted + len(logged)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--keep", help="a folder to keep the CSV files and logs in")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database (one of its own)")

    work = Path(options.keep) if options.keep else Path(tempfile.mkdtemp(prefix="load-"))
    work.mkdir(parents=True, exist_ok=True)
    env = environment(STATIC_ROOT=str(work / "static"), MEDIA_ROOT=str(work / "media"))
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "load_demo")
    subprocess.run(
        [PYTHON, str(HERE / "setup_users.py"), "--users", str(options.users)],
        cwd=ROOT,
        env=env,
        check=True,
    )

    access_log = work / "access.log"
    access_log.write_text("")
    gunicorn = [
        PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{options.port}",
        "--workers", str(options.workers), "--timeout", "120", "--no-control-socket",
        "--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT,
    ]  # fmt: skip
    url = f"http://127.0.0.1:{options.port}"
    summary_file = work / "summary.json"
    with process(gunicorn, env, work / "gunicorn.log") as server:
        wait_until_up(url, server)
        print(
            f"gunicorn ({options.workers} workers) at {url}; locust: {options.users} users "
            f"for {options.seconds} s; files in {work}",
            flush=True,
        )
        subprocess.run(
            [PYTHON, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--host", url,
             "--headless", "--only-summary", "-u", str(options.users),
             "-r", str(options.spawn_rate), "-t", f"{options.seconds + 600}s", "--stop-timeout", "30",
             "--html", str(work / "locust.html")],
            cwd=ROOT,
            env={**env, "LOAD_USERS": str(options.users), "LOAD_SECONDS": str(options.seconds),
                 "LOAD_SUMMARY": str(summary_file)},
        )  # fmt: skip
    if not summary_file.exists():
        print(f"FAILED: locust wrote no summary; see {work}")
        return 1
    server_times(access_log)
    bad = report(json.loads(summary_file.read_text()), server_errors_logged(access_log))
    if bad:
        print(f"FAILED: see {work}/gunicorn.log for the tracebacks")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
