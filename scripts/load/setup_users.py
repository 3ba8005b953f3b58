#!/usr/bin/env python3
"""The load test's users: `load01`…`loadNN`, each the editor of its own organisation
holding one draft plan (the demo lighting sub-project or the chiller plan, turn
about), so that every simulated user saves its own plan and a 409 (stale revision)
means a real collision, not two load users sharing a plan.

    DATABASE_URL=… .venv/bin/python scripts/load/setup_users.py --users 50

Run after `manage.py load_demo` (the lighting plan joins the programme it
creates). Safe to run again: existing users and their plans are kept. The
password is the demo one (demo-offset-2026)."""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USERNAME = "load{:02d}"
ORGANISATION = "負載測試公司 {:02d}"
DOCUMENTS = ("lighting-subproject.json", "chiller-individual.json")


def create(count: int) -> list[tuple[str, int]]:
    """Create the missing users, organisations and plans; return (username, plan pk)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from methodologies.engine import loads
    from projects.management.commands.load_demo import DEMO_DIR, DEMO_PASSWORD
    from projects.models import Membership, Organisation, Plan
    from projects.services import plan_import

    User = get_user_model()
    documents = [(DEMO_DIR / name).read_text(encoding="utf-8") for name in DOCUMENTS]
    password = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 is slow on purpose
    created = []
    for number in range(1, count + 1):
        with transaction.atomic():
            user, _ = User.objects.get_or_create(
                username=USERNAME.format(number),
                defaults={"first_name": f"負載測試 {number:02d}", "password": password},
            )
            # Signing in needs a confirmed address (allauth's mandatory verification).
            EmailAddress.objects.get_or_create(
                user=user,
                email=f"{user.username}@load.example",
                defaults={"primary": True, "verified": True},
            )
            organisation, _ = Organisation.objects.get_or_create(
                name=ORGANISATION.format(number),
                defaults={"kind": Organisation.Kind.APPLICANT, "city": "臺南市"},
            )
            Membership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": Membership.Role.EDITOR}
            )
            plan = Plan.objects.filter(organisation=organisation).order_by("pk").first()
            if plan is None:
                document = loads(documents[(number - 1) % len(documents)])
                document["plan"]["title"] += f"（負載測試 {number:02d}）"
                plan = plan_import(document=document, organisation=organisation)
            created.append((user.username, plan.pk))
    return created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    users = create(options.users)
    print(f"{len(users)} load users ({users[0][0]}…{users[-1][0]}), one draft plan each")


if __name__ == "__main__":
    main()
