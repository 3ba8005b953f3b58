#!/usr/bin/env python3
"""Two gunicorn instances of the product on two ports, sharing one database, one
Redis (cache, rate limits, Celery's broker), one S3-compatible bucket (moto's
server as the stand-in) and one Celery worker: what a load balancer would spread
requests over. Sessions are in the database, so signing in on one instance signs
in on both.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/offset_plans \\
        .venv/bin/python scripts/two_instances.py [--ports 8001 8002] [--demo]

Migrates the database, collects the static files (hashed and compressed, as in
production), starts moto's S3 server unless AWS_S3_ENDPOINT_URL is set, then both
instances and the worker, and waits for Ctrl-C. Defaults: CACHE_URL
redis://127.0.0.1:6379/1, CELERY_BROKER_URL redis://127.0.0.1:6379/2. The instances
speak plain HTTP on 127.0.0.1 (no HTTPS redirect, no Secure cookies); put a proxy
that terminates TLS in front of them in production.

The browser test tests/browser/test_two_instances.py uses `running()` below.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PLAIN_HTTP = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    "SECURE_HSTS_SECONDS": "0",
}


def environment(**overrides) -> dict:
    """The instances' environment: this one, plain HTTP on 127.0.0.1, `overrides`."""
    env = dict(os.environ)
    env.setdefault("CACHE_URL", "redis://127.0.0.1:6379/1")
    env.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2")
    env.update(PLAIN_HTTP)
    env.update(overrides)
    if not env.get("SECRET_KEY"):
        raise SystemExit("SECRET_KEY must be set: both instances sign sessions with it")
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def process(command: list[str], env: dict, log: Path):
    with log.open("ab") as output:
        child = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@contextmanager
def running(env: dict, ports: list[int], logs: Path, worker: bool = True):
    """Start a gunicorn instance on each of `ports` (and a Celery worker) with `env`;
    yield their base URLs; stop them all on leaving. Output goes to files in `logs`."""
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        urls = []
        for port in ports:
            child = stack.enter_context(
                process(
                    [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                     "--workers", "2", "--timeout", "120", "--access-logfile", "-",
                     "--no-control-socket"],
                    env,
                    logs / f"gunicorn-{port}.log",
                )
            )  # fmt: skip
            urls.append((f"http://127.0.0.1:{port}", child))
        if worker:
            stack.enter_context(
                process(
                    [PYTHON, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
                     "--loglevel", "info"],
                    env,
                    logs / "celery-worker.log",
                )
            )  # fmt: skip
        for url, child in urls:
            wait_until_up(url, child)
        yield [url for url, _ in urls]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ports", type=int, nargs=2, default=[8001, 8002])
    parser.add_argument("--s3-port", type=int, default=9000)
    parser.add_argument("--demo", action="store_true", help="load the demo users and plans")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name the one PostgreSQL database both share")

    with ExitStack() as stack:
        overrides = {}
        if not os.environ.get("AWS_S3_ENDPOINT_URL"):
            sys.path.insert(0, str(ROOT))
            from tests.s3 import moto_server, s3_environment

            endpoint = stack.enter_context(moto_server(port=options.s3_port))
            overrides.update(s3_environment(endpoint))
            print(
                f"S3 stand-in (moto) at {endpoint}, bucket {overrides['AWS_STORAGE_BUCKET_NAME']}"
            )
        static_root = stack.enter_context(tempfile.TemporaryDirectory(prefix="static-"))
        env = environment(STATIC_ROOT=static_root, **overrides)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        if options.demo:
            manage(env, "load_demo")
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="instances-")))
        urls = stack.enter_context(running(env, options.ports, logs))
        print("Serving on " + " and ".join(urls) + f" (logs in {logs}); Ctrl-C stops both.")
        # Ctrl-C or a TERM stops the instances, the worker and moto on the way out.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        print("stopping")


if __name__ == "__main__":
    main()
