from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ladder.engine.reader import RuleDataError
from ladder.services import ruleset_apply, ruleset_diff


class Command(BaseCommand):
    help = gettext_lazy(
        "Show how the rule sets in the database differ from ladder/rules/*.yaml; with --apply, "
        "write the YAML's versions in one transaction. Versions only in the database are never deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply", action="store_true", help=gettext_lazy("Write the differences (atomic).")
        )

    def handle(self, *args, apply: bool, **options):
        try:
            changes = ruleset_apply() if apply else ruleset_diff()
        except (RuleDataError, ValidationError) as exc:
            raise CommandError(_("Nothing was written. %(error)s") % {"error": exc}) from None
        for change in changes:
            self.stdout.write(str(change))
        written = [c for c in changes if c.action != "extra"]
        if not written:
            self.stdout.write(self.style.SUCCESS(_("The database matches the YAML rules.")))
        elif apply:
            self.stdout.write(self.style.SUCCESS(_("Applied %(n)d difference(s).") % {"n": len(written)}))
        else:
            self.stdout.write(
                self.style.WARNING(
                    _("%(n)d difference(s); run with --apply to write them.") % {"n": len(written)}
                )
            )
