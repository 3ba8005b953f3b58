"""Reference figures: today's tables as the engine's ReferenceData, and snapshots of them.

A snapshot (`reference_snapshot`) is a JSON object holding every reference value a plan
document is computed and printed with: the emission factor of its year, its refrigerants'
GWP by edition and ODP, the methodology's applicability conditions and the regulation
checklist. A frozen version keeps one in `PlanVersion.reference`, so that its results and
its PDF never depend on today's tables; `reference_from_snapshot` turns it back into the
engine's ReferenceData without touching the database.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.utils import translation

from methodologies.engine import DocumentErrors, ReferenceData, RefrigerantData, Results, calculate
from methodologies.engine import parse_calculation_document as _parse
from methodologies.models import (
    ApplicabilityCondition,
    EmissionFactor,
    Methodology,
    Refrigerant,
    Regulation,
    RegulationGroup,
)

SNAPSHOT_FORMAT = "offset-plan-reference/1"
LIVE_MODELS = {
    model.__name__: model
    for model in (ApplicabilityCondition, EmissionFactor, Methodology, Refrigerant, Regulation)
}
DEFAULT_METHODOLOGY = ("AMS-II.C", "15.0")
# Set by `reference_data_read_once`: the figures read so far in that block.
_read_once: ContextVar[dict | None] = ContextVar("reference_data_read_once", default=None)


@contextmanager
def reference_data_read_once() -> Iterator[None]:
    """Inside the block, `load_reference_data` reads the tables once and returns
    the same figures after that: for one request that builds forms, calculates
    and checks (a preview), where the tables do not change."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def load_reference_data() -> ReferenceData:
    """Every emission factor and refrigerant of today's tables."""
    read = _read_once.get()
    if read is not None:
        if "data" not in read:
            read["data"] = _load_reference_data()
        return read["data"]
    return _load_reference_data()


def emission_factor_rows() -> list[EmissionFactor]:
    """Every emission factor row (the forms offer them by pk); read once inside
    `reference_data_read_once`, with the figures."""
    read = _read_once.get()
    if read is None:
        return list(EmissionFactor.objects.all())
    if "factors" not in read:
        read["factors"] = list(EmissionFactor.objects.all())
    return read["factors"]


def _load_reference_data() -> ReferenceData:
    factors = emission_factor_rows()
    # Each refrigerant with its GWPs in one query (a row per GWP, one without).
    rows: dict[str, dict] = {}
    for code, odp, edition, value, unconfirmed in Refrigerant.objects.values_list(
        "code", "odp", "gwps__edition", "gwps__value", "gwps__unconfirmed"
    ).order_by("code", "gwps__edition"):
        row = rows.setdefault(code, {"odp": odp, "gwp": {}, "unconfirmed": set()})
        if edition is not None:
            row["gwp"][edition] = value
            if unconfirmed:
                row["unconfirmed"].add(edition)
    refrigerants = {
        code: RefrigerantData(
            code=code,
            gwp=row["gwp"],
            odp=row["odp"],
            unconfirmed_editions=frozenset(row["unconfirmed"]),
        )
        for code, row in rows.items()
    }
    return ReferenceData(
        emission_factors={row.year: row.value for row in factors},
        unconfirmed_factor_years=frozenset(row.year for row in factors if row.unconfirmed),
        refrigerants=refrigerants,
    )


def _text(value: Decimal) -> str:
    return format(value, "f")


def _get(mapping: Any, *keys: str) -> Any:
    """mapping[k1][k2]…, or None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def methodology_of(document: dict) -> tuple[str, str]:
    """(code, version) of the document's methodology; AMS-II.C 15.0 where it names none."""
    code = _get(document, "plan", "methodology", "code")
    version = _get(document, "plan", "methodology", "version")
    return (
        code if isinstance(code, str) and code else DEFAULT_METHODOLOGY[0],
        version if isinstance(version, str) and version else DEFAULT_METHODOLOGY[1],
    )


