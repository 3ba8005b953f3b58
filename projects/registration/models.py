"""How registered plans are numbered: one numbering scheme per authority (its
individual plans and its programmes) and one per programme (its sub-projects),
each a pattern and the next sequence number, editable in the admin."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.dates import ROC_OFFSET
from projects.models import Organisation, Programme

DEFAULT_AUTHORITY_PATTERN = "B-{seq:7}"
DEFAULT_PROGRAMME_PATTERN = "{programme}-{seq:3}"
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::(\d{1,2}))?\}")
PLACEHOLDERS = {"seq", "programme", "year", "roc_year"}
PATTERN_HELP = _(
    "編號樣式：{seq} 為流水號，{seq:7} 表示補零至 7 位（超過時照實際位數）；"
    "{programme} 為方案型抵換專案本身的專案編號（僅方案的編號樣式可用）；"
    "{year} 為註冊日期的西元年，{roc_year} 為民國年；其餘文字照錄，不可含空白或大括號。"
    "例：主管機關 B-{seq:7} 產生 B-0000272；方案 {programme}-{seq:3} 產生 B-0000271-002。"
)


def validate_pattern(pattern: str, *, for_programme: bool) -> None:
    """The pattern's placeholders are known, {seq} appears exactly once, and
    {programme} only in a programme's pattern; raise ValidationError otherwise."""
    literal = PLACEHOLDER.sub("", pattern)
    if "{" in literal or "}" in literal or any(c.isspace() for c in pattern):
        raise ValidationError(
            _(
                "編號樣式只能含 {seq}、{seq:位數}、{programme}、{year}、{roc_year} 與不含空白的文字。"
            ),
            code="pattern_syntax",
        )
    names = [match.group(1) for match in PLACEHOLDER.finditer(pattern)]
    unknown = sorted(set(names) - PLACEHOLDERS)
    if unknown:
        raise ValidationError(
            _("編號樣式中的 {%(name)s} 不是可用的代碼。") % {"name": unknown[0]},
            code="pattern_unknown",
        )
    if names.count("seq") != 1:
        raise ValidationError(_("編號樣式必須恰好含一個流水號 {seq}。"), code="pattern_seq")
    if "programme" in names and not for_programme:
        raise ValidationError(
            _("{programme} 只能用於方案型抵換專案的編號樣式。"), code="pattern_programme"
        )
    if for_programme and "programme" not in names:
        raise ValidationError(
            _("方案的編號樣式須含 {programme}，子專案才會編在方案的專案編號之下。"),
            code="pattern_programme_missing",
        )


def render_pattern(pattern: str, *, seq: int, on: date, programme_number: str = "") -> str:
    """The number the pattern gives for sequence `seq` on registration date `on`."""

    def value(match: re.Match) -> str:
        name, width = match.group(1), int(match.group(2) or 0)
        if name == "seq":
            return str(seq).zfill(width)
        if name == "programme":
            return programme_number
        if name == "year":
            return str(on.year)
        return str(on.year - ROC_OFFSET)  # roc_year

    return PLACEHOLDER.sub(value, pattern)


class NumberingScheme(models.Model):
    """The numbering of one authority (its individual plans, and its programmes'
    own numbers) or of one programme (its sub-projects). Allocation locks the row
    (projects.registration.services.allocate_number), so that two registrations at
    once never get the same number."""

    authority = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="numbering_scheme",
        limit_choices_to={"kind": Organisation.Kind.AUTHORITY},
        verbose_name=_("主管機關"),
    )
    programme = models.OneToOneField(
        Programme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="numbering_scheme",
        verbose_name=_("方案型抵換專案"),
    )
    pattern = models.CharField(_("編號樣式"), max_length=60, help_text=PATTERN_HELP)
    next_sequence = models.PositiveIntegerField(
        _("下一個流水號"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("下一件註冊使用的流水號；已被使用的編號會自動跳過。"),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(authority__isnull=False, programme__isnull=True)
                | models.Q(authority__isnull=True, programme__isnull=False),
                name="numbering_scheme_of_one_owner",
            )
        ]
        verbose_name = _("專案編號樣式")
        verbose_name_plural = _("專案編號樣式")

    def __str__(self) -> str:
        return f"{self.programme or self.authority}: {self.pattern}"

    def clean(self):
        if bool(self.authority_id) == bool(self.programme_id):
            raise ValidationError(_("編號樣式須屬於一個主管機關或一個方案型抵換專案（擇一）。"))
        if self.authority_id and self.authority.kind != Organisation.Kind.AUTHORITY:
            raise ValidationError({"authority": _("只有主管機關有專案編號樣式。")})
        try:
            validate_pattern(self.pattern, for_programme=bool(self.programme_id))
        except ValidationError as error:
            raise ValidationError({"pattern": error.messages}) from error

    def render(self, *, seq: int, on: date, programme_number: str = "") -> str:
        return render_pattern(self.pattern, seq=seq, on=on, programme_number=programme_number)
