"""Registration: the authority registers an approved plan, which gets the next
number of its authority's (or its programme's) numbering scheme and a crediting
period from the registration date; registered plans are listed publicly."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.dates import roc_short
from projects.models import Membership, Plan, PlanEvent, Programme
from projects.registration.models import NumberingScheme
from projects.registration.services import RegistrationError, register_plan
from projects.workflow import plan_transition
from tests.projects.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    approved_plan,
    chiller_with_people,
    lighting_with_people,
)

D = datetime.date
LONG_AGO = D(2020, 6, 1)


@pytest.fixture
def chiller(db, demo_document):
    """The chiller plan approved (dated LONG_AGO), with its editor and reviewer."""
    plan, editor, reviewer = chiller_with_people(demo_document("chiller-individual.json"))
    return approved_plan(plan, editor, reviewer, approved_on=LONG_AGO), editor, reviewer


@pytest.fixture
def lighting(db, demo_document):
    plan, editor, reviewer = lighting_with_people(demo_document("lighting-subproject.json"))
    return approved_plan(plan, editor, reviewer, approved_on=LONG_AGO), editor, reviewer


def fresh(plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


# -- numbers ---------------------------------------------------------------------


def test_an_individual_plan_takes_the_next_number_of_its_authoritys_scheme(chiller):
    plan, _, reviewer = chiller
    NumberingScheme.objects.create(authority=plan.authority, pattern="B-{seq:7}", next_sequence=272)

    plan = register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))

    assert plan.project_number == "B-0000272"
    assert fresh(plan).project_number == "B-0000272"
    assert NumberingScheme.objects.get(authority=plan.authority).next_sequence == 273


def test_the_first_registration_of_an_authority_makes_its_scheme_with_the_default_pattern(chiller):
    plan, _, reviewer = chiller
    plan = register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))
    assert plan.project_number == "B-0000001"
    assert NumberingScheme.objects.get(authority=plan.authority).pattern == "B-{seq:7}"


def test_a_sub_project_is_numbered_under_its_programmes_number(lighting):
    plan, _, reviewer = lighting
    Programme.objects.filter(pk=plan.programme_id).update(project_number="B-0000271")
    NumberingScheme.objects.create(
        programme=plan.programme, pattern="{programme}-{seq:3}", next_sequence=2
    )

    plan = register_plan(plan, by=reviewer, registered_on=D(2021, 1, 1))

    assert plan.project_number == "B-0000271-002"


def test_a_programme_without_a_number_takes_one_from_its_authority_first(lighting, chiller):
    plan, _, reviewer = lighting
    authority = plan.programme.authority
    NumberingScheme.objects.create(authority=authority, pattern="B-{seq:7}", next_sequence=271)

    plan = register_plan(plan, by=reviewer, registered_on=D(2021, 1, 1))

    assert Programme.objects.get(pk=plan.programme_id).project_number == "B-0000271"
    assert plan.project_number == "B-0000271-001"
    # The authority's next individual plan comes after its programme.
    individual, _, _ = chiller
    Plan.objects.filter(pk=individual.pk).update(authority=authority)
    assert register_plan(individual, by=reviewer, registered_on=D(2021, 2, 1)).project_number == (
        "B-0000272"
    )


def test_numbers_already_taken_are_skipped(chiller):
    plan, _, reviewer = chiller
    NumberingScheme.objects.create(authority=plan.authority, pattern="B-{seq:7}", next_sequence=5)
    Programme.objects.create(
        authority=plan.authority, title="另一方案", version="1", project_number="B-0000005"
    )
    plan = register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))
    assert plan.project_number == "B-0000006"
    assert NumberingScheme.objects.get(authority=plan.authority).next_sequence == 7


def test_a_pattern_may_carry_the_registration_year(chiller):
    plan, _, reviewer = chiller
    NumberingScheme.objects.create(authority=plan.authority, pattern="HC{roc_year}-{seq:4}")
    plan = register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))
    assert plan.project_number == "HC110-0001"


@pytest.mark.parametrize(
    ("pattern", "for_programme", "message"),
    [
        ("B-{n:7}", False, "{n} 不是可用的代碼"),
        ("B-0000001", False, "恰好含一個流水號"),
        ("B-{seq}-{seq}", False, "恰好含一個流水號"),
        ("{programme}-{seq:3}", False, "只能用於方案型抵換專案"),
        ("P-{seq:3}", True, "須含 {programme}"),
        ("B {seq:7}", False, "不含空白"),
        ("B-{seq:7", False, "不含空白"),
    ],
)
def test_a_bad_pattern_is_refused_at_the_pattern_field(db, pattern, for_programme, message):
    authority = OrganisationFactory(authority=True)
    if for_programme:
        owner = {"programme": Programme.objects.create(authority=authority, title="t", version="1")}
    else:
        owner = {"authority": authority}
    with pytest.raises(ValidationError) as refused:
        NumberingScheme(pattern=pattern, **owner).full_clean()
    assert any(message in text for text in refused.value.message_dict["pattern"])


def test_the_default_patterns_are_valid(db):
    authority = OrganisationFactory(authority=True)
    programme = Programme.objects.create(authority=authority, title="t", version="1")
    NumberingScheme(authority=authority, pattern="B-{seq:7}").full_clean()
    NumberingScheme(programme=programme, pattern="{programme}-{seq:3}").full_clean()


# -- the crediting period --------------------------------------------------------


def test_a_fixed_crediting_period_runs_ten_years_from_the_registration_date(chiller):
    plan, _, reviewer = chiller
    applicant_dates = (plan.crediting_start, plan.crediting_end)
    assert plan.crediting == Plan.Crediting.FIXED

    plan = register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))

    plan = fresh(plan)
    assert (plan.registered_crediting_start, plan.registered_crediting_end) == (
        D(2021, 3, 15),
        D(2031, 3, 14),
    )
    assert plan.registered_on == D(2021, 3, 15)
    assert (plan.crediting_start, plan.crediting_end) == applicant_dates  # kept for the record


def test_a_renewable_crediting_period_runs_seven_years(chiller):
    plan, _, reviewer = chiller
    Plan.objects.filter(pk=plan.pk).update(crediting=Plan.Crediting.RENEWABLE)
    plan = register_plan(plan, by=reviewer, registered_on=D(2024, 2, 29))
    assert (plan.registered_crediting_start, plan.registered_crediting_end) == (
        D(2024, 2, 29),
        D(2031, 2, 27),
    )


def test_registration_links_the_approved_version_and_is_in_the_history(chiller):
    plan, _, reviewer = chiller
    approved_version = plan.current_version
    plan = register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))
    plan = fresh(plan)
    assert plan.registered_version == approved_version
    assert plan.registered_by == reviewer
    assert plan.registered_at is not None
    assert plan.status == Plan.Status.APPROVED and plan.is_registered
    event = PlanEvent.objects.get(plan=plan, kind=PlanEvent.Kind.REGISTRATION)
    assert event.user == reviewer
    assert plan.project_number in event.message and "110年3月15日" in event.message


def test_a_site_administrator_may_register(chiller):
    plan, _, _ = chiller
    admin = UserFactory(is_superuser=True)
    assert register_plan(plan, by=admin, registered_on=D(2021, 3, 15)).is_registered


# -- refusals --------------------------------------------------------------------


def assert_refused(plan, user, on, message, field=""):
    before = NumberingScheme.objects.values_list("next_sequence", flat=True)
    before = sorted(before)
    with pytest.raises(RegistrationError) as refused:
        register_plan(plan, by=user, registered_on=on)
    assert message in str(refused.value)
    assert refused.value.field == field
    assert sorted(NumberingScheme.objects.values_list("next_sequence", flat=True)) == before
    return refused.value


def test_a_plan_not_approved_is_refused_saying_its_state(db, demo_document):
    plan, editor, reviewer = chiller_with_people(demo_document("chiller-individual.json"))
    plan_transition(plan=plan, user=editor, name="submit")
    assert_refused(
        fresh(plan), reviewer, D(2021, 3, 15), "計畫書目前為「已送審」，核准後才能註冊。"
    )
    assert not fresh(plan).is_registered


def test_a_second_registration_is_refused_naming_the_first(chiller):
    plan, _, reviewer = chiller
    register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))
    assert_refused(plan, reviewer, D(2021, 4, 1), "已於 110年3月15日 註冊，專案編號 B-0000001")
    assert fresh(plan).registered_on == D(2021, 3, 15)


@pytest.mark.parametrize("role", ["editor", "other_reviewer", "outsider"])
def test_only_the_authority_registers(chiller, role):
    plan, editor, _ = chiller
    user = {
        "editor": editor,
        "other_reviewer": MembershipFactory(
            organisation=OrganisationFactory(authority=True), role=Membership.Role.REVIEWER
        ).user,
        "outsider": UserFactory(),
    }[role]
    assert_refused(plan, user, D(2021, 3, 15), "只有審查機關或系統管理者可以註冊計畫書。")
    assert not fresh(plan).is_registered


def test_a_registration_date_in_the_future_is_refused_at_the_date(chiller):
    plan, _, reviewer = chiller
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert_refused(plan, reviewer, tomorrow, "尚未到來", field="registered_on")


def test_a_registration_date_before_the_approval_is_refused_at_the_date(chiller):
    plan, _, reviewer = chiller
    assert_refused(
        plan, reviewer, D(2020, 5, 31), "不可早於核准日期 109年6月1日", field="registered_on"
    )


def test_a_plan_without_a_crediting_type_is_refused(chiller):
    plan, _, reviewer = chiller
    Plan.objects.filter(pk=plan.pk).update(crediting="")
    assert_refused(plan, reviewer, D(2021, 3, 15), "未載明計入期型態")


# -- concurrency (PostgreSQL) ----------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


def run_at_once(jobs):
    """Run the callables in threads released together; their results or errors."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(10)
            results[index] = job()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_plans_registered_at_once_get_distinct_consecutive_numbers(demo_document, reference_data):
    plan, editor, reviewer = chiller_with_people(demo_document("chiller-individual.json"))
    plan = approved_plan(plan, editor, reviewer, approved_on=LONG_AGO)
    plans = [fresh(plan)]
    for _ in range(5):  # copies of the approved plan, with the same authority
        copy = fresh(plan)
        copy.pk = None
        copy.save()
        plans.append(fresh(copy))

    results = run_at_once(
        [
            lambda p=p: register_plan(p, by=reviewer, registered_on=D(2021, 3, 15)).project_number
            for p in plans
        ]
    )

    assert sorted(map(str, results)) == [f"B-{n:07d}" for n in range(1, 7)]
    assert NumberingScheme.objects.get().next_sequence == 7


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_plan_registered_twice_at_once_is_registered_once(demo_document, reference_data):
    plan, editor, reviewer = chiller_with_people(demo_document("chiller-individual.json"))
    plan = approved_plan(plan, editor, reviewer, approved_on=LONG_AGO)
    admin = UserFactory(is_superuser=True)

    results = run_at_once(
        [
            lambda: register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15)),
            lambda: register_plan(plan, by=admin, registered_on=D(2021, 4, 1)),
        ]
    )

    assert sum(isinstance(result, Plan) for result in results) == 1
    refused = [r for r in results if isinstance(r, RegistrationError)]
    assert len(refused) == 1 and "不能再註冊一次" in str(refused[0])
    assert NumberingScheme.objects.get().next_sequence == 2
    assert PlanEvent.objects.filter(kind=PlanEvent.Kind.REGISTRATION).count() == 1


