"""The calculation part of an `offset-plan/1` document, read into plain dataclasses.

`read_calculation` reads only what the results need — `format`, `plan.type`,
`plan.crediting_period` and the whole `calculation` object — following plan-format.md, and
leaves every other key to the product. Reference figures (emission factors by year, refrigerant
GWP and ODP) come in as a `ReferenceData`, filled by the caller from wherever it keeps them.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from methodologies.engine.errors import DocumentErrors
from methodologies.engine.jsonio import duplicate_key_errors, size_errors
from methodologies.engine.reader import MISSING, Reader, index_path, key_path

FORMAT = "offset-plan/1"
PLAN_TYPES = ("individual", "sub_project")
GWP_EDITIONS = ("AR4", "AR5", "AR6")
DEFAULT_GWP_EDITION = "AR5"
SERVICE_LEVEL_MODES = ("aggregate", "range", "per_point")
MAX_ANNUAL_HOURS = 8784  # a leap year
MAX_PERIOD_HOURS = 744  # a 31-day month

# The three group shapes, told by their keys.
POWER, CHILLER, PERIODS = "power", "chiller", "periods"
SHAPE_KEYS = {
    POWER: ("power_kw", "annual_hours"),
    CHILLER: ("capacity_rt", "kw_per_rt", "annual_hours"),
    PERIODS: ("periods",),
}
ALL_SHAPE_KEYS = frozenset(key for keys in SHAPE_KEYS.values() for key in keys)


@dataclass(frozen=True)
class GroupRules:
    """What differs between a plan's sides and a monitoring report's: the key of the operating
    hours and their limit (None: no limit known, as when the period itself is wrong), the key of
    the refrigerant quantity, and the inclusive dates every month of a metered group must touch
    (None: any month)."""

    hours_key: str = "annual_hours"
    max_hours: int | None = MAX_ANNUAL_HOURS
    quantity_key: str = "annual_quantity_t"
    months_within: tuple[date, date] | None = None

    def shape_keys(self, shape: str) -> tuple[str, ...]:
        return tuple(self.hours_key if k == "annual_hours" else k for k in SHAPE_KEYS[shape])

    def all_shape_keys(self) -> frozenset[str]:
        return frozenset(k for shape in SHAPE_KEYS for k in self.shape_keys(shape))


PLAN_RULES = GroupRules()


@dataclass(frozen=True)
class Period:
    """One month of a metered group: power × hours, or the energy itself (then power/hours None)."""

    period: str
    power_kw: Decimal | None
    hours: Decimal | None
    energy_kwh: Decimal | None


@dataclass(frozen=True)
class Group:
    """One kind of equipment; `shape` says which of the optional fields are set.

    `annual_hours` holds the operating hours the energy counts: a year's (`annual_hours` of a
    plan) or the monitoring period's (`hours` of a monitoring report).
    """

    name: str
    count: int
    shape: str  # "power" | "chiller" | "periods"
    power_kw: Decimal | None = None
    capacity_rt: Decimal | None = None
    kw_per_rt: Decimal | None = None
    annual_hours: Decimal | None = None
    periods: tuple[Period, ...] = ()


@dataclass(frozen=True)
class Refrigerant:
    """Q_ref and its GWP/ODP; `annual_quantity_t` holds a year's tonnes (plan) or the monitoring
    period's (`quantity_t` of a monitoring report)."""

    code: str
    annual_quantity_t: Decimal
    gwp: Decimal
    odp: Decimal | None  # None only for a baseline refrigerant missing from the table
    gwp_from_table: bool
    odp_from_table: bool
    unconfirmed: bool  # the GWP came from a table row marked unconfirmed


@dataclass(frozen=True)
class Side:
    """The baseline or the project: its equipment groups and its refrigerant, if any."""

    groups: tuple[Group, ...]
    refrigerant: Refrigerant | None


@dataclass(frozen=True)
class ServicePair:
    location: str
    baseline: Decimal
    project: Decimal


@dataclass(frozen=True)
class ServiceLevel:
    metric: str
    mode: str  # "aggregate" | "range" | "per_point"
    pairs: tuple[ServicePair, ...]


