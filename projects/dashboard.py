"""The reviewer dashboard (the queue of submitted plans) and the programme pages.

Read-only lists. Every page runs a fixed number of SQL queries however many
plans there are: rows come with their organisation, programme and current
version's figures joined in, counts and sums are single aggregates, and long
lists are paginated."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.credits import selectors as credit_selectors
from projects.models import Membership, Plan, Programme

PAGE_SIZE = 50
# Drafts never reach a reviewer, even one that was withdrawn after a submission.
QUEUE_STATUSES = [choice for choice in Plan.Status.choices if choice[0] != Plan.Status.DRAFT]
# What a row of the queue or of a programme's list shows; everything else of
# the plan (its texts, the cached results) stays in the database.
ROW_FIELDS = (
    "title",
    "type",
    "status",
    "technology",
    "submitted_at",
    "organisation__name",
    "programme__title",
    "programme__version",
)


def _queue_plans(user) -> QuerySet[Plan]:
    """The plans in the user's queue: submitted at least once and not a draft now."""
    if permissions.is_site_administrator(user):
        plans = Plan.objects.filter(current_version__isnull=False)
    else:
        plans = Plan.objects.reviewable_by(user)
    return plans.exclude(status=Plan.Status.DRAFT)


def _reviewed_programmes(user) -> QuerySet[Programme]:
    if permissions.is_site_administrator(user):
        return Programme.objects.all()
    return Programme.objects.filter(
        authority__membership__user=user,
        authority__membership__role=Membership.Role.REVIEWER,
    ).distinct()


def _with_row_fields(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """One query for a page of rows, with the current version's figures."""
    return (
        plans.select_related("organisation", "programme")
        .only(*ROW_FIELDS)
        .annotate(
            annual_reduction_tco2e=F("current_version__annual_reduction_tco2e"),
            total_reduction_tco2e=F("current_version__total_reduction_tco2e"),
        )
    )


def _status_counts(plans: QuerySet[Plan], statuses, **extra) -> dict[str, int]:
    """Plans per status (zeros included) and any `extra` aggregates, in one query."""
    return plans.aggregate(
        **{value: Count("pk", filter=Q(status=value)) for value, _label in statuses},
        **extra,
    )


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string. Only the reviewer's own
    authorities' programmes can be chosen."""

    status = forms.ChoiceField(
        label=_("狀態"), choices=[("", _("全部狀態")), *QUEUE_STATUSES], required=False
    )
    programme = forms.ModelChoiceField(
        label=_("方案型抵換專案"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("全部方案"),
    )
    technology = forms.ChoiceField(
        label=_("設備技術"),
        choices=[("", _("全部技術")), *Plan.Technology.choices],
        required=False,
    )

    def __init__(self, *args, programmes: QuerySet[Programme], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def chosen(self) -> dict:
        """The valid choices; an invalid value (a programme of another
        authority, say) filters nothing and the form shows its error."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def review_queue(request):
    """Submitted plans under the user's authorities, oldest submission first."""
    if not permissions.has_review_queue(request.user):
        raise Http404
    form = QueueFilterForm(request.GET, programmes=_reviewed_programmes(request.user))
    chosen = form.chosen()
    plans = _queue_plans(request.user)
    if "programme" in chosen:
        plans = plans.filter(programme=chosen["programme"])
    if "technology" in chosen:
        plans = plans.filter(technology=chosen["technology"])
    # The chips count every status under the other filters, so that each says
    # how many plans a click on it would show.
    counts = _status_counts(plans, QUEUE_STATUSES)
    status = chosen.get("status", "")
    if status:
        plans = plans.filter(status=status)
    plans = _with_row_fields(plans).order_by(F("submitted_at").asc(nulls_last=True), "pk")
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    chips = [
        {"value": value, "label": label, "count": counts[value], "active": value == status}
        for value, label in QUEUE_STATUSES
    ]
    return render(
        request,
        "projects/review/queue.html",
        {
            "form": form,
            "page": page,
            "chips": chips,
            "total": sum(counts.values()),
            "status": status,
            "is_reviewer": True,
        },
    )


def programme_list(request):
    """Every programme, so that applicants can find one to join; the number of
    sub-projects is of those the user may see."""
    visible = (
        permissions.visible_plans(request.user)
        .filter(programme=OuterRef("pk"))
        .order_by()
        .values("programme")
        .annotate(count=Count("pk"))
        .values("count")
    )
    programmes = Programme.objects.select_related("authority", "methodology").annotate(
        sub_project_count=Subquery(visible)
    )
    return render(
        request,
        "projects/review/programme_list.html",
        {"programmes": programmes, "is_reviewer": permissions.has_review_queue(request.user)},
    )


def programme_totals(plans: QuerySet[Plan]) -> dict:
    """Plans per status (zeros included), and the approved plans' frozen annual and
    total reductions (`approved_annual`, `approved_total`, None when none), in one
    query. The programme page and the API both read a programme's totals here."""
    return _status_counts(
        plans,
        Plan.Status.choices,
        approved_annual=Sum(
            "current_version__annual_reduction_tco2e", filter=Q(status=Plan.Status.APPROVED)
        ),
        approved_total=Sum(
            "current_version__total_reduction_tco2e", filter=Q(status=Plan.Status.APPROVED)
        ),
    )


def programme_detail(request, pk):
    """A programme and its sub-projects. Any signed-in user sees the programme
    itself; the list holds only the sub-projects the user may see (all of them
    for its authority's reviewers and site administrators, their own
    organisations' for applicants), and the sums are over that list."""
    programme = get_object_or_404(
        Programme.objects.select_related("authority", "methodology"), pk=pk
    )
    plans = permissions.programme_plans(request.user, programme)
    summary = programme_totals(plans)
    rows = _with_row_fields(plans).order_by("organisation__name", "title", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    reviews_it = permissions.reviews_programme(request.user, programme)
    return render(
        request,
        "projects/review/programme_detail.html",
        {
            "programme": programme,
            "page": page,
            "status_counts": [
                {"value": value, "label": label, "count": summary[value]}
                for value, label in Plan.Status.choices
                if summary[value]
            ],
            "approved_count": summary[Plan.Status.APPROVED],
            "approved_annual": summary["approved_annual"] or 0,
            "approved_total": summary["approved_total"] or 0,
            "reviews_it": reviews_it,
            "is_reviewer": reviews_it or permissions.has_review_queue(request.user),
            "credit_summary": credit_selectors.programme_credit_summary(programme, plans),
        },
    )
