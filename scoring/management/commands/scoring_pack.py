"""manage.py scoring_pack [--apply | --load FILE] [--activate]"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.engine.pack import PackError, raw_shipped_pack, read_raw
from scoring.services import score_pack_load, score_pack_shipped_diff


class Command(BaseCommand):
    help = gettext_lazy(
        "Show how the shipped score pack (scoring/packs/default.yaml) differs from its database row; "
        "--apply writes it, --load FILE writes another pack (a zone's own, the official table), "
        "--activate makes the written pack the one every firm is scored with."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help=gettext_lazy("Write the shipped pack."))
        parser.add_argument("--load", metavar="FILE", help=gettext_lazy("Write the pack in this YAML file."))
        parser.add_argument(
            "--activate",
            action="store_true",
            help=gettext_lazy("Activate the pack written (recomputes every score)."),
        )

    def handle(self, *args, apply: bool, load: str | None, activate: bool, **options):
        if apply and load:
            raise CommandError(_("Give --apply or --load, not both."))
        try:
            if not apply and not load:
                if activate:
                    raise CommandError(_("--activate needs --apply or --load."))
                self._show_diff()
                return
            raw = raw_shipped_pack() if apply else read_raw(Path(load))
            row, created = score_pack_load(raw=raw, activate=activate)
        except (PackError, ValidationError, OSError) as exc:
            raise CommandError(_("Nothing was written. %(error)s") % {"error": exc}) from None
        verb = _("Added") if created else _("Updated")
        state = _("active: every score is being recomputed") if row.active else _("not active")
        self.stdout.write(self.style.SUCCESS(f"{verb} {row.version} ({state})."))

    def _show_diff(self) -> None:
        try:
            differences = score_pack_shipped_diff()
        except PackError as exc:
            raise CommandError(str(exc)) from None
        if not differences:
            self.stdout.write(self.style.SUCCESS(_("The database matches the shipped pack.")))
        elif differences == ["missing"]:
            self.stdout.write(
                self.style.WARNING(_("The shipped pack is not in the database; run with --apply."))
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    _("The shipped pack differs in %(fields)s; run with --apply to write it.")
                    % {"fields": ", ".join(differences)}
                )
            )
