"""Run the reminder pass in the foreground: what beat runs hourly, with its output printed."""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portfolio.models import Deadline
from portfolio.services.reminders import PassResult, reminder_pass


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today {value!r} is not a date of the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Expire lapsed certificates, record the deadline reminders due today and send them here (or "
        "hand them to the Celery workers with --enqueue). Safe to run at any time, and twice: nothing "
        "is sent twice."
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
        started = last_report = time.monotonic()

        def progress(result: PassResult) -> None:
            nonlocal last_report
            if time.monotonic() - last_report >= 2:
                last_report = time.monotonic()
                self.stderr.write(
                    f"... {result.scanned} open deadlines read, {len(result.planned)} reminders due "
                    f"({time.monotonic() - started:.0f} s)"
                )

        result = reminder_pass(today=today, dry_run=dry_run, enqueue=enqueue, progress=progress)
        names = dict(
            Deadline.objects.filter(pk__in={p.deadline_id for p in result.planned}).values_list(
                "pk", "firm__name"
            )
        )
        verb = "would record" if dry_run else "recorded"
        for p in result.planned:
            self.stdout.write(
                f"{verb}: deadline {p.deadline_id} ({names.get(p.deadline_id, '')}), "
                f"{p.days_left} days left, "
                f"{p.threshold}-day reminder to {p.email} ({p.recipient_kind})"
            )
        for outcome in result.outcomes:
            if outcome.status != "skipped":
                detail = f" - {outcome.error}" if outcome.error else ""
                self.stdout.write(
                    f"{outcome.status}: #{outcome.id} to {outcome.email}: {outcome.subject}{detail}"
                )
        for deadline_id in result.unreachable:
            self.stderr.write(
                f"no recipient: deadline {deadline_id} has no contact email and no responsible staff"
            )
        expired = "would expire" if dry_run else "expired"
        summary = (
            f"{result.today}: {result.expired} lapsed certificates {expired}, "
            f"{result.scanned} open deadlines read, {len(result.planned)} reminders {verb}"
        )
        if not dry_run:
            summary += f", {result.superseded} superseded"
            if enqueue:
                summary += f", {len(result.handed_over)} handed to the workers"
            else:
                sent = sum(1 for o in result.outcomes if o.status == "sent")
                failed = sum(1 for o in result.outcomes if o.status == "failed")
                retry = sum(1 for o in result.outcomes if o.status == "pending")
                summary += f", {sent} sent, {retry} to retry, {failed} failed"
        self.stdout.write(summary + f" in {time.monotonic() - started:.1f} s")