@dataclass(frozen=True)
class CalculationInput:
    plan_type: str  # "individual" | "sub_project"
    crediting_start: date
    crediting_end: date
    emission_factor: Decimal  # kgCO2e/kWh
    emission_factor_year: int | None
    emission_factor_from_table: bool
    emission_factor_unconfirmed: bool
    line_loss: Decimal
    baseline: Side
    project: Side
    leakage_tco2e: Decimal
    service_level: ServiceLevel | None
    gwp_edition: str  # "AR4" | "AR5" | "AR6"


@dataclass(frozen=True)
class RefrigerantData:
    """A reference table row; a GWP published as "<1" is stored as 1 by the caller."""

    code: str
    gwp: Mapping[str, Decimal]  # edition -> tCO2e per tonne
    odp: Decimal
    unconfirmed_editions: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ReferenceData:
    emission_factors: Mapping[int, Decimal]  # year -> kgCO2e/kWh
    unconfirmed_factor_years: frozenset[int]
    refrigerants: Mapping[str, RefrigerantData]  # code as the table spells it -> row


def parse_calculation_document(doc: Any, reference: ReferenceData) -> CalculationInput:
    """Read a parsed document on its own; raises DocumentErrors listing every error found.

    Duplicate keys are refused anywhere in the document, other keys outside the calculation
    part are not looked at. A document over a size limit (a list or a string too long, see
    `size_errors`) is refused with those errors alone, before anything else is read.
    """
    oversized = size_errors(doc)
    if oversized:
        raise DocumentErrors(oversized)
    reader = Reader()
    for error in duplicate_key_errors(doc):
        reader.add(error)
    calculation = read_calculation(doc, reference, reader)
    if reader.errors or calculation is None:
        raise DocumentErrors(reader.errors)
    return calculation


def read_calculation(doc: Any, reference: ReferenceData, reader: Reader) -> CalculationInput | None:
    """Read `format`, `plan.type`, `plan.crediting_period` and `calculation` from a document.

    Errors go to `reader`; returns None when any was found in these parts.
    """
    # A reader of our own tells whether *these* parts had errors, even ones `reader` already
    # holds (a duplicate key reported by duplicate_key_errors, say).
    local = Reader()
    result = _read(doc, reference, local)
    for error in local.errors:
        reader.add(error)
    return None if local.errors else result


def _read(doc: Any, reference: ReferenceData, r: Reader) -> CalculationInput | None:
    root = r.obj(doc, "$", required=("format", "plan", "calculation"), allow_other_keys=True)
    if root is None:
        return None
    if r.string(root, "format", "$", required=True) not in (None, FORMAT):
        r.error("format", f'must be "{FORMAT}"', "wrong_format", format=FORMAT)

    plan = r.obj(
        root.get("plan", MISSING),
        "plan",
        required=("type", "crediting_period"),
        allow_other_keys=True,
    )
    plan_type = r.string(plan, "type", "plan", required=True, choices=PLAN_TYPES)
    start, end = read_crediting_period(plan, r)

    path = "calculation"
    calc = r.obj(
        root.get("calculation", MISSING),
        path,
        required=("emission_factor", "line_loss", "baseline", "project"),
        optional=("leakage_tco2e", "service_level", "gwp_edition"),
    )
    if calc is None:
        return None
    gwp_edition = read_gwp_edition(calc, path, r)
    factor = read_emission_factor(calc, path, reference, r)
    line_loss = r.quantity(calc, "line_loss", path, required=True, below_one=True)
    baseline = read_side(calc, path, "baseline", reference, gwp_edition, r)
    project = read_side(calc, path, "project", reference, gwp_edition, r)
    leakage = read_leakage(calc, path, r)
    service_level = _read_service_level(calc, r)

    if r.errors:
        return None
    value, year, from_table, unconfirmed = factor
    return CalculationInput(
        plan_type=plan_type,
        crediting_start=start,
        crediting_end=end,
        emission_factor=value,
        emission_factor_year=year,
        emission_factor_from_table=from_table,
        emission_factor_unconfirmed=unconfirmed,
        line_loss=line_loss,
        baseline=baseline,
        project=project,
        leakage_tco2e=leakage,
        service_level=service_level,
        gwp_edition=gwp_edition,
    )


