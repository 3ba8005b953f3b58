"""Backup and restore: the database and every stored file, in one folder.

A backup folder holds
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3`
  (SQLite, the online backup API: a consistent copy while the server runs);
- `files/<name>`: every file a row refers to (attachments, figures, stored PDFs,
  export ZIPs), read through the storage backend (local disk or S3);
- `manifest.json`: the database engine, when, and each file's name, size and SHA-256.

`restore` puts the database back as it was (tables dropped and recreated) and then
writes each file back to the storage under the same name."""

import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import connection, models
from django.utils import timezone

FORMAT = "offset-plans-backup/1"
POSTGRES = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Summary:
    engine: str
    files: int
    bytes: int


def stored_files() -> list[tuple[models.FileField, str]]:
    """(field, name) of every file a row refers to, each name once."""
    seen, found = set(), []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, models.FileField):
                continue
            names = (
                model._default_manager.exclude(**{field.name: ""})
                .exclude(**{f"{field.name}__isnull": True})
                .values_list(field.name, flat=True)
            )
            for name in names.iterator():
                if name not in seen:
                    seen.add(name)
                    found.append((field, name))
    return found


def _postgres_env(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _safe_target(root: Path, name: str) -> Path:
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()):
        raise BackupError(f"refusing a stored file name outside the backup: {name!r}")
    return target


def backup(destination: Path) -> Summary:
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty")
    (destination / "files").mkdir(parents=True, exist_ok=True)
    settings_dict = connection.settings_dict
    engine = settings_dict["ENGINE"]
    if engine == POSTGRES:
        args, env = _postgres_env(settings_dict)
        target = destination / "database.dump"
        _run(
            ["pg_dump", *args, "--format=custom", "--no-owner", "--no-acl", "--file",
             str(target), str(settings_dict["NAME"])],
            env,
        )  # fmt: skip
    elif engine == SQLITE:
        connection.ensure_connection()
        with sqlite3.connect(destination / "database.sqlite3") as copy:
            connection.connection.backup(copy)
        copy.close()
    else:
        raise BackupError(f"backing up {engine} is not supported (PostgreSQL or SQLite)")

    files, total = [], 0
    for field, name in stored_files():
        target = _safe_target(destination / "files", name)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with field.storage.open(name, "rb") as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        size = target.stat().st_size
        total += size
        files.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    manifest = {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "engine": engine,
        "files": files,
    }
    (destination / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return Summary(engine=engine, files=len(files), bytes=total)


def restore(source: Path) -> Summary:
    source = Path(source)
    try:
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} holds no readable manifest.json: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a backup of this product ({FORMAT})")
    settings_dict = connection.settings_dict
    engine = settings_dict["ENGINE"]
    if manifest["engine"] != engine:
        raise BackupError(f"the backup is of {manifest['engine']}, this database is {engine}")
    # Check every file before touching anything.
    for item in manifest["files"]:
        target = _safe_target(source / "files", item["name"])
        if not target.is_file() or target.stat().st_size != item["size"]:
            raise BackupError(f"the backup's file {item['name']!r} is missing or truncated")

    connection.close()
    if engine == POSTGRES:
        args, env = _postgres_env(settings_dict)
        _run(
            ["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--no-acl",
             "--single-transaction", "--dbname", str(settings_dict["NAME"]),
             str(source / "database.dump")],
            env,
        )  # fmt: skip
    else:
        connection.ensure_connection()
        with sqlite3.connect(source / "database.sqlite3") as copy:
            copy.backup(connection.connection)
        copy.close()
        connection.close()

    from django.core.files.storage import default_storage

    # Each file back into the storage of the field that refers to it.
    storages = {name: field.storage for field, name in stored_files()}
    total = 0
    for item in manifest["files"]:
        storage = storages.get(item["name"], default_storage)
        if storage.exists(item["name"]):
            storage.delete(item["name"])
        with _safe_target(source / "files", item["name"]).open("rb") as handle:
            saved = storage.save(item["name"], handle)
        if saved != item["name"]:
            raise BackupError(f"the storage saved {item['name']!r} as {saved!r}")
        total += item["size"]
    return Summary(engine=engine, files=len(manifest["files"]), bytes=total)