# -- pages -----------------------------------------------------------------------


def test_the_authority_registers_from_the_plan_page(client, chiller):
    plan, editor, reviewer = chiller
    client.force_login(reviewer)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'data-role="register-plan"' in page
    form = client.get(reverse("projects:plan_register", args=[plan.pk]))
    assert form.status_code == 200
    assert roc_short(timezone.localdate()) in form.content.decode()  # today, in the ROC calendar
    assert "B-0000001" in form.content.decode()  # the number it will give

    response = client.post(
        reverse("projects:plan_register", args=[plan.pk]), {"registered_on": "110/03/15"}
    )

    assert response.status_code == 302
    plan = fresh(plan)
    assert plan.project_number == "B-0000001"
    assert plan.registered_on == D(2021, 3, 15)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "B-0000001" in page and "120年3月14日" in page
    assert 'data-role="register-plan"' not in page
    editor_client = Client()
    editor_client.force_login(editor)
    assert (
        'data-role="register-plan"'
        not in editor_client.get(plan.get_absolute_url()).content.decode()
    )


def test_a_refused_date_comes_back_at_the_field_with_what_was_typed(client, chiller):
    plan, _, reviewer = chiller
    client.force_login(reviewer)
    response = client.post(
        reverse("projects:plan_register", args=[plan.pk]), {"registered_on": "109/05/01"}
    )
    assert response.status_code == 200
    assert "不可早於核准日期" in str(response.context["form"].errors["registered_on"])
    assert 'value="109/05/01"' in response.content.decode()
    assert not fresh(plan).is_registered


