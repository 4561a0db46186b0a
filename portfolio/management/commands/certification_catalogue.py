from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portfolio.models import CertificationKind
from portfolio.rules.catalogue import CATALOGUE_PATH, CatalogueError, catalogue_read
from portfolio.services.catalogue import catalogue_apply, catalogue_diff
from portfolio.services.certifications import kind_queue_deadline_sync


class Command(BaseCommand):
    help = (
        "Show how the certification kinds in the database differ from the catalogue file "
        "(portfolio/rules/catalogue.yaml); with --apply, write the file's values in one transaction "
        "and queue the re-sync of the changed kinds' deadlines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=CATALOGUE_PATH, help="Catalogue file to compare.")
        parser.add_argument("--apply", action="store_true", help="Write the differences (atomic).")
        parser.add_argument(
            "--resync-all",
            action="store_true",
            help="Also queue the re-sync of every kind's deadlines (after a migration changed the rules).",
        )

    def handle(self, *args, path: Path, apply: bool, resync_all: bool, **options):
        try:
            kinds = catalogue_read(path)
            if apply:
                with transaction.atomic():
                    result = catalogue_apply(kinds=kinds)
                    if resync_all:
                        result.changed_kind_ids.update(CertificationKind.objects.values_list("pk", flat=True))
                    for kind_id in sorted(result.changed_kind_ids):
                        kind_queue_deadline_sync(kind_id=kind_id)
                changes = result.changes
            else:
                changes = catalogue_diff(kinds=kinds)
        except CatalogueError as exc:
            raise CommandError(f"Nothing was written. {exc}") from None
        for change in changes:
            self.stdout.write(str(change))
        written = [c for c in changes if c.action != "extra"]
        if not written:
            self.stdout.write(self.style.SUCCESS(f"The database matches {path.name}."))
        elif apply:
            self.stdout.write(self.style.SUCCESS(f"Applied {len(written)} difference(s) from {path.name}."))
        else:
            message = f"{len(written)} difference(s) from {path.name}; run with --apply to write them."
            self.stdout.write(self.style.WARNING(message))
