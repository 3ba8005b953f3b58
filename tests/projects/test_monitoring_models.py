"""Monitoring reports: numbered 1, 2, 3… per registered plan, each period within
one calendar year, within the registered crediting period and apart from the
plan's other reports; written as an `offset-monitoring/1` document."""

import datetime
import json
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from projects.models import FrozenError, Organisation, Programme
from projects.monitoring.entry import report_set_period
from projects.monitoring.models import (
    MonitoringEvent,
    MonitoringGroup,
    MonitoringGroupPeriod,
    MonitoringRefrigerant,
    MonitoringReport,
    MonitoringReportVersion,
)
from projects.monitoring.services import MonitoringError, create_report, report_document
from projects.registration.models import NumberingScheme
from projects.registration.services import register_plan
from tests.conftest import DATA
from tests.projects.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    approved_plan,
    lighting_with_people,
)

D = datetime.date


def _registered_lighting(demo_document):
    """The lighting sub-project approved and registered on 2021-01-01 as
    B-0000271-002 (crediting period 2021-01-01 to 2030-12-31)."""
    plan, editor, reviewer = lighting_with_people(demo_document("lighting-subproject.json"))
    plan = approved_plan(plan, editor, reviewer, approved_on=D(2020, 12, 1))
    Programme.objects.filter(pk=plan.programme_id).update(project_number="B-0000271")
    NumberingScheme.objects.create(
        programme=plan.programme, pattern="{programme}-{seq:3}", next_sequence=2
    )
    return register_plan(plan, by=reviewer, registered_on=D(2021, 1, 1)), editor, reviewer


@pytest.fixture
def registered(db, demo_document):
    return _registered_lighting(demo_document)


def refused_fields(error: ValidationError) -> dict[str, str]:
    return {field: " ".join(messages) for field, messages in error.message_dict.items()}


def test_reports_are_numbered_one_two_three_per_plan(registered):
    plan, editor, _ = registered
    numbers = [
        create_report(plan, by=editor, period_start=D(year, 1, 1), period_end=D(year, 12, 31))
        for year in (2023, 2021, 2022)
    ]
    assert [report.number for report in numbers] == [1, 2, 3]
    report = numbers[0]
    assert report.status == MonitoringReport.Status.DRAFT
    assert report.emission_factor_year == 2023
    assert report.line_loss == plan.line_loss == Decimal("0.0394")
    assert report.created_by == editor
    assert MonitoringEvent.objects.filter(report=report, kind="created").count() == 1


def test_a_period_spanning_two_calendar_years_is_refused(registered):
    plan, editor, _ = registered
    with pytest.raises(ValidationError) as refused:
        create_report(plan, by=editor, period_start=D(2021, 7, 1), period_end=D(2022, 6, 30))
    assert "同一日曆年" in refused_fields(refused.value)["period_end"]
    assert not MonitoringReport.objects.exists()


def test_a_period_outside_the_registered_crediting_period_is_refused(registered):
    plan, editor, _ = registered
    with pytest.raises(ValidationError) as refused:
        create_report(plan, by=editor, period_start=D(2020, 1, 1), period_end=D(2020, 12, 31))
    assert (
        "註冊計入期 110年1月1日 至 119年12月31日" in refused_fields(refused.value)["period_start"]
    )
    with pytest.raises(ValidationError) as refused:
        create_report(plan, by=editor, period_start=D(2031, 1, 1), period_end=D(2031, 3, 31))
    assert "註冊計入期" in refused_fields(refused.value)["period_end"]
    assert not MonitoringReport.objects.exists()


def test_a_period_overlapping_another_report_is_refused_naming_it(registered):
    plan, editor, _ = registered
    create_report(plan, by=editor, period_start=D(2022, 1, 1), period_end=D(2022, 6, 30))
    with pytest.raises(ValidationError) as refused:
        create_report(plan, by=editor, period_start=D(2022, 6, 30), period_end=D(2022, 12, 31))
    assert (
        "與第 1 號監測報告書（111年1月1日 至 111年6月30日）重疊"
        in (refused_fields(refused.value)["period_start"])
    )
    # The day after is free.
    create_report(plan, by=editor, period_start=D(2022, 7, 1), period_end=D(2022, 12, 31))
    assert MonitoringReport.objects.count() == 2


def test_a_period_ending_before_it_starts_is_refused(registered):
    plan, editor, _ = registered
    with pytest.raises(ValidationError) as refused:
        create_report(plan, by=editor, period_start=D(2022, 5, 1), period_end=D(2022, 4, 30))
    assert "結束日不可早於開始日" in refused_fields(refused.value)["period_end"]


def test_an_unregistered_plan_has_no_reports(db, demo_document):
    plan, editor, reviewer = lighting_with_people(demo_document("lighting-subproject.json"))
    plan = approved_plan(plan, editor, reviewer)
    with pytest.raises(MonitoringError, match="註冊後才能提出監測報告書"):
        create_report(plan, by=editor, period_start=D(2022, 1, 1), period_end=D(2022, 12, 31))


