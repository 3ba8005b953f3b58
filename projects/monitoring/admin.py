from django.contrib import admin

from projects.monitoring.models import (
    MonitoringAttachment,
    MonitoringEvent,
    MonitoringGroup,
    MonitoringGroupPeriod,
    MonitoringRefrigerant,
    MonitoringReport,
    MonitoringReportVersion,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records (frozen versions, history): administrators may look, never change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MonitoringGroupInline(admin.TabularInline):
    model = MonitoringGroup
    extra = 0
    show_change_link = True


class MonitoringRefrigerantInline(admin.TabularInline):
    model = MonitoringRefrigerant
    extra = 0


class MonitoringAttachmentInline(admin.TabularInline):
    model = MonitoringAttachment
    extra = 0
    readonly_fields = ["uploaded_by", "uploaded_at"]


@admin.register(MonitoringReport)
class MonitoringReportAdmin(admin.ModelAdmin):
    list_display = [
        "plan",
        "number",
        "period_start",
        "period_end",
        "status",
        "verification_body",
        "verified_reduction_tco2e",
    ]
    list_filter = ["status"]
    list_select_related = ["plan", "verification_body"]
    search_fields = ["plan__title", "plan__project_number", "plan__organisation__name"]
    raw_id_fields = ["plan"]
    readonly_fields = ["number", "results", "revision", "created_by", "submitted_at"]
    inlines = [MonitoringGroupInline, MonitoringRefrigerantInline, MonitoringAttachmentInline]

    def has_add_permission(self, request):
        # Reports are numbered under a lock on their plan (create_report).
        return False


class MonitoringGroupPeriodInline(admin.TabularInline):
    model = MonitoringGroupPeriod
    extra = 0


@admin.register(MonitoringGroup)
class MonitoringGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "report", "side", "shape", "count"]
    list_filter = ["side", "shape"]
    raw_id_fields = ["report"]
    inlines = [MonitoringGroupPeriodInline]


@admin.register(MonitoringReportVersion)
class MonitoringReportVersionAdmin(ReadOnlyAdmin):
    list_display = ["report", "number", "created_by", "created_at", "reduction_tco2e"]


@admin.register(MonitoringEvent)
class MonitoringEventAdmin(ReadOnlyAdmin):
    list_display = ["report", "created_at", "user", "kind", "from_status", "to_status"]
    list_filter = ["kind"]
