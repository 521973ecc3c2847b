from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = _("Handover")

    def ready(self) -> None:
        # Domain events from retention (a departure recorded) are answered here.
        from handover import receivers  # noqa: F401
