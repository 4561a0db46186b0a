from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portfolio.services.fixtures import FixtureError, fixtures_load


class Command(BaseCommand):
    help = (
        "Load the source articles' firms, incubators, certifications, financing and services "
        "(fixtures/articles.yaml). Safe to run again: records are matched by their stable key."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            type=Path,
            default=Path(settings.BASE_DIR) / "fixtures" / "articles.yaml",
            help="Fixture file to load (default: fixtures/articles.yaml).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report, then roll everything back."
        )

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            result = fixtures_load(path=path, dry_run=dry_run)
        except FixtureError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from None
        # Records the articles give no date for are skipped by design: listed with -v 2.
        if options["verbosity"] >= 2:
            for warning in result.warnings:
                self.stdout.write(self.style.WARNING(f"WARNING: {warning}"))
        elif result.warnings:
            self.stdout.write(
                f"{len(result.warnings)} records without a date in the articles are not loaded "
                "(-v 2 lists them)."
            )
        width = max(len(section) for section in result.counts)
        for section, counts in result.counts.items():
            if section == "sources":  # checked and cited, not stored as rows
                self.stdout.write(f"  {section:<{width}}  {counts.unchanged} cited")
                continue
            self.stdout.write(f"  {section:<{width}}  {counts}")
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"Dry run of {path.name}: valid; nothing was saved."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded {path.name}."))
