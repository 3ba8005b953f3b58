"""The reviewer dashboard (review queue) and the programme pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Membership, Plan, PlanVersion
from projects.templatetags.review_format import roc_day
from tests.projects.factories import (
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Status = Plan.Status
QUEUE = reverse("projects:review_queue")


def submit_plans(count, *, organisation, programme=None, authority=None, **fields):
    """`count` plans as if submitted a minute apart (the first is the oldest),
    each with a frozen version 1, written in a handful of queries."""
    fields.setdefault("status", Status.SUBMITTED)
    start = fields.pop("submitted_from", timezone.now() - timedelta(days=30))
    # The version's author never signs in: no password to hash.
    user = fields.pop("created_by", None) or UserFactory(password="!")
    title = fields.pop("title", None)
    plans = Plan.objects.bulk_create(
        Plan(
            organisation=organisation,
            programme=programme,
            authority=authority,
            type=Plan.Type.SUB_PROJECT if programme else Plan.Type.INDIVIDUAL,
            title=title or f"送審計畫 {index:04d}",
            submitted_at=start + timedelta(minutes=index),
            **fields,
        )
        for index in range(count)
    )
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(
            plan=plan,
            number=1,
            document={},
            results={},
            annual_reduction_tco2e=10,
            total_reduction_tco2e=100,
            created_by=user,
        )
        for plan in plans
    )
    for plan, version in zip(plans, versions, strict=True):
        plan.current_version = version
    Plan.objects.bulk_update(plans, ["current_version"], batch_size=500)
    return plans


def submit_plan(**kwargs):
    (plan,) = submit_plans(1, **kwargs)
    return plan


def reviewer_of(authority):
    return MembershipFactory(organisation=authority, role=Membership.Role.REVIEWER).user


@pytest.fixture
def authority():
    return OrganisationFactory(authority=True, name="臺南市政府環境保護局")


@pytest.fixture
def reviewer(client, authority):
    client.force_login(reviewer_of(authority))
    return client


@pytest.fixture
def applicant():
    return OrganisationFactory(name="臺南市立第一國小")


def queue_titles(response) -> list[str]:
    return [plan.title for plan in response.context["page"]]


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# Who sees the queue


def test_a_reviewer_sees_the_plans_submitted_to_their_authority(reviewer, authority, applicant):
    programme = ProgrammeFactory(authority=authority)
    submit_plan(organisation=applicant, programme=programme, title="方案子專案")
    submit_plan(organisation=applicant, authority=authority, title="計畫型專案")
    submit_plan(organisation=applicant, authority=OrganisationFactory(authority=True), title="別處")
    PlanFactory(organisation=applicant, authority=authority, title="草稿")

    response = reviewer.get(QUEUE)

    assert response.status_code == 200
    assert sorted(queue_titles(response)) == ["方案子專案", "計畫型專案"]
    html = response.content.decode()
    assert "別處" not in html and "草稿" not in html


def test_a_plan_withdrawn_to_draft_leaves_the_queue(reviewer, authority, applicant):
    submit_plan(organisation=applicant, authority=authority, status=Status.DRAFT, title="撤回")
    assert queue_titles(reviewer.get(QUEUE)) == []


def test_an_applicant_gets_404(client, applicant):
    editor = MembershipFactory(organisation=applicant, role=Membership.Role.EDITOR).user
    client.force_login(editor)
    assert client.get(QUEUE).status_code == 404


def test_a_reviewer_membership_in_an_applicant_organisation_is_not_enough(client, applicant):
    client.force_login(MembershipFactory(organisation=applicant, role="reviewer").user)
    assert client.get(QUEUE).status_code == 404


def test_a_reviewer_of_another_authority_sees_none_of_these_plans(client, authority, applicant):
    submit_plan(organisation=applicant, authority=authority, title="不是你的")
    client.force_login(reviewer_of(OrganisationFactory(authority=True)))
    response = client.get(QUEUE)
    assert queue_titles(response) == []
    assert "不是你的" not in response.content.decode()


def test_anonymous_visitors_are_asked_to_sign_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_site_administrator_sees_every_submitted_plan(client, authority, applicant):
    submit_plan(organisation=applicant, authority=authority, title="甲")
    submit_plan(organisation=applicant, authority=OrganisationFactory(authority=True), title="乙")
    PlanFactory(organisation=applicant, authority=authority, title="草稿")
    client.force_login(UserFactory(is_superuser=True))
    assert sorted(queue_titles(client.get(QUEUE))) == ["乙", "甲"]


# Order, filters and counts


def test_the_oldest_submission_comes_first(reviewer, authority, applicant):
    now = timezone.now()
    submit_plan(organisation=applicant, authority=authority, title="新", submitted_from=now)
    submit_plan(
        organisation=applicant, authority=authority, title="舊", submitted_from=now - timedelta(1)
    )
    submit_plan(
        organisation=applicant, authority=authority, title="中", submitted_from=now - timedelta(0.5)
    )
    assert queue_titles(reviewer.get(QUEUE)) == ["舊", "中", "新"]


def test_it_filters_by_status(reviewer, authority, applicant):
    submit_plan(organisation=applicant, authority=authority, title="待審")
    submit_plan(organisation=applicant, authority=authority, title="審查中", status="under_review")
    response = reviewer.get(QUEUE, {"status": "under_review"})
    assert queue_titles(response) == ["審查中"]


def test_it_filters_by_programme_and_technology(reviewer, authority, applicant):
    lighting = ProgrammeFactory(authority=authority, title="照明汰換")
    chillers = ProgrammeFactory(authority=authority, title="冰機汰換")
    submit_plan(organisation=applicant, programme=lighting, technology="lighting", title="燈")
    submit_plan(organisation=applicant, programme=chillers, technology="chiller", title="冰機")
    submit_plan(organisation=applicant, authority=authority, technology="chiller", title="計畫型")

    assert queue_titles(reviewer.get(QUEUE, {"programme": lighting.pk})) == ["燈"]
    assert sorted(queue_titles(reviewer.get(QUEUE, {"technology": "chiller"}))) == [
        "冰機",
        "計畫型",
    ]
    both = reviewer.get(QUEUE, {"programme": chillers.pk, "technology": "chiller"})
    assert queue_titles(both) == ["冰機"]


def test_only_the_reviewers_programmes_can_be_chosen(reviewer, authority, applicant):
    mine = ProgrammeFactory(authority=authority, title="我方方案")
    theirs = ProgrammeFactory(title="他方方案")
    submit_plan(organisation=applicant, programme=theirs, title="他方子專案")
    response = reviewer.get(QUEUE, {"programme": theirs.pk})

    form = response.context["form"]
    assert list(form.fields["programme"].queryset) == [mine]
    assert "programme" in form.errors
    assert "他方子專案" not in response.content.decode()


def test_it_counts_plans_per_status_including_zeros(reviewer, authority, applicant):
    submit_plans(3, organisation=applicant, authority=authority)
    submit_plans(2, organisation=applicant, authority=authority, status="approved")

    response = reviewer.get(QUEUE, {"status": "approved"})

    counts = {chip["value"]: chip["count"] for chip in response.context["chips"]}
    assert counts == {
        "submitted": 3,
        "under_review": 0,
        "changes_requested": 0,
        "approved": 2,
        "rejected": 0,
    }
    assert response.context["total"] == 5
    html = response.content.decode()
    assert 'data-status="rejected"' in html
    assert "退回修正" in html


def test_the_counts_follow_the_other_filters(reviewer, authority, applicant):
    submit_plans(3, organisation=applicant, authority=authority, technology="lighting")
    submit_plans(2, organisation=applicant, authority=authority, technology="chiller")
    response = reviewer.get(QUEUE, {"technology": "chiller", "status": "approved"})
    counts = {chip["value"]: chip["count"] for chip in response.context["chips"]}
    assert counts["submitted"] == 2
    assert response.context["total"] == 2


def test_it_shows_fifty_plans_a_page(reviewer, authority, applicant):
    submit_plans(51, organisation=applicant, authority=authority)
    first = reviewer.get(QUEUE)
    second = reviewer.get(QUEUE, {"page": 2})
    assert len(queue_titles(first)) == 50
    assert queue_titles(second) == ["送審計畫 0050"]
    assert "?page=2" in first.content.decode()


def test_a_row_shows_the_programme_roc_date_and_version_figures(reviewer, authority, applicant):
    submitted = datetime(2021, 5, 23, 17, 30, tzinfo=UTC)  # 24 May in Taipei
    submit_plan(organisation=applicant, authority=authority, submitted_from=submitted)
    html = reviewer.get(QUEUE).content.decode()
    assert "110/05/24" in html
    assert "計畫型" in html
    assert ">10<" in html and ">100<" in html


def test_the_number_of_queries_does_not_grow_with_the_number_of_plans(
    reviewer, authority, applicant
):
    programme = ProgrammeFactory(authority=authority)
    filtered = f"{QUEUE}?status=submitted&programme={programme.pk}&technology=lighting"

    submit_plans(5, organisation=applicant, programme=programme, technology="lighting")
    submit_plans(5, organisation=OrganisationFactory(), authority=authority)
    at_10 = (query_count(reviewer, QUEUE), query_count(reviewer, filtered))

    submit_plans(245, organisation=applicant, programme=programme, technology="lighting")
    submit_plans(245, organisation=OrganisationFactory(), authority=authority)
    at_500 = (query_count(reviewer, QUEUE), query_count(reviewer, filtered))

    assert Plan.objects.count() == 500
    assert at_10 == at_500


# Programme pages


@pytest.fixture
def programme(authority):
    return ProgrammeFactory(authority=authority, title="臺南市學校照明汰換", city="臺南市")


def programme_url(programme) -> str:
    return reverse("projects:programme_detail", args=[programme.pk])


def test_the_programme_page_sums_only_approved_sub_projects(reviewer, programme, applicant):
    submit_plans(2, organisation=applicant, programme=programme, status="approved")
    submit_plans(3, organisation=applicant, programme=programme, status="under_review")
    submit_plans(1, organisation=applicant, programme=programme, status="rejected")
    submit_plans(4, organisation=applicant, programme=ProgrammeFactory(), status="approved")

    response = reviewer.get(programme_url(programme))

    assert response.context["approved_count"] == 2
    assert response.context["approved_annual"] == 20
    assert response.context["approved_total"] == 200
    assert len(response.context["page"]) == 6
    html = response.content.decode()
    assert 'data-sum="annual">20<' in html
    assert 'data-sum="total">200<' in html


def test_a_programme_without_approved_sub_projects_sums_to_zero(reviewer, programme, applicant):
    submit_plans(2, organisation=applicant, programme=programme)
    response = reviewer.get(programme_url(programme))
    assert (response.context["approved_annual"], response.context["approved_total"]) == (0, 0)


def test_an_applicant_sees_only_their_own_sub_projects(client, programme, applicant):
    submit_plan(organisation=applicant, programme=programme, title="我們的", status="approved")
    submit_plan(organisation=OrganisationFactory(), programme=programme, title="別人的")
    client.force_login(MembershipFactory(organisation=applicant, role="viewer").user)

    response = client.get(programme_url(programme))

    assert response.status_code == 200
    assert [plan.title for plan in response.context["page"]] == ["我們的"]
    assert "別人的" not in response.content.decode()
    assert response.context["approved_annual"] == 10


def test_anyone_signed_in_sees_the_programme_itself(client, programme):
    submit_plan(organisation=OrganisationFactory(), programme=programme, title="別人的")
    client.force_login(UserFactory())
    response = client.get(programme_url(programme))
    assert response.status_code == 200
    html = response.content.decode()
    assert "臺南市學校照明汰換" in html and "開放中" in html
    assert "別人的" not in html


def test_a_reviewer_of_another_authority_sees_no_sub_projects(client, programme, applicant):
    submit_plan(organisation=applicant, programme=programme, title="子專案")
    client.force_login(reviewer_of(OrganisationFactory(authority=True)))
    response = client.get(programme_url(programme))
    assert list(response.context["page"]) == []
    assert response.context["reviews_it"] is False


@pytest.mark.parametrize("name", ["projects:programme_list", "projects:programme_detail"])
def test_anonymous_visitors_are_asked_to_sign_in_for_programmes(client, programme, name):
    args = [programme.pk] if name.endswith("detail") else []
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_unknown_programme_is_404(reviewer):
    assert reviewer.get(reverse("projects:programme_detail", args=[999999])).status_code == 404


def test_the_programme_list_counts_only_visible_sub_projects(client, programme, applicant):
    submit_plans(2, organisation=applicant, programme=programme)
    submit_plans(3, organisation=OrganisationFactory(), programme=programme)
    client.force_login(MembershipFactory(organisation=applicant).user)
    response = client.get(reverse("projects:programme_list"))
    assert [p.sub_project_count for p in response.context["programmes"]] == [2]
    assert programme_url(programme) in response.content.decode()


def test_the_programme_pages_queries_do_not_grow_with_sub_projects(reviewer, programme, applicant):
    urls = [programme_url(programme), reverse("projects:programme_list")]
    submit_plans(10, organisation=applicant, programme=programme, status="approved")
    at_10 = [query_count(reviewer, url) for url in urls]
    submit_plans(490, organisation=applicant, programme=programme, status="approved")
    at_500 = [query_count(reviewer, url) for url in urls]
    assert at_10 == at_500


# The date filter


def test_roc_day_uses_the_local_day():
    assert roc_day(datetime(2021, 5, 23, 16, 0, tzinfo=UTC)) == "110/05/24"
    assert roc_day(datetime(2021, 5, 23, 15, 59, tzinfo=UTC)) == "110/05/23"
    assert roc_day(None) == ""