def read_gwp_edition(calc: dict, section: str, r: Reader) -> str | None:
    """`{section}.gwp_edition`: "AR4", "AR5" or "AR6"; absent means AR5 (None when wrong)."""
    if "gwp_edition" not in calc:
        return DEFAULT_GWP_EDITION
    return r.string(calc, "gwp_edition", section, required=True, choices=GWP_EDITIONS)


def read_leakage(calc: dict, section: str, r: Reader) -> Decimal | None:
    """`{section}.leakage_tco2e`, LE_y in tonnes; absent means 0 (None when wrong)."""
    if "leakage_tco2e" not in calc:
        return Decimal(0)
    return r.quantity(calc, "leakage_tco2e", section, required=True)


def read_crediting_period(plan: dict | None, r: Reader) -> tuple[date | None, date | None]:
    """`plan.crediting_period`: both dates, the end not before the start."""
    if plan is None:
        return None, None
    return read_date_range(plan, "plan", "crediting_period", r)


def read_date_range(
    parent: dict | None, parent_path: str, key: str, r: Reader
) -> tuple[date | None, date | None]:
    """`{"start", "end"}`, inclusive dates, both required; an end before the start is an
    error at its `end`."""
    if parent is None:
        return None, None
    path = key_path(parent_path, key)
    period = r.obj(parent.get(key, MISSING), path, required=("start", "end"))
    start = r.date(period, "start", path, required=True)
    end = r.date(period, "end", path, required=True)
    if start is not None and end is not None and end < start:
        r.error(key_path(path, "end"), "must not be before the start", "end_before_start")
    return start, end


def read_emission_factor(
    calc: dict, section: str, reference: ReferenceData, r: Reader, *, year_required: bool = False
) -> tuple[Decimal | None, int | None, bool, bool]:
    """(value, year, from_table, unconfirmed) of `{section}.emission_factor`; `value` wins over
    `year`, which is then recorded. A monitoring report needs the `year` (`year_required`)."""
    path = key_path(section, "emission_factor")
    factor = r.obj(calc.get("emission_factor", MISSING), path, optional=("value", "year"))
    if factor is None:
        return None, None, False, False
    value = r.quantity(factor, "value", path, positive=True)
    year = r.integer(factor, "year", path, required=year_required, minimum=1, maximum=9999)
    if "value" in factor:
        return value, year, False, False
    if "year" not in factor:
        if not year_required:  # else the year is reported as required, above
            r.error(path, 'needs "value" or "year"', "factor_needs_value_or_year")
        return None, None, False, False
    if year is None:
        return None, None, False, False
    if year not in reference.emission_factors:
        r.error(
            key_path(path, "year"),
            f"no emission factor for {year} in the reference table",
            "no_factor_for_year",
            year=year,
        )
        return None, year, False, False
    unconfirmed = year in reference.unconfirmed_factor_years
    return reference.emission_factors[year], year, True, unconfirmed


def read_side(
    calc: dict,
    section: str,
    role: str,
    reference: ReferenceData,
    gwp_edition: str | None,
    r: Reader,
    rules: GroupRules = PLAN_RULES,
) -> Side | None:
    """`{section}.baseline` or `{section}.project`: at least one group, and a refrigerant."""
    path = key_path(section, role)
    side = r.obj(calc.get(role, MISSING), path, required=("groups",), optional=("refrigerant",))
    items = r.array(side, "groups", path, required=True, min_items=1)
    groups_path = key_path(path, "groups")
    groups = [
        _read_group(item, index_path(groups_path, i), r, rules)
        for i, item in enumerate(items or [])
    ]
    refrigerant = None
    if side is not None and side.get("refrigerant") is not None:
        refrigerant = _read_refrigerant(
            side["refrigerant"],
            key_path(path, "refrigerant"),
            role,
            reference,
            gwp_edition,
            r,
            rules.quantity_key,
        )
    if side is None or items is None or None in groups:
        return None
    return Side(groups=tuple(groups), refrigerant=refrigerant)


