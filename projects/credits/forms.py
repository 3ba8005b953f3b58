"""The account page's forms: they parse what was typed; the services decide."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from projects.credits.models import MAX_UNITS, LedgerEntry
from projects.credits.services import FIRST_FEE_YEAR, MAX_CHARGEABLE_EMISSIONS
from projects.models import Organisation, validate_tax_id


class QuantityField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("數量 (tCO2e)"),
            min_value=1,
            max_value=MAX_UNITS,
            error_messages={
                "invalid": _("數量須為正整數（公噸），減量額度不可分割。"),
                "min_value": _("數量須為正整數（公噸）。"),
                "max_value": _("數量過大。"),
                "required": _("請填寫數量。"),
            },
            **kwargs,
        )


class TransferForm(forms.Form):
    prefix = "transfer"

    to_tax_id = forms.CharField(
        label=_("受讓單位統一編號"),
        max_length=8,
        error_messages={"required": _("請填寫受讓單位的統一編號。")},
    )
    quantity = QuantityField()

    def clean_to_tax_id(self):
        tax_id = self.cleaned_data["to_tax_id"].strip()
        validate_tax_id(tax_id)
        organisation = Organisation.objects.filter(tax_id=tax_id).first()
        if organisation is None:
            raise forms.ValidationError(
                _("查無統一編號 %(tax_id)s 的組織。"), params={"tax_id": tax_id}
            )
        self.cleaned_data["to_organisation"] = organisation
        return tax_id


class RetireForm(forms.Form):
    prefix = "retire"

    quantity = QuantityField()
    purpose = forms.ChoiceField(
        label=_("註銷用途"),
        choices=LedgerEntry.Purpose.choices,
        error_messages={"required": _("請選擇註銷用途。")},
    )
    beneficiary = forms.CharField(
        label=_("受益者"), max_length=200, error_messages={"required": _("請填寫受益者。")}
    )
    tax_id = forms.CharField(label=_("統一編號（碳費抵減）"), max_length=8, required=False)
    year = forms.IntegerField(
        label=_("碳費年度（西元）"),
        required=False,
        validators=[MinValueValidator(FIRST_FEE_YEAR), MaxValueValidator(2100)],
    )
    chargeable_emissions = forms.DecimalField(
        label=_("申報收費排放量 (tCO2e)"),
        required=False,
        max_digits=18,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=MAX_CHARGEABLE_EMISSIONS,
    )

    def clean_tax_id(self):
        tax_id = self.cleaned_data["tax_id"].strip()
        if tax_id:
            validate_tax_id(tax_id)
        return tax_id

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("purpose") == LedgerEntry.Purpose.CARBON_FEE:
            required = {
                "tax_id": _("碳費抵減請填寫公司的統一編號。"),
                "year": _("碳費抵減請填寫碳費年度。"),
                "chargeable_emissions": _("碳費抵減請填寫申報的收費排放量。"),
            }
            for name, message in required.items():
                if name not in self.errors and cleaned.get(name) in (None, ""):
                    self.add_error(name, message)
        return cleaned
