"""Screenshots of the plan list, the review queue, the survey page and the version
comparison on a desktop (1280 × 900) and a phone (390 × 844), for a look by eye.

    .venv/bin/python scripts/screenshots.py [--out test-artifacts] [--page NAME:USER ...]

Builds a fresh SQLite database at /tmp/offset-screenshots.sqlite3 (deleted
first) with the demo data in the state the layout browser test walks
(tests/browser/test_layout.py: the lighting plan submitted, sent back with a
comment and changed since; both surveys open), serves it with `manage.py
runserver` on a free port, and writes full-page PNGs named
`<page>-<desktop|phone>.png` with Debian's Chromium (CHROMIUM to override).
`--page section-calculation:carrefour` shoots another page of the walk instead
(names as in `demo_walk()`), as that demo user.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = Path("/tmp/offset-screenshots.sqlite3")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
# page name in the walk, file name, who looks at it
SHOTS = [
    ("plan-list", "plan-list", "reviewer"),
    ("review-queue", "review-queue", "reviewer"),
    ("survey", "survey", "carrefour"),
    ("compare", "compare", "reviewer"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(environment: dict) -> dict[str, dict[str, str]]:
    """A fresh database with the walk's state; the paths each user walks."""
    DATABASE.unlink(missing_ok=True)
    os.environ.update(environment)
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.browser.test_layout import demo_walk

    return demo_walk()


def serve(environment: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE_DIR,
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not start")


def shoot(base_url: str, walks: dict, out: Path, shots: list) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from projects.management.commands.load_demo import DEMO_PASSWORD

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for size, options in VIEWPORTS.items():
            for name, filename, username in shots:
                context = browser.new_context(locale="zh-TW", **options)
                page = context.new_page()
                page.goto(base_url + "/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", DEMO_PASSWORD)
                page.click("form button.w-100")
                page.wait_for_url(base_url + "/")
                page.goto(base_url + walks[username][name])
                page.wait_for_load_state("networkidle")
                path = out / f"{filename}-{size}.png"
                page.screenshot(path=str(path), full_page=True)
                width = page.evaluate("document.documentElement.scrollWidth")
                print(f"{path}  (document {width} px wide)")
                written.append(path)
                context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=BASE_DIR / "test-artifacts")
    parser.add_argument("--page", action="append", help="NAME:USER, e.g. history:reviewer")
    args = parser.parse_args()
    shots = SHOTS
    if args.page:
        shots = [
            (spec.split(":")[0], spec.replace(":", "-"), spec.split(":")[1]) for spec in args.page
        ]
    args.out.mkdir(parents=True, exist_ok=True)
    media = Path(tempfile.mkdtemp(prefix="offset-screenshots-"))
    environment = {
        "DATABASE_URL": f"sqlite:///{DATABASE}",
        "DEBUG": "true",  # runserver serves the static files
        "MEDIA_ROOT": str(media),
    }
    try:
        walks = prepare(environment)
        port = free_port()
        server = serve(environment, port)
        try:
            shoot(f"http://127.0.0.1:{port}", walks, args.out.resolve(), shots)
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        shutil.rmtree(media, ignore_errors=True)
        DATABASE.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
