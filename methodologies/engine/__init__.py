"""The AMS-II.C calculation engine: pure Python, no Django.

Read a document with `jsonio.loads`, turn its calculation part into a `CalculationInput` with
`parse_calculation_document` (or `read_calculation` with a shared `Reader`), then `calculate`
it and write `Results.to_json()` out with `jsonio.dumps`.
"""

from methodologies.engine.calculation import (
    Check,
    DisplayFigures,
    Results,
    SideFigures,
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
from methodologies.engine.jsonio import (
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    MAX_GROUPS,
    MAX_ITEMS,
    MAX_PERIODS,
    MAX_STRING,
    dumps,
    duplicate_key_errors,
    loads,
    size_errors,
    too_large_error,
)
from methodologies.engine.reader import MISSING, Reader, index_path, key_path

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_GROUPS",
    "MAX_ITEMS",
    "MAX_PERIODS",
    "MAX_STRING",
    "MISSING",
    "CalculationInput",
    "Check",
    "DisplayFigures",
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
    "SideFigures",
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
    "size_errors",
    "too_large_error",
]
