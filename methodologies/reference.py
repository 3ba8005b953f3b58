"""Build the engine's ReferenceData from the reference tables in the database."""

from methodologies.engine import ReferenceData, RefrigerantData
from methodologies.models import EmissionFactor, Refrigerant


def load_reference_data() -> ReferenceData:
    factors = EmissionFactor.objects.all()
    refrigerants = {}
    for refrigerant in Refrigerant.objects.prefetch_related("gwps"):
        gwps = list(refrigerant.gwps.all())
        refrigerants[refrigerant.code] = RefrigerantData(
            code=refrigerant.code,
            gwp={row.edition: row.value for row in gwps},
            odp=refrigerant.odp,
            unconfirmed_editions=frozenset(row.edition for row in gwps if row.unconfirmed),
        )
    return ReferenceData(
        emission_factors={row.year: row.value for row in factors},
        unconfirmed_factor_years=frozenset(row.year for row in factors if row.unconfirmed),
        refrigerants=refrigerants,
    )
