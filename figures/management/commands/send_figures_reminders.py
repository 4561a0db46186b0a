"""Run the figures requests' passes in the foreground: what beat runs hourly, with its output."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from figures.emails import FiguresPassResult, figures_reminder_pass, torch_filing_reminder_pass
from figures.models import FiguresEmail
from portfolio.management.commands.send_reminders import _date


def _describe(row) -> str:
    if isinstance(row, FiguresEmail):
        return f"figures request {row.request_id}: {row.kind} ({row.occasion}) to {row.email}"
    return f"Torch return {row.report_year}: {row.threshold} days before closing, to {row.email}"


class Command(BaseCommand):
    help = (
        "Record the figures reminders and liaison notes due today and the managers' Torch filing "
        "reminders, and send them here (or hand them to the Celery workers with --enqueue). Safe to "
        "run at any time, and twice: nothing is sent twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=_date, help="Pretend today is this date (YYYY-MM-DD, Shanghai).")
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; write nothing.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the emails to the Celery workers instead of sending here.",
        )

    def handle(self, *args, today=None, dry_run=False, enqueue=False, **options) -> None:
        for name, run in (
            ("figures requests", figures_reminder_pass),
            ("Torch filing", torch_filing_reminder_pass),
        ):
            if dry_run:
                # The pass runs as it would and is rolled back: its hand-over on commit never happens.
                with transaction.atomic():
                    result = run(today=today, enqueue=True)
                    transaction.set_rollback(True)
            else:
                result = run(today=today, enqueue=enqueue)
            self._report(name, result, dry_run=dry_run, enqueue=enqueue)

    def _report(self, name: str, result: FiguresPassResult, *, dry_run: bool, enqueue: bool) -> None:
        verb = "would record" if dry_run else "recorded"
        for row in result.planned:
            self.stdout.write(f"{verb}: {_describe(row)}")
        for outcome in result.outcomes:
            if outcome.status != "skipped":
                detail = f" - {outcome.error}" if outcome.error else ""
                self.stdout.write(
                    f"{outcome.status}: #{outcome.id} to {outcome.email}: {outcome.subject}{detail}"
                )
        for submission_id in result.unreachable:
            self.stderr.write(
                f"no recipient: submission {submission_id} has no contact and no responsible staff"
            )
        summary = f"{result.today}: {name}: {len(result.planned)} emails {verb}"
        if not dry_run:
            summary += f", {result.superseded} superseded"
            if enqueue:
                summary += f", {len(result.handed_over)} handed to the workers"
            else:
                sent = sum(1 for o in result.outcomes if o.status == "sent")
                failed = sum(1 for o in result.outcomes if o.status == "failed")
                summary += f", {sent} sent, {failed} failed"
        self.stdout.write(summary)
