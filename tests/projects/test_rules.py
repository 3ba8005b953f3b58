"""No path around a rule: table refrigerants take the table's figures, the
crediting period matches its type, a plan's type decides which sections it
needs, and the reviewing authority and programme stay as first submitted."""

import pytest
from django.urls import reverse

from projects.consistency import warnings
from projects.models import Membership, Organisation, Plan, PlanRefrigerant
from projects.sections import BasicEditor, CalculationEditor
from projects.services import PlanError, plan_import, plan_replace
from projects.workflow import SubmissionIncomplete, plan_transition, submission_problems
from tests.projects.factories import MembershipFactory, UserFactory, chiller_with_people
from tests.projects.formdata import editor_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo_document):
    return chiller_with_people(demo_document("chiller-individual.json"))


def post_section(client, plan, editor_class, **changes):
    data = editor_data(editor_class(Plan.objects.get(pk=plan.pk)))
    data.update(changes)
    return client.post(reverse("projects:section", args=[plan.pk, editor_class.slug]), data)


def test_typing_odp_0_for_a_table_refrigerant_is_not_taken(client, people):
    plan, editor, _ = people
    client.force_login(editor)
    response = post_section(
        client,
        plan,
        CalculationEditor,
        **{"project-refrigerant-code": "R-22", "project-refrigerant-odp": "0"},
    )
    assert response.status_code == 302
    refrigerant = PlanRefrigerant.objects.get(plan=plan, side="project")
    assert (refrigerant.code, refrigerant.odp) == ("R-22", None)  # the table's 0.055
    plan.refresh_from_db()
    check = next(c for c in plan.results["checks"] if c["id"] == "refrigerant_odp")
    assert check["status"] == "fail"
    assert any("專案冷媒不具臭氧破壞潛勢" in p.message for p in submission_problems(plan))


def test_the_page_shows_the_tables_figures_of_a_table_refrigerant(client, people):
    plan, editor, _ = people
    client.force_login(editor)
    page = client.get(reverse("projects:section", args=[plan.pk, "calculation"]))
    form = page.context["editor"].refrigerants["project"]
    assert form.fields["odp"].disabled and form.fields["gwp"].disabled
    assert form.table_figures()["gwp"] == "1300"
    assert form.table_figures()["odp"] == "0"
    assert 'data-role="table-figures"' in page.content.decode()


def test_a_documents_own_figures_for_a_table_refrigerant_are_kept_and_flagged(
    client, people, demo_document
):
    plan, editor, reviewer = people
    document = demo_document("chiller-individual.json")
    document["calculation"]["project"]["refrigerant"] = {
        "code": "R-22",
        "annual_quantity_t": "0.17",
        "gwp": "1760",
        "odp": "0",
    }
    plan = plan_replace(plan=plan, document=document, user=editor)
    refrigerant = PlanRefrigerant.objects.get(plan=plan, side="project")
    assert refrigerant.odp == 0  # kept as the document says
    flagged = [w for w in warnings(plan) if "R-22" in w and "ODP" in w]
    assert flagged and "0.055" in flagged[0]
    # Saving the page unchanged keeps the document's figure; the reviewer sees the flag.
    client.force_login(editor)
    assert post_section(client, plan, CalculationEditor).status_code == 302
    assert PlanRefrigerant.objects.get(plan=plan, side="project").odp == 0
    plan_transition(plan=Plan.objects.get(pk=plan.pk), user=editor, name="submit")
    client.force_login(reviewer)
    assert flagged[0] in client.get(plan.get_absolute_url()).content.decode()


def test_the_applicant_may_take_the_tables_figures_instead(client, people, demo_document):
    plan, editor, _ = people
    document = demo_document("chiller-individual.json")
    document["calculation"]["project"]["refrigerant"]["odp"] = "0.5"
    plan = plan_replace(plan=plan, document=document, user=editor)
    client.force_login(editor)
    post_section(client, plan, CalculationEditor, **{"project-refrigerant-use_table": "on"})
    refrigerant = PlanRefrigerant.objects.get(plan=plan, side="project")
    assert (refrigerant.gwp, refrigerant.odp) == (None, None)
    assert not [w for w in warnings(Plan.objects.get(pk=plan.pk)) if "ODP" in w]


def test_a_fixed_plan_with_a_16_year_crediting_period_cannot_be_submitted(people):
    plan, editor, _ = people
    Plan.objects.filter(pk=plan.pk).update(
        crediting_end=plan.crediting_start.replace(year=2036, month=12, day=31)
    )
    with pytest.raises(SubmissionIncomplete) as refusal:
        plan_transition(plan=plan, user=editor, name="submit")
    [problem] = [p for p in refusal.value.problems if p.field == "plan-crediting_end"]
    assert "16 年" in problem.message and "10 年" in problem.message
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


def test_a_renewable_plan_needs_seven_years(people):
    plan, editor, _ = people
    Plan.objects.filter(pk=plan.pk).update(crediting=Plan.Crediting.RENEWABLE)
    problems = submission_problems(Plan.objects.get(pk=plan.pk))
    assert any("7 年" in p.message for p in problems if p.field == "plan-crediting_end")


def test_a_sub_project_may_be_submitted_without_section_five(demo_document):
    plan = plan_import(document=demo_document("lighting-subproject.json"), create_programmes=True)
    assert plan.type == Plan.Type.SUB_PROJECT and not plan.environment_summary
    editor = UserFactory()
    MembershipFactory(user=editor, organisation=plan.organisation, role=Membership.Role.EDITOR)
    plan = plan_transition(plan=plan, user=editor, name="submit")
    assert plan.status == Plan.Status.SUBMITTED


def test_an_individual_plan_still_needs_section_five(people):
    plan, _, _ = people
    Plan.objects.filter(pk=plan.pk).update(environment_summary="")
    problems = submission_problems(Plan.objects.get(pk=plan.pk))
    assert any(p.section == "environment" for p in problems)


def test_the_reviewing_authority_is_fixed_from_the_first_submission(client, people):
    plan, editor, reviewer = people
    plan_transition(plan=plan, user=editor, name="submit")
    plan_transition(plan=plan, user=editor, name="withdraw")
    elsewhere = Organisation.objects.create(name="他縣市", kind=Organisation.Kind.AUTHORITY)
    client.force_login(editor)
    response = post_section(client, plan, BasicEditor, **{"plan-authority": str(elsewhere.pk)})
    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).authority.name == "審查機關"


def test_a_replace_cannot_move_a_submitted_sub_project_to_another_programme(demo_document):
    document = demo_document("lighting-subproject.json")
    plan = plan_import(document=document, create_programmes=True)
    editor = UserFactory()
    MembershipFactory(user=editor, organisation=plan.organisation, role=Membership.Role.EDITOR)
    plan_transition(plan=plan, user=editor, name="submit")
    plan = plan_transition(plan=plan, user=editor, name="withdraw")
    other = dict(document)
    other["plan"] = {**document["plan"], "programme": {**document["plan"]["programme"]}}
    other["plan"]["programme"]["version"] = "9.9"
    with pytest.raises(Exception) as refusal:
        plan_replace(plan=plan, document=other, user=editor)
    assert "plan.programme" in str(refusal.value.errors[0])


def test_a_replace_of_a_submitted_plan_is_refused(people, demo_document):
    plan, editor, _ = people
    plan_transition(plan=plan, user=editor, name="submit")
    with pytest.raises(PlanError):
        plan_replace(plan=plan, document=demo_document("chiller-individual.json"), user=editor)
