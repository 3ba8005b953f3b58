"""Forms of verification and review: the verified reduction, the verification
statement, comments. They parse and check input at its field; the rules are the
services' (projects/monitoring/verification.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects import forms as plan_forms
from projects.credits.models import MAX_UNITS
from projects.monitoring import verification
from projects.monitoring.models import MonitoringAttachment, MonitoringComment, MonitoringReport


class RevisionForm(forms.Form):
    """Carries the report's revision the page was read at (a stale tab is refused)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class VerifiedReductionForm(RevisionForm):
    verified_reduction_tco2e = forms.IntegerField(
        label=_("查證減量 (tCO2e)"),
        min_value=0,
        max_value=MAX_UNITS,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "1", "min": "0"}),
    )

    def __init__(self, *args, report: MonitoringReport, **kwargs):
        self.report = report
        kwargs.setdefault(
            "initial",
            {
                "verified_reduction_tco2e": report.verified_reduction_tco2e,
                "revision": report.revision,
            },
        )
        super().__init__(*args, **kwargs)
        claimed = verification.claimed_reduction(report)
        field = self.fields["verified_reduction_tco2e"]
        if claimed is not None:
            field.widget.attrs["max"] = str(claimed)
            field.help_text = _("整數公噸，不得高於申報的 %(claimed)s tCO2e。") % {
                "claimed": f"{claimed:,}"
            }

    def clean_verified_reduction_tco2e(self):
        value = self.cleaned_data["verified_reduction_tco2e"]
        try:
            return verification.validate_verified_reduction(self.report, value)
        except ValidationError as error:
            raise ValidationError(error.message_dict[verification.REDUCTION_FIELD]) from None


class StatementForm(plan_forms.AttachmentForm):
    """The verification statement (查證總結報告): a PDF up to 20 MB, checked by
    content as a plan's attachments are."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = MonitoringAttachment
        fields = ["description", "file"]
        labels = {"description": _("說明（選填）"), "file": _("查證總結報告 (PDF)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = False
        self.fields["description"].widget.attrs["placeholder"] = _("例：查證總結報告（第 1 版）")

    def clean_file(self):
        upload = super().clean_file()
        if upload and not upload.name.lower().endswith(".pdf"):
            raise ValidationError(_("查證總結報告請上傳 PDF 檔。"))
        return upload


class ReportCommentForm(plan_forms.CommentForm):
    """A comment on a section of the monitoring report (the plan review's form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = MonitoringComment.Section.choices
        self.fields["field"].widget.attrs["placeholder"] = _("例：冰水主機運轉時數")
