from django import forms
from django.utils.translation import gettext_lazy as _

from projects.api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("權杖名稱"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("例如使用這個權杖的系統名稱，方便日後辨認與撤銷。"),
    )
