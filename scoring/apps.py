from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Innovation score")

    def ready(self) -> None:
        from scoring import signals  # noqa: F401 - connects the receivers
