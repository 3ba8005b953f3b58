"""The published figures seeded from taiwan-reference-data.md and their use."""

from decimal import Decimal

import pytest

from methodologies.engine import calculate, parse_calculation_document
from methodologies.models import (
    ApplicabilityCondition,
    EmissionFactor,
    LineLossRate,
    Refrigerant,
    RefrigerantGwp,
    Regulation,
    SavingTarget,
)
from methodologies.reference import load_reference_data

pytestmark = pytest.mark.django_db


def test_the_emission_factors_are_seeded_with_2025_unconfirmed():
    assert EmissionFactor.objects.get(year=2018).value == Decimal("0.533")
    assert EmissionFactor.objects.get(year=2019).value == Decimal("0.509")
    assert list(EmissionFactor.objects.filter(unconfirmed=True).values_list("year", flat=True)) == [
        2025
    ]
    assert all(row.source for row in EmissionFactor.objects.all())


def test_line_losses_are_fractions():
    assert LineLossRate.objects.get(year=2018).rate == Decimal("0.0394")
    assert LineLossRate.objects.count() == 7


def test_refrigerants_carry_gwp_per_edition_and_odp():
    r22 = Refrigerant.objects.get(code="R-22")
    assert r22.odp == Decimal("0.055")
    assert {g.edition: g.value for g in r22.gwps.all()} == {
        "AR4": Decimal("1810"),
        "AR5": Decimal("1760"),
        "AR6": Decimal("1960"),
    }
    assert r22.gwps.get(edition="AR6").unconfirmed
    below_one = RefrigerantGwp.objects.get(refrigerant__code="R-1234yf", edition="AR5")
    assert (below_one.value, below_one.published_as) == (Decimal("1"), "<1")
    assert Refrigerant.objects.count() == 10


def test_the_methodology_has_five_conditions_and_the_catalogue_twelve_regulations():
    assert ApplicabilityCondition.objects.filter(methodology__code="AMS-II.C").count() == 5
    assert Regulation.objects.count() == 12
    assert Regulation.objects.filter(group="local").count() == 4
    assert SavingTarget.objects.filter(first_year=2025, rate_percent=Decimal("1.5")).exists()


def test_the_engine_takes_a_factor_by_year_from_the_table(fixture_document):
    document = fixture_document("lighting-subproject.json")
    document["calculation"]["emission_factor"] = {"year": 2018}
    results = calculate(parse_calculation_document(document, load_reference_data()))
    assert results.to_json()["annual_reduction_tco2e"] == "4"


def test_an_administrator_correcting_a_factor_changes_the_calculation(fixture_document):
    document = fixture_document("lighting-subproject.json")
    document["calculation"]["emission_factor"] = {"year": 2018}
    EmissionFactor.objects.filter(year=2018).update(value=Decimal("1.2"))
    results = calculate(parse_calculation_document(document, load_reference_data()))
    assert results.to_json()["annual_reduction_tco2e"] == "10"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/methodologies/emissionfactor/",
        "/admin/methodologies/emissionfactor/add/",
        "/admin/methodologies/refrigerant/",
        "/admin/methodologies/linelossrate/",
        "/admin/methodologies/methodology/",
        "/admin/methodologies/regulation/",
        "/admin/methodologies/savingtarget/",
    ],
)
def test_reference_data_is_editable_in_the_admin(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_an_administrator_edits_a_refrigerant_with_its_gwps(admin_client):
    refrigerant = Refrigerant.objects.get(code="R-32")
    response = admin_client.get(f"/admin/methodologies/refrigerant/{refrigerant.pk}/change/")
    assert response.status_code == 200
    assert "677" in response.content.decode()
