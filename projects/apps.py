from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("抵換專案計畫書")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from methodologies.models import EmissionFactor, Refrigerant, RefrigerantGwp
        from projects.receivers import reference_changed

        # Drafts' results follow corrections of the figures a calculation reads.
        for model in (EmissionFactor, Refrigerant, RefrigerantGwp):
            post_save.connect(reference_changed, sender=model, dispatch_uid=f"drafts-{model}")
            post_delete.connect(reference_changed, sender=model, dispatch_uid=f"del-{model}")
