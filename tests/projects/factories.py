import factory
from django.contrib.auth import get_user_model

from projects.models import Membership, Organisation, Plan, Programme


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("password")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"申請單位 {n}")
    kind = Organisation.Kind.APPLICANT

    class Params:
        authority = factory.Trait(kind=Organisation.Kind.AUTHORITY, city="臺南市")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.EDITOR


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    authority = factory.SubFactory(OrganisationFactory, authority=True)
    title = factory.Sequence(lambda n: f"臺南市設備汰舊換新計畫 {n}")
    version = "2.2"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    organisation = factory.SubFactory(OrganisationFactory)
    type = Plan.Type.INDIVIDUAL
    title = factory.Sequence(lambda n: f"高效率設備汰換 {n}")

    class Params:
        sub_project = factory.Trait(
            type=Plan.Type.SUB_PROJECT, programme=factory.SubFactory(ProgrammeFactory)
        )


def chiller_with_people(document: dict):
    """The chiller reference plan with its reviewing authority, an editor of its
    organisation and a reviewer of the authority: (plan, editor, reviewer)."""
    from projects.services import plan_import

    plan = plan_import(document=document, create_programmes=True)
    authority = OrganisationFactory(name="審查機關", authority=True)
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    editor = UserFactory(username="editor")
    MembershipFactory(user=editor, organisation=plan.organisation, role=Membership.Role.EDITOR)
    reviewer = UserFactory(username="reviewer")
    MembershipFactory(user=reviewer, organisation=authority, role=Membership.Role.REVIEWER)
    return Plan.objects.get(pk=plan.pk), editor, reviewer


def approved_plan(plan, editor, reviewer, *, approved_on=None):
    """Take the plan through submission, review and approval; with `approved_on`
    (a date) the approval is dated that day in the history, so that a
    registration may be back-dated to it."""
    import datetime

    from django.utils import timezone

    from projects.models import PlanEvent
    from projects.workflow import plan_transition

    plan_transition(plan=plan, user=editor, name="submit")
    plan_transition(plan=plan, user=reviewer, name="start_review")
    plan_transition(plan=plan, user=reviewer, name="approve", confirm_open_comments=True)
    if approved_on is not None:
        moment = timezone.make_aware(datetime.datetime.combine(approved_on, datetime.time(9)))
        PlanEvent.objects.filter(plan=plan).update(created_at=moment)
    return Plan.objects.get(pk=plan.pk)


def lighting_with_people(document: dict):
    """The lighting sub-project with its programme's authority, an editor of its
    organisation and a reviewer of the programme's authority: (plan, editor, reviewer)."""
    from projects.services import plan_import

    plan = plan_import(document=document, create_programmes=True)
    plan = Plan.objects.select_related("programme__authority").get(pk=plan.pk)
    editor = UserFactory(username="lighting-editor")
    MembershipFactory(user=editor, organisation=plan.organisation, role=Membership.Role.EDITOR)
    reviewer = UserFactory(username="tainan-reviewer")
    MembershipFactory(
        user=reviewer, organisation=plan.programme.authority, role=Membership.Role.REVIEWER
    )
    return plan, editor, reviewer
