"""Shared test material for the engine: the Taiwan reference figures and a document builder."""

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

from methodologies.engine import (
    CalculationInput,
    DocumentErrors,
    ReferenceData,
    RefrigerantData,
    Results,
    calculate,
    loads,
    parse_calculation_document,
)

DATA = Path(__file__).resolve().parent.parent / "data"


def _refrigerant(code, ar4, ar5, ar6, odp, unconfirmed=()):
    gwp = {"AR4": Decimal(ar4), "AR5": Decimal(ar5), "AR6": Decimal(ar6)}
    return RefrigerantData(code, gwp, Decimal(odp), frozenset(unconfirmed))


def taiwan_reference() -> ReferenceData:
    """The figures of ../shared/reference/taiwan-reference-data.md ("<1" stored as 1)."""
    factors = {
        2013: "0.522",
        2016: "0.529",
        2017: "0.554",
        2018: "0.533",
        2019: "0.509",
        2020: "0.502",
        2021: "0.509",
        2022: "0.495",
        2023: "0.494",
        2024: "0.474",
        2025: "0.467",
    }
    refrigerants = [
        _refrigerant("R-22", "1810", "1760", "1960", "0.055", {"AR6"}),
        _refrigerant("R-123", "77", "79", "90", "0.02", {"AR6"}),
        _refrigerant("R-134a", "1430", "1300", "1530", "0"),
        _refrigerant("R-32", "675", "677", "771", "0"),
        _refrigerant("R-410A", "2088", "1924", "2256", "0"),
        _refrigerant("R-407C", "1774", "1624", "1908", "0"),
        _refrigerant("R-404A", "3922", "3943", "4728", "0"),
        _refrigerant("R-1234yf", "1", "1", "1", "0"),
        _refrigerant("R-290", "3", "5", "0.02", "0", {"AR4", "AR5", "AR6"}),
        _refrigerant("R-717", "0", "0", "0", "0"),
    ]
    return ReferenceData(
        emission_factors={year: Decimal(value) for year, value in factors.items()},
        unconfirmed_factor_years=frozenset({2025}),
        refrigerants={row.code: row for row in refrigerants},
    )


REFERENCE = taiwan_reference()


def fixture_text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def power_group(count=1, power_kw="1", annual_hours="1000", name="lamp") -> dict:
    return {"name": name, "count": count, "power_kw": power_kw, "annual_hours": annual_hours}


def document(**calculation: Any) -> dict:
    """A small valid individual plan; keyword arguments replace keys of `calculation`.

    Baseline 1000 kWh, project 500 kWh, factor 0.5, no loss: ER_y = 0.25 t.
    """
    calc = {
        "emission_factor": {"value": "0.5"},
        "line_loss": "0",
        "baseline": {"groups": [power_group(power_kw="1")], "refrigerant": None},
        "project": {"groups": [power_group(power_kw="0.5")], "refrigerant": None},
    }
    calc.update(copy.deepcopy(calculation))
    return {
        "format": "offset-plan/1",
        "plan": {
            "type": "individual",
            "crediting_period": {"start": "2021-01-01", "end": "2030-12-31"},
        },
        "calculation": calc,
    }


def parse(doc: Any) -> CalculationInput:
    return parse_calculation_document(doc, REFERENCE)


def run(doc: Any) -> Results:
    return calculate(parse(doc))


def run_text(text: str) -> Results:
    return run(loads(text))


def errors_of(doc: Any) -> list[str]:
    """The `path: message` lines a refused document gets (fails if it is accepted)."""
    try:
        parse(doc)
    except DocumentErrors as refused:
        return [str(error) for error in refused.errors]
    raise AssertionError("the document was accepted")


def error_paths(doc: Any) -> set[str]:
    return {line.split(": ", 1)[0] for line in errors_of(doc)}
