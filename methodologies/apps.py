from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MethodologiesConfig(AppConfig):
    name = "methodologies"
    verbose_name = _("減量方法與參考資料")
