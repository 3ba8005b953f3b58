from django.contrib import admin

from projects.models import (
    Attachment,
    EquipmentGroup,
    GroupPeriod,
    Membership,
    Organisation,
    Participant,
    Plan,
    PlanEvent,
    PlanVersion,
    Programme,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "authority", "city", "is_open", "project_number"]
    list_filter = ["is_open"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "organisation",
        "type",
        "technology",
        "status",
        "project_number",
        "updated_at",
    ]
    list_filter = ["type", "technology", "status", ("registered_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "number", "project_number", "organisation__name"]
    inlines = [ParticipantInline, AttachmentInline]
    # Registration is the authority's act on the plan page (register_plan), recorded
    # in the history; the admin shows it and never changes it.
    readonly_fields = [
        "project_number",
        "registered_on",
        "registered_at",
        "registered_by",
        "registered_version",
        "registered_crediting_start",
        "registered_crediting_end",
    ]


class GroupPeriodInline(admin.TabularInline):
    model = GroupPeriod
    extra = 0


@admin.register(EquipmentGroup)
class EquipmentGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "side", "shape", "count"]
    list_filter = ["side", "shape"]
    inlines = [GroupPeriodInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    """Frozen versions are a record: administrators may look, never change."""

    list_display = ["plan", "number", "created_by", "created_at", "total_reduction_tco2e"]
    readonly_fields = [
        "plan",
        "number",
        "document",
        "results",
        "annual_reduction_tco2e",
        "total_reduction_tco2e",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanEvent)
class PlanEventAdmin(admin.ModelAdmin):
    list_display = ["plan", "created_at", "user", "kind", "from_status", "to_status"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# -- registration and monitoring ---------------------------------------------------

from projects.monitoring import admin as monitoring_admin  # noqa: E402, F401
from projects.registration import admin as registration_admin  # noqa: E402, F401