def _read_group(item: Any, path: str, r: Reader, rules: GroupRules) -> Group | None:
    if not isinstance(item, dict):
        r.obj(item, path)  # reports null or not an object
        return None
    shapes = []
    if "power_kw" in item:
        shapes.append(POWER)
    if "capacity_rt" in item or "kw_per_rt" in item:
        shapes.append(CHILLER)
    if "periods" in item:
        shapes.append(PERIODS)
    if len(shapes) != 1:
        # One error for the shape; still check the keys every shape shares.
        group = r.obj(item, path, required=("name", "count"), optional=rules.all_shape_keys())
        r.string(group, "name", path, required=True)
        r.count(group, "count", path, required=True)
        if shapes:
            r.error(
                path,
                f"mixes shapes ({' and '.join(shapes)}); give only one",
                "mixed_shapes",
                shapes=tuple(shapes),
            )
        else:
            r.error(
                path,
                'has no shape: give "power_kw", "capacity_rt" with "kw_per_rt", or "periods"',
                "no_shape",
            )
        return None

    shape = shapes[0]
    group = r.obj(item, path, required=("name", "count", *rules.shape_keys(shape)))
    name = r.string(group, "name", path, required=True)
    count = r.count(group, "count", path, required=True)
    if shape == PERIODS:
        periods = _read_periods(group, path, r, rules.months_within)
        if name is None or count is None or periods is None:
            return None
        return Group(name=name, count=count, shape=shape, periods=periods)

    values = {}
    for key in SHAPE_KEYS[shape]:
        # The hours are read at the key the rules name (`annual_hours` or `hours`).
        if key == "annual_hours":
            values[key] = r.quantity(
                group, rules.hours_key, path, required=True, maximum=rules.max_hours
            )
        else:
            values[key] = r.quantity(group, key, path, required=True)
    if name is None or count is None or None in values.values():
        return None
    return Group(name=name, count=count, shape=shape, **values)


def _read_periods(
    group: dict, path: str, r: Reader, months_within: tuple[date, date] | None
) -> tuple[Period, ...] | None:
    items = r.array(group, "periods", path, required=True, min_items=1)
    if items is None:
        return None
    periods_path = key_path(path, "periods")
    periods = []
    seen = set()
    for i, item in enumerate(items):
        here = index_path(periods_path, i)
        period = _read_period(item, here, r)
        if period is not None and months_within is not None:
            period = _month_within(period, key_path(here, "period"), months_within, r)
        # Compared as written, so that a repeat shows even where the first had other errors.
        month = item.get("period") if isinstance(item, dict) else None
        if isinstance(month, str):
            if month in seen:
                r.error(
                    key_path(here, "period"),
                    f"{month} appears twice in this group",
                    "period_twice",
                    month=month,
                )
                period = None
            seen.add(month)
        periods.append(period)
    return None if None in periods else tuple(periods)


def _month_within(period: Period, path: str, within: tuple[date, date], r: Reader) -> Period | None:
    """The period, or None after an error when its month shares no day with `within`."""
    year, month = int(period.period[:4]), int(period.period[5:])
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    start, end = within
    if last < start or first > end:
        r.error(
            path,
            f"{period.period} lies outside the period {start.isoformat()} to {end.isoformat()}",
            "month_outside_period",
            month=period.period,
            start=start.isoformat(),
            end=end.isoformat(),
        )
        return None
    return period