def test_registering_a_registered_plan_goes_back_to_its_page_with_the_reason(client, chiller):
    plan, _, reviewer = chiller
    register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))
    client.force_login(reviewer)
    response = client.post(
        reverse("projects:plan_register", args=[plan.pk]),
        {"registered_on": "110/04/01"},
        follow=True,
    )
    assert "不能再註冊一次" in response.content.decode()
    assert fresh(plan).registered_on == D(2021, 3, 15)


def test_the_public_registry_lists_registered_plans_only_without_signing_in(
    chiller, lighting, demo_document
):
    registered, _, reviewer = chiller
    register_plan(registered, by=reviewer, registered_on=D(2021, 3, 15))
    approved_only, _, _ = lighting  # approved, not registered
    from projects.services import plan_import

    draft = plan_import(document=demo_document("chiller-individual.json"))

    response = Client().get(reverse("projects:registry"))

    assert response.status_code == 200
    listed = [row["plan"].pk for row in response.context["rows"]]
    assert listed == [registered.pk]
    page = response.content.decode()
    assert "B-0000001" in page and "110年3月15日" in page and "120年3月14日" in page
    row = response.context["rows"][0]
    assert row["estimated"] == registered.current_version.annual_reduction_tco2e * 10
    assert row["credits"].issued == 0
    assert row["authority"] == registered.authority
    assert approved_only.pk not in listed and draft.pk not in listed
    assert approved_only.title not in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("B-0000001", True),
        ("0000001", True),
        ("冰水", True),
        ("__org__", True),
        ("沒有這個", False),
    ],
)
def test_the_registry_searches_number_title_and_organisation(chiller, query, found):
    plan, _, reviewer = chiller
    register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))
    assert "冰水" in plan.title
    query = plan.organisation.name[1:4] if query == "__org__" else query
    response = Client().get(reverse("projects:registry"), {"q": query})
    listed = [row["plan"].pk for row in response.context["rows"]]
    assert listed == ([plan.pk] if found else [])


