"""Shared by the interchange commands: read a document file, report errors."""

import os
import sys
from pathlib import Path

from django.core.management.base import CommandError

from methodologies.engine import MAX_DOCUMENT_BYTES, DocumentErrors, loads, too_large_error


def read_document_file(path: str):
    """The parsed document; one over the byte limit is refused at `$` before it is read."""
    try:
        with Path(path).open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_DOCUMENT_BYTES:
                raise DocumentErrors([too_large_error(size)])
            # One byte more than the limit tells a file that grew meanwhile (or a pipe).
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    return loads(data)


def exit_with_errors(errors: DocumentErrors) -> None:
    """Every error on its own line as `path: message`, then a non-zero exit."""
    for error in errors.errors:
        sys.stderr.write(f"{error}\n")
    raise SystemExit(1)
