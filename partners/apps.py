from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and API")

    def ready(self) -> None:
        from partners import signals  # noqa: F401 - connects the receivers
