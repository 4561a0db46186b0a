from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Incubator portfolio")

    def ready(self) -> None:
        from portfolio import signals  # noqa: F401 - connects the receivers
