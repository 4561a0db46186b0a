"""Send the weekly staff digest now (beat runs it weekly). Safe to run twice a week."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from portfolio.management.commands.send_reminders import _date
from portfolio.services.reminders import digest_pass


class Command(BaseCommand):
    help = "Mail each staff member this week's digest of their firms' deadlines and failed reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=_date, help="Pretend today is this date (YYYY-MM-DD).")
        parser.add_argument("--dry-run", action="store_true", help="Print who would get one; write nothing.")
        parser.add_argument("--enqueue", action="store_true", help="Hand them to the Celery workers.")

    def handle(self, *args, today=None, dry_run=False, enqueue=False, **options) -> None:
        planned, sent = digest_pass(today=today, dry_run=dry_run, enqueue=enqueue)
        for digest in planned:
            self.stdout.write(
                f"{'would send' if dry_run else 'digest'}: {digest.email} (week of {digest.week_of})"
            )
        if not dry_run and not enqueue:
            for outcome in sent:
                if outcome.status != "skipped":
                    self.stdout.write(f"{outcome.status}: #{outcome.id} to {outcome.email} {outcome.error}")
        self.stdout.write(f"{len(planned)} digests {'would be sent' if dry_run else 'planned'}")
