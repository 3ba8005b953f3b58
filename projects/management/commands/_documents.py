"""Shared by the interchange commands: read a document file, report errors."""

import sys
from pathlib import Path

from django.core.management.base import CommandError

from methodologies.engine import DocumentErrors, loads


def read_document_file(path: str):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{path} is not UTF-8 text") from error
    return loads(text)


def exit_with_errors(errors: DocumentErrors) -> None:
    """Every error on its own line as `path: message`, then a non-zero exit."""
    for error in errors.errors:
        sys.stderr.write(f"{error}\n")
    raise SystemExit(1)
