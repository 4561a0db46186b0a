"""manage.py scoring_recompute: the nightly pass, now, in the foreground."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.services import scores_recompute_all


class Command(BaseCommand):
    help = gettext_lazy(
        "Recompute every firm's innovation score with the active pack, cohort by cohort (what beat runs "
        "nightly). Safe to run at any time."
    )

    def handle(self, *args, **options):
        result = scores_recompute_all()
        self.stdout.write(
            _("Innovation scores: %(firms)d firms in %(cohorts)d cohorts, %(scored)d with a score.")
            % result.as_dict()
        )