def _read_period(item: Any, path: str, r: Reader) -> Period | None:
    if not isinstance(item, dict):
        r.obj(item, path)
        return None
    metered = "energy_kwh" in item
    powered = "power_kw" in item or "hours" in item
    if metered and powered:
        r.obj(item, path, required=("period",), optional=("energy_kwh", "power_kw", "hours"))
        r.month(item, "period", path, required=True)
        r.error(
            path,
            'gives "energy_kwh" and "power_kw"/"hours"; give one or the other',
            "period_energy_and_power",
        )
        return None
    if not metered and not powered:
        r.obj(item, path, required=("period",))
        r.month(item, "period", path, required=True)
        r.error(
            path, 'needs "power_kw" with "hours", or "energy_kwh"', "period_needs_energy_or_power"
        )
        return None

    if metered:
        period = r.obj(item, path, required=("period", "energy_kwh"))
        month = r.month(period, "period", path, required=True)
        energy = r.quantity(period, "energy_kwh", path, required=True)
        if month is None or energy is None:
            return None
        return Period(period=month, power_kw=None, hours=None, energy_kwh=energy)

    period = r.obj(item, path, required=("period", "power_kw", "hours"))
    month = r.month(period, "period", path, required=True)
    power = r.quantity(period, "power_kw", path, required=True)
    hours = r.quantity(period, "hours", path, required=True, maximum=MAX_PERIOD_HOURS)
    if month is None or power is None or hours is None:
        return None
    return Period(period=month, power_kw=power, hours=hours, energy_kwh=None)


def _read_refrigerant(
    item: Any,
    path: str,
    role: str,
    reference: ReferenceData,
    gwp_edition: str | None,
    r: Reader,
    quantity_key: str,
) -> Refrigerant | None:
    """A refrigerant; an absent `gwp` or `odp` comes from the reference table row of its code."""
    ref = r.obj(item, path, required=("code", quantity_key), optional=("gwp", "odp"))
    code = r.string(ref, "code", path, required=True)
    quantity = r.quantity(ref, quantity_key, path, required=True)
    gwp = r.quantity(ref, "gwp", path)
    odp = r.quantity(ref, "odp", path)
    if ref is None or code is None:
        return None

    row = reference.refrigerants.get(code)
    code_path = key_path(path, "code")
    # The project's ODP decides the refrigerant_odp check, so it must be known.
    needed = ["gwp", "odp"] if role == "project" else ["gwp"]
    missing = [key for key in needed if key not in ref]
    if row is None and missing:
        keys = " and ".join(f'"{key}"' for key in missing)
        r.error(
            code_path,
            f"{code} is not in the reference table; give {keys}",
            "refrigerant_not_in_table",
            refrigerant=code,
            keys=tuple(missing),
        )
        return None

    gwp_from_table = "gwp" not in ref  # only possible with a table row, see above
    odp_from_table = "odp" not in ref and row is not None
    unconfirmed = False
    if gwp_from_table:
        if gwp_edition is None:
            return None  # the edition is wrong, and reported
        if gwp_edition not in row.gwp:
            r.error(
                code_path,
                f'{code} has no {gwp_edition} GWP in the reference table; give "gwp"',
                "refrigerant_no_edition",
                refrigerant=code,
                edition=gwp_edition,
            )
            return None
        gwp = row.gwp[gwp_edition]
        unconfirmed = gwp_edition in row.unconfirmed_editions
    if odp_from_table:
        odp = row.odp
    if quantity is None or gwp is None or (odp is None and role == "project"):
        return None
    return Refrigerant(code, quantity, gwp, odp, gwp_from_table, odp_from_table, unconfirmed)


def _read_service_level(calc: dict, r: Reader) -> ServiceLevel | None:
    path = "calculation.service_level"
    level = r.obj(
        calc.get("service_level", MISSING),
        path,
        required=("metric", "mode", "pairs"),
        nullable=True,
    )
    metric = r.string(level, "metric", path, required=True)
    mode = r.string(level, "mode", path, required=True, choices=SERVICE_LEVEL_MODES)
    items = r.array(level, "pairs", path, required=True, min_items=1)
    pairs_path = key_path(path, "pairs")
    pairs = []
    for i, item in enumerate(items or []):
        here = index_path(pairs_path, i)
        pair = r.obj(item, here, required=("location", "baseline", "project"))
        location = r.string(pair, "location", here, required=True)
        baseline = r.quantity(pair, "baseline", here, required=True, positive=True)
        project = r.quantity(pair, "project", here, required=True, positive=True)
        if None in (location, baseline, project):
            pairs.append(None)
        else:
            pairs.append(ServicePair(location, baseline, project))
    if level is None or metric is None or mode is None or items is None or None in pairs:
        return None
    return ServiceLevel(metric=metric, mode=mode, pairs=tuple(pairs))