@pytest.mark.parametrize("who", ["reviewer", "viewer", "outsider"])
def test_only_the_applicants_editors_create_reports(registered, who):
    plan, _, reviewer = registered
    user = {
        "reviewer": reviewer,
        "viewer": MembershipFactory(organisation=plan.organisation, role="viewer").user,
        "outsider": UserFactory(),
    }[who]
    with pytest.raises(MonitoringError, match="只有申請單位的編輯者"):
        create_report(plan, by=user, period_start=D(2022, 1, 1), period_end=D(2022, 12, 31))
    assert not MonitoringReport.objects.exists()


def test_changing_a_period_keeps_the_rules_and_ignores_the_report_itself(registered):
    plan, editor, _ = registered
    first = create_report(plan, by=editor, period_start=D(2021, 1, 1), period_end=D(2021, 6, 30))
    second = create_report(plan, by=editor, period_start=D(2021, 7, 1), period_end=D(2021, 12, 31))
    first = report_set_period(
        first, by=editor, period_start=D(2021, 1, 1), period_end=D(2021, 5, 31)
    ).report
    assert (first.period_end, first.revision) == (D(2021, 5, 31), 1)
    with pytest.raises(ValidationError):
        report_set_period(second, by=editor, period_start=D(2021, 5, 1), period_end=D(2021, 12, 31))
    second.refresh_from_db()
    assert second.period_start == D(2021, 7, 1)


def test_clean_refuses_what_the_service_refuses(registered):
    plan, editor, _ = registered
    create_report(plan, by=editor, period_start=D(2022, 1, 1), period_end=D(2022, 12, 31))
    overlapping = MonitoringReport(
        plan=plan,
        number=9,
        period_start=D(2022, 3, 1),
        period_end=D(2022, 3, 31),
        emission_factor_year=2022,
        created_by=editor,
    )
    with pytest.raises(ValidationError) as refused:
        overlapping.full_clean()
    assert "重疊" in refused_fields(refused.value)["period_start"]


