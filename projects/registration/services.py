"""Registration: the authority registers an approved plan, which assigns its
project number (專案編號) and fixes its crediting period from the registration
date. Everything here runs under row locks: the plan, then the numbering lock
(`_lock_numbering`), then (for a sub-project) its programme, then the
numbering schemes, always in that order."""

import logging
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.consistency import CREDITING_YEARS
from projects.dates import crediting_period, roc_long
from projects.models import Plan, PlanEvent, Programme
from projects.registration.models import (
    DEFAULT_AUTHORITY_PATTERN,
    DEFAULT_PROGRAMME_PATTERN,
    NumberingScheme,
)
from projects.registration.permissions import is_registration_authority
from projects.services import PlanError

audit = logging.getLogger("projects.audit")
# Numbers already taken (typed by hand in the admin, or a sequence set back) are
# skipped; this many in a row means the scheme needs an administrator's look.
MAX_SKIPS = 1000
# Every scheme draws from one set of numbers (plans' and programmes' alike, and
# the default pattern is the same for every authority), so allocations are
# serialised across schemes too: one PostgreSQL advisory lock, held until commit.
NUMBERING_LOCK = 0x50524E  # an arbitrary key of this application's own


class RegistrationError(PlanError):
    """Registration was refused; `field` names the form field the message is for
    ("" for the plan as a whole)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def approval_date(plan: Plan) -> date | None:
    """The day the plan was last approved (its history's approval), if recorded."""
    event = (
        plan.events.filter(kind=PlanEvent.Kind.TRANSITION, to_status=Plan.Status.APPROVED)
        .order_by("-created_at", "-pk")
        .first()
    )
    return timezone.localdate(event.created_at) if event else None


def _scheme(*, authority=None, programme=None, lock: bool) -> NumberingScheme:
    """The numbering scheme of the authority or the programme, made with the default
    pattern on first use; locked (select_for_update) when `lock`."""
    owner = {"programme": programme} if programme is not None else {"authority": authority}
    default = DEFAULT_PROGRAMME_PATTERN if programme is not None else DEFAULT_AUTHORITY_PATTERN
    if not lock:
        return NumberingScheme.objects.filter(**owner).first() or NumberingScheme(
            pattern=default, **owner
        )
    scheme, _created = NumberingScheme.objects.get_or_create(**owner, defaults={"pattern": default})
    return NumberingScheme.objects.select_for_update().get(pk=scheme.pk)


def _lock_numbering() -> None:
    """Wait for any other registration's numbering to commit (PostgreSQL; SQLite
    serialises writers anyway). Taken after the plan's row lock, before any other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NUMBERING_LOCK])


def _number_taken(number: str) -> bool:
    return (
        Plan.objects.filter(project_number=number).exists()
        or Programme.objects.filter(project_number=number).exists()
    )


def _take(scheme: NumberingScheme, *, on: date, programme_number: str = "", save: bool) -> str:
    """The scheme's next free number; with `save`, the sequence moves past it."""
    seq = scheme.next_sequence
    for _attempt in range(MAX_SKIPS):
        number = scheme.render(seq=seq, on=on, programme_number=programme_number)
        if not _number_taken(number):
            break
        seq += 1
    else:
        raise RegistrationError(
            _(
                "編號樣式「%(pattern)s」連續 %(count)d 個編號都已被使用，請管理者調整編號樣式或流水號。"
            )
            % {"pattern": scheme.pattern, "count": MAX_SKIPS}
        )
    if save:
        scheme.next_sequence = seq + 1
        scheme.save(update_fields=["next_sequence"])
    return number


def _programme_number(programme: Programme, *, on: date, save: bool) -> str:
    """The programme's project number; one is taken from its authority's scheme the
    first time a sub-project is registered (with `save`, under a lock on it)."""
    if save:
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.project_number:
        return programme.project_number
    scheme = _scheme(authority=programme.authority, lock=save)
    number = _take(scheme, on=on, save=save)
    if save:
        programme.project_number = number
        programme.save(update_fields=["project_number"])
        audit.info("programme numbered: programme=%s number=%s", programme.pk, number)
    return number


def allocate_number(plan: Plan, *, on: date, save: bool = True) -> str:
    """The project number for registering `plan` on `on`: a sub-project's from its
    programme's scheme under the programme's number (B-0000271-002), an individual
    plan's from its authority's scheme (B-0000272). With `save` (inside a
    transaction) the schemes are locked and moved on; without, it is a preview
    that may differ if someone registers meanwhile."""
    if save:
        _lock_numbering()
    if plan.programme_id:
        programme_number = _programme_number(plan.programme, on=on, save=save)
        scheme = _scheme(programme=plan.programme, lock=save)
        return _take(scheme, on=on, programme_number=programme_number, save=save)
    if plan.authority_id is None:
        raise RegistrationError(_("計畫書沒有審查機關，無法依機關的編號樣式給號。"))
    return _take(_scheme(authority=plan.authority, lock=save), on=on, save=save)


def registered_period(plan: Plan, registered_on: date) -> tuple[date, date]:
    """The crediting period a registration on `registered_on` gives: from that day,
    for the years the plan's crediting type allows (固定型 10, 展延型 7)."""
    years = CREDITING_YEARS.get(plan.crediting)
    if years is None:
        raise RegistrationError(_("計畫書未載明計入期型態（固定型或展延型），無法決定計入期長度。"))
    return crediting_period(registered_on, years)


def registration_problem(plan: Plan) -> str:
    """Why the plan cannot be registered now ("" when it can), state aside from who asks."""
    if plan.is_registered:
        return _("此計畫書已於 %(date)s 註冊，專案編號 %(number)s；不能再註冊一次。") % {
            "date": roc_long(plan.registered_on),
            "number": plan.project_number,
        }
    if plan.status != Plan.Status.APPROVED:
        return _("計畫書目前為「%(status)s」，核准後才能註冊。") % {
            "status": plan.get_status_display()
        }
    if plan.current_version_id is None:
        return _("計畫書沒有核准的送審版本，無法註冊。")
    return ""


def check_registration_date(plan: Plan, registered_on: date) -> None:
    """The registration date lies between the approval and today."""
    today = timezone.localdate()
    if registered_on > today:
        raise RegistrationError(
            _("註冊日期 %(date)s 尚未到來；請填今天（%(today)s）或更早的日期。")
            % {"date": roc_long(registered_on), "today": roc_long(today)},
            field="registered_on",
        )
    approved = approval_date(plan)
    if approved and registered_on < approved:
        raise RegistrationError(
            _("註冊日期不可早於核准日期 %(date)s。") % {"date": roc_long(approved)},
            field="registered_on",
        )


@transaction.atomic
def register_plan(plan: Plan, *, by, registered_on: date) -> Plan:
    """Register an approved plan: assign its project number, set its registered
    crediting period from `registered_on` and link the approved (frozen) version;
    record it in the plan's history. Raise RegistrationError (nothing changed)
    when `by` may not, the plan is not approved or is registered already, or the
    date is not between the approval and today."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not is_registration_authority(by, plan):
        raise RegistrationError(_("只有審查機關或系統管理者可以註冊計畫書。"))
    problem = registration_problem(plan)
    if problem:
        raise RegistrationError(problem)
    check_registration_date(plan, registered_on)
    start, end = registered_period(plan, registered_on)
    number = allocate_number(plan, on=registered_on, save=True)
    plan.project_number = number
    plan.registered_on = registered_on
    plan.registered_at = timezone.now()
    plan.registered_by = by
    plan.registered_version_id = plan.current_version_id
    plan.registered_crediting_start, plan.registered_crediting_end = start, end
    plan.save(
        update_fields=[
            "project_number",
            "registered_on",
            "registered_at",
            "registered_by",
            "registered_version",
            "registered_crediting_start",
            "registered_crediting_end",
            "updated_at",
        ]
    )
    PlanEvent.objects.create(
        plan=plan,
        user=by,
        kind=PlanEvent.Kind.REGISTRATION,
        message=_(
            "註冊：專案編號 %(number)s，註冊日期 %(date)s，計入期 %(start)s 至 %(end)s"
            "（%(type)s；第 %(version)d 版）。"
        )
        % {
            "number": number,
            "date": roc_long(registered_on),
            "start": roc_long(start),
            "end": roc_long(end),
            "type": plan.get_crediting_display(),
            "version": plan.current_version.number,
        },
    )
    return plan
