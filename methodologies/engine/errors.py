"""Errors found in an `offset-plan/1` document, each at its JSON path."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem in a document: where it is (`calculation.line_loss`, root `$`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DocumentErrors(Exception):
    """A document refused as a whole; `errors` lists every problem found in it."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