def test_the_database_refuses_a_period_across_two_years(registered):
    plan, editor, _ = registered
    with pytest.raises(IntegrityError), transaction.atomic():
        MonitoringReport.objects.create(
            plan=plan,
            number=1,
            period_start=D(2021, 12, 1),
            period_end=D(2022, 1, 31),
            emission_factor_year=2021,
            created_by=editor,
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="an exclusion constraint")
def test_on_postgresql_the_database_refuses_overlapping_periods(registered):
    plan, editor, _ = registered
    create_report(plan, by=editor, period_start=D(2022, 1, 1), period_end=D(2022, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        MonitoringReport.objects.create(
            plan=plan,
            number=2,
            period_start=D(2022, 12, 31),
            period_end=D(2022, 12, 31),
            emission_factor_year=2022,
            created_by=editor,
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_reports_created_at_once_get_distinct_numbers_and_never_overlap(
    demo_document, reference_data
):
    plan, editor, _ = _registered_lighting(demo_document)
    periods = [(D(2022, 1, 1), D(2022, 12, 31))] * 2 + [
        (D(2023, m, 1), D(2023, m, 28)) for m in range(1, 5)
    ]
    barrier = threading.Barrier(len(periods))
    results = [None] * len(periods)

    def create(index, start, end):
        try:
            barrier.wait(10)
            results[index] = create_report(plan, by=editor, period_start=start, period_end=end)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i, *p)) for i, p in enumerate(periods)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    created = [r for r in results if isinstance(r, MonitoringReport)]
    refused = [r for r in results if not isinstance(r, MonitoringReport)]
    assert len(created) == 5  # one of the two 2022 reports, and the four months of 2023
    assert len(refused) == 1 and isinstance(refused[0], ValidationError)
    assert sorted(MonitoringReport.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]


# -- the rows ----------------------------------------------------------------------


def test_hours_above_the_periods_hours_are_refused(registered):
    plan, editor, _ = registered
    report = create_report(plan, by=editor, period_start=D(2022, 2, 1), period_end=D(2022, 2, 28))
    group = MonitoringGroup(
        report=report, side="project", shape="power", name="LED", count=1, power_kw=Decimal("1")
    )
    group.hours = Decimal("672")  # 24 × 28
    group.full_clean()
    group.hours = Decimal("673")
    with pytest.raises(ValidationError) as refused:
        group.full_clean()
    assert "672" in refused_fields(refused.value)["hours"]


def test_a_month_outside_the_period_is_refused(registered):
    plan, editor, _ = registered
    report = create_report(plan, by=editor, period_start=D(2022, 3, 15), period_end=D(2022, 5, 10))
    group = MonitoringGroup.objects.create(
        report=report, side="project", shape="periods", name="Trane 200RT", count=1
    )
    for month in ("2022-03", "2022-05"):  # sharing a day with the period is enough
        MonitoringGroupPeriod(group=group, month=month, energy_kwh=Decimal("1")).full_clean()
    for month in ("2022-02", "2022-06"):
        with pytest.raises(ValidationError) as refused:
            MonitoringGroupPeriod(group=group, month=month, energy_kwh=Decimal("1")).full_clean()
        assert "不在監測期間" in refused_fields(refused.value)["month"]


def test_a_verified_reduction_above_the_claim_is_refused(registered):
    plan, editor, _ = registered
    report = create_report(plan, by=editor, period_start=D(2022, 1, 1), period_end=D(2022, 12, 31))
    report.results = {"reduction_tco2e": "4"}
    report.verified_reduction_tco2e = 4
    report.full_clean()
    report.verified_reduction_tco2e = 5
    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert "不得高於" in refused_fields(refused.value)["verified_reduction_tco2e"]


def test_only_a_verification_body_verifies(registered):
    plan, editor, _ = registered
    report = create_report(plan, by=editor, period_start=D(2022, 1, 1), period_end=D(2022, 12, 31))
    report.verification_body = OrganisationFactory()  # an applicant
    with pytest.raises(ValidationError):
        report.full_clean()
    report.verification_body = OrganisationFactory(kind=Organisation.Kind.VERIFIER)
    report.full_clean()


def test_a_submitted_version_is_frozen(registered):
    plan, editor, _ = registered
    report = create_report(plan, by=editor, period_start=D(2022, 1, 1), period_end=D(2022, 12, 31))
    version = MonitoringReportVersion.objects.create(
        report=report, number=1, document={}, results={}, reduction_tco2e=4, created_by=editor
    )
    with pytest.raises(FrozenError):
        version.save()
    with pytest.raises(FrozenError):
        version.delete()


# -- the document ------------------------------------------------------------------


def test_the_document_of_the_lighting_report_is_the_reference_fixture(registered):
    plan, editor, _ = registered
    create_report(plan, by=editor, period_start=D(2021, 1, 1), period_end=D(2021, 12, 31))
    report = create_report(plan, by=editor, period_start=D(2022, 1, 1), period_end=D(2022, 12, 31))
    for side, name, power in [
        ("baseline", "T5 4尺28W單管", "0.028"),
        ("project", "LED T8 4尺18W單管", "0.018"),
    ]:
        MonitoringGroup.objects.create(
            report=report,
            side=side,
            shape="power",
            name=name,
            count=990,
            power_kw=Decimal(power),
            hours=Decimal("900"),
        )

    document = report_document(report)

    expected = json.loads((DATA / "monitoring-lighting-2022.json").read_text(encoding="utf-8"))
    assert document == expected
    assert json.dumps(document, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def test_the_document_writes_months_and_refrigerants(registered):
    plan, editor, _ = registered
    report = create_report(plan, by=editor, period_start=D(2022, 7, 1), period_end=D(2022, 8, 31))
    group = MonitoringGroup.objects.create(
        report=report, side="project", shape="periods", name="Trane 200RT #1", count=1
    )
    MonitoringGroupPeriod.objects.create(
        group=group, month="2022-08", energy_kwh=Decimal("23000.50")
    )
    MonitoringGroupPeriod.objects.create(
        group=group, month="2022-07", power_kw=Decimal("76.53"), hours=Decimal("310")
    )
    MonitoringGroup.objects.create(
        report=report,
        side="baseline",
        shape="chiller",
        name="螺旋式 200RT",
        count=2,
        capacity_rt=Decimal("177.2"),
        kw_per_rt=Decimal("0.8313"),
        hours=Decimal("1488"),
    )
    MonitoringRefrigerant.objects.create(
        report=report, side="project", code="R-134a", quantity_t=Decimal("0.010")
    )

    monitoring = report_document(report)["monitoring"]

    assert monitoring["project"] == {
        "groups": [
            {
                "name": "Trane 200RT #1",
                "count": 1,
                "periods": [
                    {"period": "2022-07", "power_kw": "76.53", "hours": "310"},
                    {"period": "2022-08", "energy_kwh": "23000.5"},
                ],
            }
        ],
        "refrigerant": {"code": "R-134a", "quantity_t": "0.01"},
    }
    assert monitoring["baseline"]["groups"] == [
        {
            "name": "螺旋式 200RT",
            "count": 2,
            "capacity_rt": "177.2",
            "kw_per_rt": "0.8313",
            "hours": "1488",
        }
    ]
    assert monitoring["baseline"]["refrigerant"] is None
    assert monitoring["emission_factor"] == {"year": 2022}


def test_the_demo_data_has_a_verification_body_with_a_verifier(db):
    from io import StringIO

    from django.core.management import call_command

    from projects.models import Membership

    call_command("load_demo", stdout=StringIO())
    membership = Membership.objects.get(user__username="verifier")
    assert membership.role == Membership.Role.VERIFIER
    assert membership.organisation.name == "台灣檢驗科技股份有限公司"
    assert membership.organisation.kind == Organisation.Kind.VERIFIER
    assert membership.user.check_password("demo-offset-2026")