def test_the_registry_search_box_is_a_full_width_bootstrap_field(db):
    """Unstyled, the box was a narrow browser default that cut its own placeholder
    short on a phone."""
    response = Client().get(reverse("projects:registry"))
    assert 'class="form-control"' in response.content.decode()
    assert response.context["form"]["q"].field.widget.attrs["class"] == "form-control"


def test_a_visitor_finds_the_public_retirements_and_the_calculator_from_the_registry(db):
    """Both are open without signing in, but nothing a visitor saw linked to them."""
    page = Client().get(reverse("projects:registry")).content.decode()
    assert f'href="{reverse("credits:retirements")}"' in page
    assert f'href="{reverse("calculator:page")}"' in page


def test_the_public_detail_of_a_registered_plan_needs_no_sign_in(chiller):
    plan, _, reviewer = chiller
    register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))
    response = Client().get(reverse("projects:registry_detail", args=[plan.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "B-0000001" in page and plan.title in page and "110年3月15日" in page


def test_an_unregistered_plan_has_no_public_page(chiller):
    plan, _, _ = chiller
    assert Client().get(reverse("projects:registry_detail", args=[plan.pk])).status_code == 404


def test_credit_totals_are_zero_before_any_issuance(chiller):
    from projects.credits.selectors import credit_totals_by_plan

    plan, _, reviewer = chiller
    register_plan(plan, by=reviewer, registered_on=D(2021, 3, 15))
    totals = credit_totals_by_plan([plan])
    assert totals[plan.pk].issued == 0 and totals[plan.pk].remaining == 0
