from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Organisation


class OrganisationForm(forms.ModelForm):
    """An applicant organisation: its name, 統一編號 (checked by its checksum),
    address and 負責人; all four required here."""

    class Meta:
        model = Organisation
        fields = ["name", "tax_id", "address", "representative", "city"]
        help_texts = {"tax_id": _("8 位數字，會檢查檢查碼。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("tax_id", "address", "representative"):
            self.fields[name].required = True


class AdministratorOrganisationForm(OrganisationForm):
    """Site administrators create any kind, with its first owner invited by e-mail."""

    owner_email = forms.EmailField(label=_("第一位管理者的電子郵件"))

    class Meta(OrganisationForm.Meta):
        fields = ["kind", *OrganisationForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("tax_id", "address", "representative"):
            self.fields[name].required = False


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("電子郵件"), max_length=254)
    access = forms.ChoiceField(label=_("角色"))

    def __init__(self, *args, access_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["access"].choices = access_choices


class AccessForm(forms.Form):
    access = forms.ChoiceField(label=_("角色"))

    def __init__(self, *args, access_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["access"].choices = access_choices


class JoinRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.APPLICANT),
        widget=forms.HiddenInput,
    )
    message = forms.CharField(
        label=_("給管理者的說明（選填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