def reference_snapshot(document: dict, apps=None) -> dict:
    """The reference figures `document` uses, from today's tables, as JSON.

    `apps` is a migration's app registry (historical models); by default the live models.
    Only the rows the document refers to are kept (its emission factor year, its
    refrigerant codes), plus the conditions of its methodology and the whole regulation
    checklist, which the PDF prints.
    """

    def model(name):
        return apps.get_model("methodologies", name) if apps else LIVE_MODELS[name]

    factor_year = _get(document, "calculation", "emission_factor", "year")
    factors = []
    if isinstance(factor_year, int) and not isinstance(factor_year, bool):
        factors = [
            {"year": row.year, "value": _text(row.value), "unconfirmed": row.unconfirmed}
            for row in model("EmissionFactor").objects.filter(year=factor_year)
        ]
    codes = sorted(
        {
            code
            for side in ("baseline", "project")
            if isinstance(code := _get(document, "calculation", side, "refrigerant", "code"), str)
        }
    )
    refrigerants = [
        {
            "code": row.code,
            "odp": _text(row.odp),
            "gwp": {gwp.edition: _text(gwp.value) for gwp in row.gwps.all()},
            "published_as": {gwp.edition: gwp.published_as for gwp in row.gwps.all()},
            "unconfirmed_editions": sorted(
                gwp.edition for gwp in row.gwps.all() if gwp.unconfirmed
            ),
        }
        for row in model("Refrigerant")
        .objects.filter(code__in=codes)
        .prefetch_related("gwps")
        .order_by("code")
    ]
    code, version = methodology_of(document)
    conditions = [
        {"number": row.number, "text": row.text, "check_id": row.check_id}
        for row in model("ApplicabilityCondition")
        .objects.filter(methodology__code=code, methodology__version=version)
        .order_by("number")
    ]
    names = (
        model("Methodology")
        .objects.filter(code=code, version=version)
        .values("title_zh", "title_en", "sector", "sector_name")
        .first()
    ) or {}
    with translation.override("zh-hant"):
        groups = [{"value": value, "label": str(label)} for value, label in RegulationGroup.choices]
    regulations = [
        {"code": row.code, "group": row.group, "name": row.name}
        for row in model("Regulation").objects.order_by("group", "order", "pk")
    ]
    snapshot = {
        "format": SNAPSHOT_FORMAT,
        "emission_factors": factors,
        "refrigerants": refrigerants,
        # Its names and sector as section 一 prints them, and its conditions.
        "methodology": {"code": code, "version": version, **names, "conditions": conditions},
        "regulation_groups": groups,
        "regulations": regulations,
    }
    used = _used_figures(document, snapshot)
    if used is not None:
        snapshot["used"] = used
    return snapshot


def _used_figures(document: dict, snapshot: dict) -> dict | None:
    """The figures the calculation takes, as the engine reads them; None while incomplete."""
    try:
        inp = _parse(document, reference_from_snapshot(snapshot))
    except DocumentErrors:
        return None

    def refrigerant(side):
        if side.refrigerant is None:
            return None
        r = side.refrigerant
        return {
            "code": r.code,
            "annual_quantity_t": _text(r.annual_quantity_t),
            "gwp": _text(r.gwp),
            "gwp_from_table": r.gwp_from_table,
            "odp": None if r.odp is None else _text(r.odp),
            "odp_from_table": r.odp_from_table,
            "unconfirmed": r.unconfirmed,
        }

    return {
        "emission_factor": {
            "value": _text(inp.emission_factor),
            "year": inp.emission_factor_year,
            "from_table": inp.emission_factor_from_table,
            "unconfirmed": inp.emission_factor_unconfirmed,
        },
        "line_loss": _text(inp.line_loss),
        "gwp_edition": inp.gwp_edition,
        "refrigerants": {
            "baseline": refrigerant(inp.baseline),
            "project": refrigerant(inp.project),
        },
    }


def reference_from_snapshot(snapshot: dict) -> ReferenceData:
    """The engine's ReferenceData from a snapshot, with no database query."""
    factors = snapshot.get("emission_factors", [])
    return ReferenceData(
        emission_factors={row["year"]: Decimal(row["value"]) for row in factors},
        unconfirmed_factor_years=frozenset(row["year"] for row in factors if row["unconfirmed"]),
        refrigerants={
            row["code"]: RefrigerantData(
                code=row["code"],
                gwp={edition: Decimal(value) for edition, value in row["gwp"].items()},
                odp=Decimal(row["odp"]),
                unconfirmed_editions=frozenset(row["unconfirmed_editions"]),
            )
            for row in snapshot.get("refrigerants", [])
        },
    )


def snapshot_results(document: dict, snapshot: dict) -> Results:
    """The engine's exact results of `document` computed with the snapshot's figures;
    raises DocumentErrors while the document is incomplete."""
    return calculate(_parse(document, reference_from_snapshot(snapshot)))
