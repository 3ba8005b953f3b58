"""Shared set-up of the benchmark scripts: a database of their own, never the
one DATABASE_URL names."""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def set_up_django(name: str) -> str | None:
    """Point Django at a database of its own: /tmp/offset-bench-<name>.sqlite3 by
    default, or, when DATABASE_URL is set, a fresh test database next to the one it
    names (never that database itself), to be dropped at the end with
    `connection.creation.destroy_test_db(returned_name)`."""
    own_database = "DATABASE_URL" not in os.environ
    if own_database:
        database = Path(f"/tmp/offset-bench-{name}.sqlite3")
        database.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if own_database:
        call_command("migrate", verbosity=0)
        return None
    old_name = connection.settings_dict["NAME"]
    sqlite = connection.vendor == "sqlite"
    connection.settings_dict["TEST"]["NAME"] = (
        f"/tmp/offset-bench-{name}-test.sqlite3" if sqlite else f"offset_bench_{name}"
    )
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return old_name
