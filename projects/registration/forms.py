from django import forms
from django.utils.translation import gettext_lazy as _

from projects.forms import RocDateField


class RegistrationForm(forms.Form):
    registered_on = RocDateField(
        label=_("註冊日期"),
        help_text=_("計入期自此日起算；不可早於核准日期，也不可晚於今天。"),
    )


class RegistrySearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜尋"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("專案編號、計畫名稱或申請單位"),
                "type": "search",
                "class": "form-control",
            }
        ),
    )
