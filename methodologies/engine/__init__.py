"""The AMS-II.C calculation engine: pure Python, no Django.

Read a document with `jsonio.loads`, turn its calculation part into a `CalculationInput` with
`parse_calculation_document` (or `read_calculation` with a shared `Reader`), then `calculate`
it and write `Results.to_json()` out with `jsonio.dumps`.
"""

from methodologies.engine.calculation import (
    Check,
    Results,
    calculate,
    crediting_years,
    floor_int,
    format_fixed,
    group_energy_kwh,
    round_half_away,
    round_half_away_int,
)
from methodologies.engine.document import (
    CalculationInput,
    Group,
    Period,
    ReferenceData,
    Refrigerant,
    RefrigerantData,
    ServiceLevel,
    ServicePair,
    Side,
    parse_calculation_document,
    read_calculation,
)
from methodologies.engine.errors import DocumentErrors, FieldError
from methodologies.engine.jsonio import dumps, duplicate_key_errors, loads
from methodologies.engine.reader import MISSING, Reader, index_path, key_path

__all__ = [
    "MISSING",
    "CalculationInput",
    "Check",
    "DocumentErrors",
    "FieldError",
    "Group",
    "Period",
    "Reader",
    "ReferenceData",
    "Refrigerant",
    "RefrigerantData",
    "Results",
    "ServiceLevel",
    "ServicePair",
    "Side",
    "calculate",
    "crediting_years",
    "dumps",
    "duplicate_key_errors",
    "floor_int",
    "format_fixed",
    "group_energy_kwh",
    "index_path",
    "key_path",
    "loads",
    "parse_calculation_document",
    "read_calculation",
    "round_half_away",
    "round_half_away_int",
]
