"""Programmes (方案型抵換專案) and their totals, as on the programme pages: every
signed-in caller sees every programme; the counts and sums are over the
sub-projects the caller sees (projects.permissions.programme_plans)."""

from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate

from projects import dashboard, permissions
from projects.api.auth import token_auth
from projects.api.errors import ApiError, ErrorsOut
from projects.api.pagination import Pages
from projects.models import Plan, Programme

router = Router(tags=["programmes"], auth=token_auth)
MAX_ID = 2**63 - 1


class ProgrammeOut(Schema):
    id: int
    title: str
    version: str
    authority: str = Field(..., alias="authority.name")
    city: str
    is_open: bool


class TotalsOut(Schema):
    plans: int = Field(..., description="sub-projects the caller sees")
    by_status: dict[str, int]
    approved: int
    approved_annual_reduction_tco2e: int = Field(
        ..., description="sum over the approved sub-projects' approved versions"
    )
    approved_total_reduction_tco2e: int


class ProgrammeDetailOut(ProgrammeOut):
    totals: TotalsOut


@router.get("", url_name="programme_list", response={200: list[ProgrammeOut], 401: ErrorsOut})
@paginate(Pages)
def programme_list(request):
    return Programme.objects.select_related("authority").order_by("title", "version", "pk")


@router.get(
    "/{programme_id}",
    url_name="programme_detail",
    response={200: ProgrammeDetailOut, 401: ErrorsOut, 404: ErrorsOut},
    summary="A programme and its totals",
)
def programme_detail(request, programme_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.auth
    if not permissions.can_see_programmes(user):
        raise ApiError(403, "you may not see programmes")
    programme = Programme.objects.select_related("authority").filter(pk=programme_id).first()
    if programme is None:
        raise ApiError(404, "no programme with this id")
    summary = dashboard.programme_totals(permissions.programme_plans(user, programme))
    by_status = {value: summary[value] for value, _label in Plan.Status.choices}
    programme.totals = {
        "plans": sum(by_status.values()),
        "by_status": by_status,
        "approved": by_status[Plan.Status.APPROVED],
        "approved_annual_reduction_tco2e": summary["approved_annual"] or 0,
        "approved_total_reduction_tco2e": summary["approved_total"] or 0,
    }
    return programme
